package dev.paygate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.sandbox.SandboxBank;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
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
    void prometheusShowsEventsStreamsAndBankCircuits() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "5.00", "EUR");
        String payout = alice.post("/external-banks/" + SandboxBank.ID + "/transfers", Map.of("account_id", account.toString(),
                        "direction", "OUTBOUND", "amount", "1.00", "currency", "EUR",
                        "counterparty", Map.of("name", "Jane Doe", "iban", "DE89370400440532013000")))
                .expectStatus().isAccepted().expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                alice.getJson("/transfers/" + payout + "/status").get("status").asString().equals("COMPLETED"));

        Disposable stream = alice.events("/accounts/" + account + "/events", null, Duration.ofSeconds(30)).subscribe();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gauge(metrics(), "paygate_sse_subscribers") >= 1);
            String metrics = metrics();
            assertThat(gauge(metrics, "paygate_events_published_total")).isPositive();
            assertThat(metrics).contains("paygate_outbox_lag_seconds", "paygate_bank_dispatch_backlog",
                            "paygate_bank_dispatch_overdue")
                    .containsPattern("paygate_events_publish_seconds_count\\{[^}]*messaging_destination_name=\"paygate.transactions.v1\"")
                    .containsPattern("paygate_bank_circuit_state\\{bank=\"" + SandboxBank.ID + "\"[^}]*} 0");
        } finally {
            stream.dispose();
        }
    }

    private String metrics() {
        return client.mutate().codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024)).build()
                .get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
    }

    /** The value of a metric without labels, or the sum over its labelled series. */
    private static double gauge(String metrics, String name) {
        return metrics.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
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
