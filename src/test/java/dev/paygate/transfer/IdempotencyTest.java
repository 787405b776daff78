package dev.paygate.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

class IdempotencyTest extends EndToEndTest {

    @Autowired
    ConnectionFactory connections;

    /**
     * While a request with a key is being applied, its duplicate is told so (409, retry later) and
     * moves nothing; once the first is done the key is free. "Being applied" is made to last by
     * holding the key's lock in an open database transaction, as a slow first request would.
     */
    @Test
    void aDuplicateWhileTheFirstIsStillBeingAppliedIsA409AndMovesNothing() {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        UUID to = api.newCustomer().openAccount("USD");
        api.operator().deposit(from, "10.00", "USD");
        String key = "in-flight-" + UUID.randomUUID();
        Map<String, String> body = Map.of("from_account", from.toString(), "to_account", to.toString(),
                "amount", "1.00", "currency", "USD");
        String before = ledger.snapshot();

        Connection first = Mono.from(connections.create()).block();
        try {
            Mono.from(first.beginTransaction()).block();
            Flux.from(first.createStatement("SELECT pg_advisory_xact_lock(7340, hashtext($1 || chr(31) || $2)) AS locked")
                            .bind("$1", alice.id()).bind("$2", key).execute())
                    .flatMap(result -> result.map((row, metadata) -> 1)).blockLast();

            alice.post("/transfers", body, key)
                    .expectStatus().isEqualTo(409)
                    .expectHeader().exists("Retry-After")
                    .expectBody().jsonPath("$.type").isEqualTo("https://paygate.dev/problems/idempotency-request-in-flight")
                    .jsonPath("$.reason_code").isEqualTo("DUPL");
            assertThat(ledger.snapshot()).isEqualTo(before);
        } finally {
            Mono.from(first.rollbackTransaction()).then(Mono.from(first.close())).block();
        }

        alice.post("/transfers", body, key).expectStatus().isCreated();
        assertThat(api.admin().balance(to)).isEqualTo("1.00");
    }

    @Test
    void theSameKeyAndBodyReplaysTheFirstResponse() {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        UUID to = api.newCustomer().openAccount("USD");
        api.operator().deposit(from, "10.00", "USD");
        Map<String, Object> body = Map.of("from_account", from.toString(), "to_account", to.toString(),
                "amount", "4.00", "currency", "USD");

        JsonNode first = alice.post("/transfers", body, "pay-1")
                .expectStatus().isCreated()
                .expectHeader().doesNotExist("Idempotent-Replayed")
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode again = alice.post("/transfers", Map.of("from_account", from.toString(), "to_account", to.toString(),
                        "amount", 4, "currency", "USD"), "pay-1")
                .expectStatus().isCreated()
                .expectHeader().valueEquals("Idempotent-Replayed", "true")
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(again).isEqualTo(first);
        assertThat(alice.balance(from)).isEqualTo("6.00");
    }

    @Test
    void aReplayedRefusalIsTheSameRefusal() {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        UUID to = api.newCustomer().openAccount("USD");
        Map<String, Object> body = Map.of("from_account", from.toString(), "to_account", to.toString(),
                "amount", "4.00", "currency", "USD");

        JsonNode first = alice.post("/transfers", body, "broke-1").expectStatus().isEqualTo(422)
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        api.operator().deposit(from, "10.00", "USD");
        JsonNode again = alice.post("/transfers", body, "broke-1").expectStatus().isEqualTo(422)
                .expectHeader().valueEquals("Idempotent-Replayed", "true")
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        // The same refusal; only the trace id is the retry's own.
        ((tools.jackson.databind.node.ObjectNode) first).remove("trace_id");
        ((tools.jackson.databind.node.ObjectNode) again).remove("trace_id");
        assertThat(again).isEqualTo(first);
        assertThat(alice.balance(from)).isEqualTo("10.00");
    }

    @Test
    void theSameKeyWithAnotherBodyIsRefused() {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        UUID to = api.newCustomer().openAccount("USD");
        api.operator().deposit(from, "10.00", "USD");
        alice.post("/transfers", Map.of("from_account", from.toString(), "to_account", to.toString(),
                "amount", "1.00", "currency", "USD"), "k").expectStatus().isCreated();

        alice.post("/transfers", Map.of("from_account", from.toString(), "to_account", to.toString(),
                        "amount", "2.00", "currency", "USD"), "k")
                .expectStatus().isEqualTo(422)
                .expectBody()
                .jsonPath("$.type").value(type -> assertThat((String) type).endsWith("/idempotency-key-reused"))
                .jsonPath("$.reason_code").isEqualTo("DUPL");

        assertThat(alice.balance(from)).isEqualTo("9.00");
    }

    @Test
    void keysAreScopedToTheCaller() {
        User alice = api.newCustomer();
        User bob = api.newCustomer();
        UUID aliceAccount = alice.openAccount("USD");
        UUID bobAccount = bob.openAccount("USD");
        api.operator().deposit(aliceAccount, "10.00", "USD");
        api.operator().deposit(bobAccount, "10.00", "USD");

        alice.post("/transfers", Map.of("from_account", aliceAccount.toString(), "to_account", bobAccount.toString(),
                "amount", "1.00", "currency", "USD"), "shared-key").expectStatus().isCreated();
        bob.post("/transfers", Map.of("from_account", bobAccount.toString(), "to_account", aliceAccount.toString(),
                        "amount", "3.00", "currency", "USD"), "shared-key")
                .expectStatus().isCreated()
                .expectHeader().doesNotExist("Idempotent-Replayed");

        assertThat(alice.balance(aliceAccount)).isEqualTo("12.00");
    }

    @Test
    void depositsAndWithdrawalsAreIdempotentToo() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        for (int i = 0; i < 3; i++) {
            api.operator().post("/accounts/" + account + "/deposit", Map.of("amount", "5.00", "currency", "EUR"), "dep-1")
                    .expectStatus().isCreated();
            alice.post("/accounts/" + account + "/withdraw", Map.of("amount", "2.00", "currency", "EUR"), "wd-1")
                    .expectStatus().isCreated();
        }

        assertThat(alice.balance(account)).isEqualTo("3.00");
        ledger.assertInvariants();
    }

    @Test
    void twentyConcurrentRequestsWithOneKeyMoveMoneyOnce() {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        UUID to = api.newCustomer().openAccount("USD");
        api.operator().deposit(from, "100.00", "USD");
        Map<String, Object> body = Map.of("from_account", from.toString(), "to_account", to.toString(),
                "amount", "7.00", "currency", "USD");
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        Map<String, Boolean> transferIds = new ConcurrentHashMap<>();

        Flux.range(0, 20)
                .parallel(20).runOn(Schedulers.boundedElastic())
                .doOnNext(i -> alice.client().post().uri("/transfers").contentType(MediaType.APPLICATION_JSON)
                        .header("Idempotency-Key", "race-1").bodyValue(body).exchange()
                        .expectBody(JsonNode.class)
                        .consumeWith(result -> {
                            statuses.merge(result.getStatus().value(), 1, Integer::sum);
                            if (result.getStatus().value() == 201) {
                                transferIds.put(result.getResponseBody().get("id").asString(), true);
                            }
                        }))
                .sequential().blockLast();

        assertThat(statuses.keySet()).isSubsetOf(List.of(201, 409));
        assertThat(statuses.get(201)).isPositive();
        assertThat(transferIds).hasSize(1);
        assertThat(alice.balance(from)).isEqualTo("93.00");
        ledger.assertInvariants();
    }

    @Test
    void aKeyMustBePrintableAndAtMost255Characters() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "5.00", "USD");
        String before = ledger.snapshot();

        for (String bad : List.of("", "x".repeat(256), "tab\tkey")) {
            alice.client().post().uri("/accounts/" + account + "/withdraw").contentType(MediaType.APPLICATION_JSON)
                    .header("Idempotency-Key", bad).bodyValue(Map.of("amount", "1.00", "currency", "USD"))
                    .exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.errors['Idempotency-Key']").exists();
        }

        assertThat(ledger.snapshot()).isEqualTo(before);
    }
}
