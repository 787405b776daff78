package dev.paygate.compliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

/** A transfer held for review keeps its money held until an operator decides, and is decided once. */
class ReviewsTest extends EndToEndTest {

    private User alice;
    private UUID from;
    private UUID to;

    @BeforeEach
    void heldTransfer() {
        alice = api.newCustomer();
        from = alice.openAccount("USD");
        to = api.newCustomer().openAccount("USD");
        api.operator().deposit(from, "40000.00", "USD");
        alice.transfer(from, to, "9600.00", "USD").expectStatus().isCreated();
        alice.transfer(from, to, "9700.00", "USD").expectStatus().isCreated();
    }

    @Test
    void anApprovedTransferCompletesWithItsHeldMoney() {
        String held = holdOne();

        JsonNode approved = api.operator().post("/compliance/reviews/" + held + "/approve", Map.of("reason", "documented invoice"))
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(approved.get("status").asString()).isEqualTo("COMPLETED");
        JsonNode balance = alice.getJson("/accounts/" + from + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("10900.00");
        assertThat(balance.get("held").asString()).isEqualTo("0.00");
        assertThat(alert(held).get("status").asString()).isEqualTo("APPROVED");
        assertThat(alert(held).get("resolved_by").asString()).isEqualTo("operator-1");
        ledger.assertInvariants();
    }

    @Test
    void aRejectedTransferFailsAndReleasesItsHold() {
        String held = holdOne();

        api.operator().post("/compliance/reviews/" + held + "/reject", Map.of()).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors.reason").exists();
        JsonNode rejected = api.operator().post("/compliance/reviews/" + held + "/reject", Map.of("reason", "no source of funds"))
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(rejected.get("status").asString()).isEqualTo("FAILED");
        assertThat(rejected.get("failure_reason").asString()).isEqualTo("AG01");
        JsonNode balance = alice.getJson("/accounts/" + from + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("20700.00");
        assertThat(balance.get("held").asString()).isEqualTo("0.00");
        assertThat(alert(held).get("status").asString()).isEqualTo("REJECTED");
        ledger.assertInvariants();
    }

    @Test
    void concurrentApproveAndRejectSettleItOnce() {
        String held = holdOne();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();

        Flux.range(0, 10).parallel(10).runOn(Schedulers.boundedElastic())
                .doOnNext(i -> statuses.merge(api.operator()
                        .post("/compliance/reviews/" + held + (i % 2 == 0 ? "/approve" : "/reject"), Map.of("reason", "race"))
                        .returnResult(String.class).getStatus().value(), 1, Integer::sum))
                .sequential().blockLast();

        assertThat(statuses.get(200)).isEqualTo(1);
        assertThat(statuses.get(409)).isEqualTo(9);
        assertThat(alice.getJson("/accounts/" + from + "/balance").get("held").asString()).isEqualTo("0.00");
        ledger.assertInvariants();
    }

    @Test
    void decidingATransferThatIsNotHeldIsAConflictAndChangesNothing() {
        String completed = alice.transfer(from, to, "1.00", "USD").expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();
        String before = ledger.snapshot();

        api.operator().post("/compliance/reviews/" + completed + "/approve", Map.of()).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("https://paygate.dev/problems/review-not-pending");
        api.operator().post("/compliance/reviews/" + UUID.randomUUID() + "/approve", Map.of()).expectStatus().isNotFound();
        alice.post("/compliance/reviews/" + completed + "/approve", Map.of()).expectStatus().isForbidden();

        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    private String holdOne() {
        JsonNode held = alice.transfer(from, to, "9800.00", "USD").expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(held.get("status").asString()).isEqualTo("ON_HOLD");
        return held.get("id").asString();
    }

    private JsonNode alert(String transactionId) {
        for (JsonNode alert : api.operator().getJson("/compliance/alerts?limit=1000").get("data")) {
            if (alert.get("transaction_id").asString().equals(transactionId)) {
                return alert;
            }
        }
        throw new AssertionError("no alert for " + transactionId);
    }

}
