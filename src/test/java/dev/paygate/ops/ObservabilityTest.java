package dev.paygate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** What an operator watches: health groups, paygate_* metrics, trace ids in errors and the audit log. */
class ObservabilityTest extends EndToEndTest {

    @Test
    void livenessAndReadinessAreUpAndReadinessChecksTheDatabase() {
        client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
        client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void prometheusShowsLedgerOutcomesLatenciesAndThePool() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "5.00", "USD");
        alice.transfer(account, api.newCustomer().openAccount("USD"), "50.00", "USD").expectStatus().isEqualTo(422);

        String metrics = client.mutate().codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024)).build()
                .get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();

        assertThat(metrics)
                .containsPattern("paygate_transactions_total\\{[^}]*outcome=\"applied\"[^}]*type=\"DEPOSIT\"")
                .containsPattern("paygate_transactions_total\\{[^}]*outcome=\"rejected\",reason=\"AM04\",type=\"TRANSFER\"")
                .contains("paygate_ledger_waiting")
                .contains("http_server_requests_seconds_bucket")
                .contains("uri=\"/transfers\"")
                .contains("r2dbc_pool_acquired");
    }

    @Test
    void aProblemCarriesTheTraceIdThatTheAuditLogRecords() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");

        JsonNode problem = alice.post("/accounts/" + account + "/deposit", Map.of("amount", "1.00", "currency", "USD"))
                .expectStatus().isForbidden()
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        String traceId = problem.get("trace_id").asString();
        assertThat(traceId).matches("[0-9a-f]{32}");
        JsonNode audit = api.admin().getJson("/audit-events?actor=" + alice.id() + "&limit=1").get("data").get(0);
        assertThat(audit.get("trace_id").asString()).isEqualTo(traceId);
    }
}
