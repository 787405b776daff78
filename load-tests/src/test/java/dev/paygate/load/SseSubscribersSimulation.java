package dev.paygate.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code subscribers} (default 1,000; the target is 10,000) clients hold a live event stream on
 * an account each ({@code GET /accounts/{id}/events}) while uniform transfers run at
 * {@code rate}: streams must stay up and transfers must not fail. Subscribers connect over
 * {@code subscriberRampSeconds}; transfers start once all are connected.
 *
 * <p>Skips cleanly, with a message, while the gateway has no event streams (404).
 */
public class SseSubscribersSimulation extends Simulation {

    static final int SUBSCRIBERS_MAX = 50_000;

    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final Fixture fixture = new Fixture(settings);
    private final int subscribers = Integer.getInteger("subscribers", 1_000);
    private final int subscriberRampSeconds = Integer.getInteger("subscriberRampSeconds", 10);
    private final boolean streamsExist = probeStreams();

    {
        if (subscribers < 1 || subscribers > SUBSCRIBERS_MAX) {
            throw new IllegalArgumentException("subscribers must be 1.." + SUBSCRIBERS_MAX);
        }
        if (!streamsExist) {
            setUp(Paygate.skipped("SseSubscribersSimulation: GET /accounts/{id}/events answered 404, the gateway has"
                    + " no event streams yet")
                    .injectOpen(atOnceUsers(1)))
                    .protocols(Paygate.protocol(settings))
                    .assertions(Paygate.noErrors());
        } else {
            setUp(populations()).assertions(Paygate.noErrors());
        }
    }

    @Override
    public void before() {
        if (streamsExist) {
            fixture.openAccounts(settings.accounts());
        }
    }

    private List<PopulationBuilder> populations() {
        int holdSeconds = subscriberRampSeconds + settings.totalSeconds() + 5;
        ScenarioBuilder listeners = scenario("SSE subscribers")
                .exec(session -> {
                    Fixture.Account[] all = fixture.accounts();
                    Fixture.Account account = all[(int) (session.userId() % all.length)];
                    return session.set("account", account.id()).set("token", Fixture.tokenOrBlank(account));
                })
                .exec(fixture.usesTokens()
                        ? sse("account events").get("/accounts/#{account}/events").header("Authorization", "Bearer #{token}")
                        : sse("account events").get("/accounts/#{account}/events"))
                .pause(holdSeconds)
                .exec(sse("close").close());
        ScenarioBuilder transfers = scenario("Uniform transfers under subscribers")
                .exec(session -> {
                    Fixture.Account[] pair = fixture.randomPair();
                    return session.setAll(Fixture.transferAttributes(pair[0], pair[1]));
                })
                .exec(Paygate.transfer(fixture));
        List<OpenInjectionStep> transferArrivals = new ArrayList<>();
        transferArrivals.add(nothingFor(subscriberRampSeconds));
        transferArrivals.addAll(List.of(settings.openArrivals()));
        // Each stream is its own long-lived connection, so subscribers do not share the pool.
        var streamProtocol = http.baseUrl(settings.baseUrl().toString())
                .acceptHeader("text/event-stream")
                .userAgentHeader("paygate-load-tests");
        return List.of(
                listeners.injectOpen(rampUsers(subscribers).during(subscriberRampSeconds)).protocols(streamProtocol),
                transfers.injectOpen(transferArrivals).protocols(Paygate.protocol(settings)));
    }

    private boolean probeStreams() {
        Fixture.Account probe = fixture.openProbeAccount();
        int status = fixture.client().streamStatus("/accounts/" + probe.id() + "/events", probe.token());
        if (status == 404) {
            return false;
        }
        if (status != 200) {
            throw new IllegalStateException("GET /accounts/{id}/events answered " + status);
        }
        return true;
    }
}
