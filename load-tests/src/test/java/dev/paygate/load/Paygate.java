package dev.paygate.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

/**
 * The gateway's requests as Gatling actions, shared by the simulations. A request is "OK" in the
 * report only with the statuses a correct gateway gives under that load: 422 is a legitimate
 * refusal (insufficient funds and the like), anything else (5xx, 429, 409, timeouts) is an error.
 */
final class Paygate {

    private Paygate() {
    }

    /**
     * Keep-alive connections shared by all virtual users, as an API client's connection pool
     * does; without it every arrival of the open model would open a new TCP connection.
     */
    static HttpProtocolBuilder protocol(LoadSettings settings) {
        return http.baseUrl(settings.baseUrl().toString())
                .acceptHeader("application/json")
                .contentTypeHeader("application/json")
                .userAgentHeader("paygate-load-tests")
                .shareConnections()
                .warmUp(settings.baseUrl() + "/actuator/health");
    }

    /**
     * What a simulation runs when the gateway lacks the endpoints it exercises: one health call,
     * because Gatling refuses to write a report for a run without a single request.
     */
    static ScenarioBuilder skipped(String reason) {
        System.out.println("[skip] " + reason + "; nothing but one health check was sent.");
        return scenario("Skipped: " + reason)
                .exec(http("health (simulation skipped)").get("/actuator/health").check(status().is(200)));
    }

    /** Zero errors: every request answered with a status its check allows (422 included). */
    static Assertion noErrors() {
        return global().failedRequests().count().is(0L);
    }

    /** Adds the bearer token kept in the session under {@code token}, when the gateway issues tokens. */
    static HttpRequestActionBuilder authorised(HttpRequestActionBuilder request, Fixture fixture) {
        return fixture.usesTokens() ? request.header("Authorization", "Bearer #{token}") : request;
    }

    /** {@code POST /transfers} from {@code #{from}} to {@code #{to}}; saves the new id as {@code transferId}. */
    static ChainBuilder transfer(Fixture fixture) {
        return exec(authorised(http("transfer")
                .post("/transfers")
                .body(StringBody(Fixture.transferBody("#{from}", "#{to}")))
                .check(status().in(201, 422))
                .check(jsonPath("$.id").optional().saveAs("transferId")), fixture));
    }

    static ChainBuilder balance(Fixture fixture) {
        return exec(authorised(http("balance")
                .get("/accounts/#{from}/balance")
                .check(status().is(200)), fixture));
    }

    /** The newest page of an account's history, then the page after it when there is one. */
    static ChainBuilder history(Fixture fixture) {
        return exec(authorised(http("history first page")
                        .get("/transactions?account_id=#{from}&limit=20")
                        .check(status().is(200))
                        .check(jsonPath("$.has_more").ofBoolean().saveAs("hasMore"))
                        .check(jsonPath("$.next_cursor").optional().saveAs("cursor")), fixture))
                .doIf(session -> session.contains("hasMore") && session.getBoolean("hasMore")).then(
                        exec(authorised(http("history next page")
                                .get("/transactions?account_id=#{from}&limit=20&cursor=#{cursor}")
                                .check(status().is(200)), fixture)));
    }

    static ChainBuilder transferStatus(Fixture fixture) {
        return exec(authorised(http("transfer status")
                .get("/transfers/#{transferId}/status")
                .check(status().is(200))
                .check(jsonPath("$.status").exists()), fixture));
    }
}
