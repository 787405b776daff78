package dev.paygate.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.bank.ExternalBanks.AuthMethod;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.SandboxBanks;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

/**
 * A misbehaving bank: every transfer still ends COMPLETED or FAILED within the deadline, the bank
 * executed each completed one exactly once and no failed one, holds return to zero, money is
 * conserved, and reconciliation finds nothing to report. Each test has a sandbox bank of its own.
 */
class BankFaultsTest extends EndToEndTest {

    private static final int PAYOUTS = 200;

    @Autowired
    BankRegistry registry;

    @LocalServerPort
    int port;

    private SandboxBanks banks;

    @BeforeEach
    void sandboxBanks() {
        banks = new SandboxBanks(registry, db, port);
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("error_rate", 0.3),
                Arguments.of("timeout_rate", 0.3),
                Arguments.of("execute_then_timeout_rate", 0.3),
                Arguments.of("refuse_rate", 0.3));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("faults")
    void concurrentPayoutsAllSettleExactlyOnceUnderFaults(String knob, double rate) {
        UUID bank = banks.register(AuthMethod.HMAC);
        api.admin().put("/external-banks/" + bank + "/sandbox-faults", Map.of(knob, rate, "seed", 7, "latency_ms", 20))
                .expectStatus().isOk()
                .expectBody().jsonPath("$." + knob).isEqualTo(rate).jsonPath("$.seed").isEqualTo(7);
        api.admin().get("/external-banks/" + bank + "/sandbox-faults").expectStatus().isOk()
                .expectBody().jsonPath("$." + knob).isEqualTo(rate).jsonPath("$.latency_ms").isEqualTo(20);
        User alice = api.newCustomer();
        List<UUID> accounts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            UUID account = alice.openAccount("EUR");
            api.operator().deposit(account, "10000.00", "EUR");
            accounts.add(account);
        }

        List<String> ids = Flux.range(0, PAYOUTS).parallel(16).runOn(Schedulers.boundedElastic())
                .map(i -> alice.client().post().uri("/external-banks/" + bank + "/transfers")
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(BankTransfersTest.payout(accounts.get(i % 4), i % 3 == 0 ? "INBOUND" : "OUTBOUND",
                                (1 + i) + ".00"))
                        .exchange().expectStatus().isAccepted()
                        .expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString())
                .sequential().collectList().block();

        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> banks.unsettled(bank) == 0);
        Map<String, String> ours = banks.statuses(bank);
        Map<String, String> theirs = banks.bankSide(bank);
        for (String id : ids) {
            assertThat(ours.get(id)).as("transfer %s", id).isIn("COMPLETED", "FAILED");
            if (ours.get(id).equals("COMPLETED")) {
                assertThat(theirs.get(id)).as("bank side of completed %s", id).isEqualTo("EXECUTED");
            } else {
                assertThat(theirs.get(id)).as("bank side of failed %s", id).isNotEqualTo("EXECUTED");
            }
        }
        assertThat(ours.values()).contains("COMPLETED");
        ledger.assertInvariants();
        // The bank's circuit may still be open from the faults: reconciliation is 502 until it closes.
        String reconciliation = "/external-banks/" + bank + "/reconciliation?date=" + LocalDate.now(ZoneOffset.UTC);
        JsonNode report = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    var answer = api.operator().get(reconciliation).returnResult(JsonNode.class);
                    return answer.getStatus().value() == 200 ? answer.getResponseBody().blockFirst() : null;
                }, java.util.Objects::nonNull);
        assertThat(report.get("mismatches")).as(report.toString()).isEmpty();
        assertThat(report.get("transfers").asInt()).isEqualTo(PAYOUTS);
    }

    @Test
    void theCircuitOpensUnderFailuresTransfersWaitAndItClosesAfter() {
        UUID bank = banks.register(AuthMethod.HMAC);
        api.admin().put("/external-banks/" + bank + "/sandbox-faults", Map.of("error_rate", 1.0)).expectStatus().isOk();
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "1000.00", "EUR");
        for (int i = 0; i < 12; i++) {
            alice.post("/external-banks/" + bank + "/transfers", BankTransfersTest.payout(account, "OUTBOUND", "1.00"))
                    .expectStatus().isAccepted();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> health(bank).get("circuit_state").asString().equals("OPEN"));

        String waiting = alice.post("/external-banks/" + bank + "/transfers",
                        BankTransfersTest.payout(account, "OUTBOUND", "2.00"))
                .expectStatus().isAccepted().expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();
        assertThat(alice.getJson("/transfers/" + waiting + "/status").get("status").asString()).isEqualTo("PENDING");
        assertThat(health(bank).get("pending_transfers").asInt()).isPositive();
        String circuitEvents = db.sql("SELECT count(*)::text AS n FROM outbox WHERE type = 'paygate.bank.circuit_changed' "
                        + "AND partition_key = :bank").bind("bank", bank.toString())
                .map(row -> row.get("n", String.class)).one().block();
        assertThat(Integer.parseInt(circuitEvents)).isPositive();

        api.admin().put("/external-banks/" + bank + "/sandbox-faults", Map.of("error_rate", 0.0)).expectStatus().isOk();
        alice.awaitStatus(waiting, "COMPLETED");
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> health(bank).get("circuit_state").asString().equals("CLOSED"));
        Awaitility.await().atMost(Duration.ofSeconds(40)).until(() -> banks.unsettled(bank) == 0);
        ledger.assertInvariants();
    }

    /**
     * A bank that takes every call and never answers: past the deadline the payout keeps its money
     * held (the bank may have paid), and only after the unanswered-hold period does it fail.
     */
    @Test
    void aPayoutTheBankNeverAnswersKeepsItsMoneyHeldPastTheDeadlineThenFails() {
        UUID bank = banks.register(AuthMethod.HMAC);
        api.admin().put("/external-banks/" + bank + "/sandbox-faults", Map.of("timeout_rate", 1.0)).expectStatus().isOk();
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "50.00", "EUR");
        String id = alice.post("/external-banks/" + bank + "/transfers", BankTransfersTest.payout(account, "OUTBOUND", "5.00"))
                .expectStatus().isAccepted().expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();

        // Test settings: deadline 20 s from the first dispatch, then 5 s more of holding.
        Awaitility.await().pollDelay(Duration.ofSeconds(21)).atMost(Duration.ofSeconds(24)).until(() -> true);
        assertThat(alice.getJson("/transfers/" + id + "/status").get("status").asString()).isEqualTo("PROCESSING");
        assertThat(alice.getJson("/accounts/" + account + "/balance").get("held").asString()).isEqualTo("5.00");

        alice.awaitStatus(id, "FAILED");
        assertThat(alice.getJson("/accounts/" + account + "/balance").get("held").asString()).isEqualTo("0.00");
        assertThat(banks.bankSide(bank).get(id)).isNotEqualTo("EXECUTED");
        ledger.assertInvariants();
    }

    @Test
    void aBankThatAuthenticatesWithOAuth2Works() {
        UUID bank = banks.register(AuthMethod.OAUTH2);
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "50.00", "EUR");

        String id = alice.post("/external-banks/" + bank + "/transfers", BankTransfersTest.payout(account, "OUTBOUND", "5.00"))
                .expectStatus().isAccepted().expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();

        alice.awaitStatus(id, "COMPLETED");
    }

    @Test
    void theSandboxRefusesUnauthenticatedSignedWronglyAndReplayedCalls() {
        UUID bank = banks.register(AuthMethod.HMAC);
        String path = "/sandbox/banks/" + bank + "/payments/" + UUID.randomUUID();
        Map<String, String> credentials = registry.credentials(bank).block();
        String timestamp = Long.toString(System.currentTimeMillis() / 1000);
        String nonce = UUID.randomUUID().toString();
        String signature = BankSignatures.sign(credentials.get("secret"),
                BankProtocol.signedText("GET", path, timestamp, nonce, ""));

        client.get().uri(path).exchange().expectStatus().isUnauthorized();
        signed(path, credentials.get("key_id"), timestamp, nonce, "0".repeat(64)).expectStatus().isUnauthorized();
        signed(path, credentials.get("key_id"), "1000000000", nonce, signature).expectStatus().isUnauthorized();
        signed(path, credentials.get("key_id"), timestamp, nonce, signature).expectStatus().isNotFound();
        signed(path, credentials.get("key_id"), timestamp, nonce, signature).expectStatus().isUnauthorized();
    }

    @Test
    void theSandboxAnswersAMalformedOrderWith400AndExecutesNothing() {
        UUID bank = banks.register(AuthMethod.HMAC);
        Map<String, String> credentials = registry.credentials(bank).block();
        String path = "/sandbox/banks/" + bank + "/payments";
        for (String body : List.of("{", "[]", "{\"payment_id\":null}",
                "{\"payment_id\":\"" + UUID.randomUUID() + "\",\"direction\":\"SIDEWAYS\",\"amount\":\"1\",\"currency\":\"EUR\"}")) {
            String timestamp = Long.toString(System.currentTimeMillis() / 1000);
            String nonce = UUID.randomUUID().toString();
            client.post().uri(path).contentType(MediaType.APPLICATION_JSON)
                    .header(BankProtocol.KEY_ID_HEADER, credentials.get("key_id"))
                    .header(BankProtocol.TIMESTAMP_HEADER, timestamp).header(BankProtocol.NONCE_HEADER, nonce)
                    .header(BankProtocol.SIGNATURE_HEADER, BankSignatures.sign(credentials.get("secret"),
                            BankProtocol.signedText("POST", path, timestamp, nonce, body)))
                    .bodyValue(body).exchange()
                    .expectStatus().isBadRequest();
        }
        assertThat(banks.bankSide(bank)).isEmpty();
    }

    @Test
    void badFaultKnobsAreRefusedAndChangeNothing() {
        UUID bank = banks.register(AuthMethod.HMAC);
        String path = "/external-banks/" + bank + "/sandbox-faults";

        api.admin().put(path, Map.of("error_rate", 1.5)).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors.error_rate").exists();
        api.admin().put(path, Map.of("error_rate", 0.6, "timeout_rate", 0.6)).expectStatus().isBadRequest();
        api.admin().put(path, Map.of("latency_ms", -1)).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors.latency_ms").exists();
        api.admin().put(path, Map.of("error_rate", "lots")).expectStatus().isBadRequest();
        api.admin().put(path, Map.of("surprise", 1)).expectStatus().isBadRequest();
        api.newCustomer().put(path, Map.of("error_rate", 0.1)).expectStatus().isForbidden();
        api.operator().put(path, Map.of("error_rate", 0.1)).expectStatus().isForbidden();
        api.admin().put("/external-banks/" + UUID.randomUUID() + "/sandbox-faults", Map.of()).expectStatus().isNotFound();

        api.admin().get(path).expectStatus().isOk().expectBody()
                .jsonPath("$.error_rate").value(rate -> assertThat(((Number) rate).doubleValue()).isZero())
                .jsonPath("$.latency_ms").isEqualTo(0);
    }

    /** docs/bank-api.yaml is the protocol the sandbox speaks: each of its operations is served, and guarded. */
    @Test
    void theSandboxServesEveryOperationOfTheBankProtocol() throws java.io.IOException {
        Map<String, Object> document = new org.yaml.snakeyaml.Yaml().load(
                java.nio.file.Files.readString(java.nio.file.Path.of("docs/bank-api.yaml")));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) document.get("paths");
        UUID bank = banks.register(AuthMethod.HMAC);
        List<String> operations = new ArrayList<>();
        paths.forEach((template, item) -> item.keySet().stream().filter(method -> method.matches("get|post")).forEach(method -> {
            String path = "/sandbox/banks/" + bank + template.replace("{payment_id}", UUID.randomUUID().toString())
                    .replace("{date}", LocalDate.now(ZoneOffset.UTC).toString());
            operations.add(method + " " + template);
            var request = client.method(org.springframework.http.HttpMethod.valueOf(method.toUpperCase())).uri(path);
            if (template.equals("/oauth/token")) {
                request.contentType(MediaType.APPLICATION_FORM_URLENCODED)
                        .bodyValue("grant_type=client_credentials&client_id=x&client_secret=y");
            } else if (method.equals("post")) {
                request.contentType(MediaType.APPLICATION_JSON).bodyValue("{}");
            }
            int status = request.exchange().returnResult(String.class).getStatus().value();
            // Served (not 404) and refusing a caller without the bank's credentials.
            assertThat(status).as("%s %s", method, template).isEqualTo(401);
        }));
        assertThat(operations).containsExactlyInAnyOrder("post /payments", "get /payments/{payment_id}",
                "post /payments/{payment_id}/cancel", "get /statements/{date}", "post /oauth/token");
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec signed(
            String path, String keyId, String timestamp, String nonce, String signature) {
        return client.get().uri(path)
                .header(BankProtocol.KEY_ID_HEADER, keyId).header(BankProtocol.TIMESTAMP_HEADER, timestamp)
                .header(BankProtocol.NONCE_HEADER, nonce).header(BankProtocol.SIGNATURE_HEADER, signature)
                .exchange();
    }

    private JsonNode health(UUID bank) {
        return api.operator().getJson("/external-banks/" + bank + "/health");
    }
}
