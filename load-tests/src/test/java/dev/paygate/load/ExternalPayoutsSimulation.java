package dev.paygate.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Outbound payouts to the built-in sandbox bank while it fails {@code faultRate} (10%) of its
 * calls. A payout answers 202 PENDING; each virtual user then polls its status until COMPLETED
 * or FAILED (both are correct outcomes under faults), and a payout still unsettled after
 * {@code settleSeconds} is an error: nothing may stay stuck.
 *
 * <p>Skips cleanly, with a message, while the gateway has no external banks (404).
 */
public class ExternalPayoutsSimulation extends Simulation {

    static final Set<String> TERMINAL = Set.of("COMPLETED", "FAILED");
    static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final Fixture fixture = new Fixture(settings);
    private final double faultRate = Double.parseDouble(System.getProperty("faultRate", "0.10"));
    private final int settleSeconds = Integer.getInteger("settleSeconds", 60);
    private final String bankId = findSandboxBank();

    {
        if (bankId == null) {
            setUp(Paygate.skipped("ExternalPayoutsSimulation: GET /external-banks answered 404, the gateway has no"
                    + " external banks yet")
                    .injectOpen(atOnceUsers(1)))
                    .protocols(Paygate.protocol(settings))
                    .assertions(Paygate.noErrors());
        } else {
            setUp(payouts().injectOpen(settings.openArrivals()))
                    .protocols(Paygate.protocol(settings))
                    .assertions(Paygate.noErrors());
        }
    }

    @Override
    public void before() {
        if (bankId == null) {
            return;
        }
        fixture.openAccounts(settings.accounts());
        setSandboxFaults();
    }

    private ScenarioBuilder payouts() {
        int pollsMax = (int) (settleSeconds * 1000L / POLL_INTERVAL.toMillis());
        String body = "{\"account_id\":\"#{from}\",\"direction\":\"OUTBOUND\",\"amount\":\"1.00\",\"currency\":\""
                + Fixture.CURRENCY + "\",\"counterparty\":{\"name\":\"Load Test Payee\",\"account_number\":\"12345678\"},"
                + "\"description\":\"load test payout\"}";
        ChainBuilder pollUntilSettled = exec(session -> session.set("polls", 0).set("payoutStatus", "PENDING"))
                .asLongAs(session -> !settled(session) && session.getInt("polls") < pollsMax).on(
                        pause(POLL_INTERVAL)
                                .exec(Paygate.authorised(http("payout status")
                                        .get("/transfers/#{payoutId}/status")
                                        .check(status().is(200))
                                        .check(jsonPath("$.status").saveAs("payoutStatus")), fixture))
                                .exec(session -> session.set("polls", session.getInt("polls") + 1)))
                // One last look that fails the run if the payout never reached a terminal state.
                .doIf(session -> !settled(session)).then(
                        exec(Paygate.authorised(http("payout settled in time")
                                .get("/transfers/#{payoutId}/status")
                                .check(jsonPath("$.status").in(TERMINAL.toArray(String[]::new))), fixture)));
        return scenario("External payouts")
                .exec(session -> {
                    Fixture.Account from = fixture.randomAccount();
                    return session.set("from", from.id()).set("token", Fixture.tokenOrBlank(from));
                })
                .exec(Paygate.authorised(http("payout")
                        .post("/external-banks/" + bankId + "/transfers")
                        .header("Idempotency-Key", "#{randomUuid()}")
                        .body(StringBody(body))
                        .check(status().in(202, 422))
                        .check(jsonPath("$.id").optional().saveAs("payoutId")), fixture))
                .doIf(session -> session.contains("payoutId")).then(pollUntilSettled);
    }

    private static boolean settled(Session session) {
        return TERMINAL.contains(session.getString("payoutStatus"));
    }

    /** The bank named by {@code -DbankId}, else the first whose name mentions "sandbox"; null without banks. */
    private String findSandboxBank() {
        String wanted = System.getProperty("bankId");
        SetupClient.Reply reply = fixture.client().call("GET", "/external-banks", fixture.adminToken(), null);
        if (reply.status() == 404) {
            return null;
        }
        if (reply.status() != 200) {
            throw new IllegalStateException("GET /external-banks answered " + reply.status() + ": " + reply.body());
        }
        JsonNode banks = reply.json().has("data") ? reply.json().get("data") : reply.json();
        for (JsonNode bank : banks) {
            String id = bank.path("id").asText();
            String name = bank.path("name").asText().toLowerCase(Locale.ROOT);
            if (wanted != null ? wanted.equals(id) : name.contains("sandbox")) {
                System.out.println("[setup] paying out to bank " + id + " (" + bank.path("name").asText() + ")");
                return id;
            }
        }
        throw new IllegalStateException("no " + (wanted != null ? "bank " + wanted : "sandbox bank") + " in " + reply.body());
    }

    /**
     * Turns the sandbox's error-rate knob ({@code PUT /external-banks/{bank_id}/sandbox-faults}).
     * Path and body are settings so that another bank's fault API can be driven the same way:
     * {@code -DfaultsPath} (with {@code {bank_id}}) and {@code -DfaultsBody} (with {@code {rate}}).
     */
    private void setSandboxFaults() {
        String path = System.getProperty("faultsPath", "/external-banks/{bank_id}/sandbox-faults").replace("{bank_id}", bankId);
        String body = System.getProperty("faultsBody", "{\"error_rate\":{rate},\"seed\":42}")
                .replace("{rate}", Double.toString(faultRate));
        SetupClient.Reply reply = fixture.client().call("PUT", path, fixture.adminToken(), body);
        if (reply.status() == 404 || reply.status() == 405) {
            System.out.println("[warn] PUT " + path + " answered " + reply.status() + ": the sandbox fault knob is"
                    + " elsewhere (-DfaultsPath, -DfaultsBody); payouts run WITHOUT injected faults.");
        } else if (reply.status() / 100 != 2) {
            throw new IllegalStateException("PUT " + path + " answered " + reply.status() + ": " + reply.body());
        } else {
            System.out.println("[setup] sandbox bank fails " + (faultRate * 100) + "% of calls (PUT " + path + ")");
        }
    }
}
