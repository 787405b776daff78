package dev.paygate.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.sandbox.SandboxBank;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

/** Payouts and inbound transfers through real HTTP to the sandbox bank. */
class BankTransfersTest extends EndToEndTest {

    static final String IBAN = "DE89370400440532013000";
    static final String PATH = "/external-banks/" + SandboxBank.ID + "/transfers";
    private static final Duration STREAM_WAIT = Duration.ofSeconds(30);

    @Test
    void aPayoutHoldsThenMovesTheMoneyToTheBank() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "100.00", "EUR");

        JsonNode payout = alice.post("/external-banks/" + SandboxBank.ID + "/transfers", payout(account, "OUTBOUND", "25.00"))
                .expectStatus().isAccepted()
                .expectHeader().valueMatches("Location", "/transfers/[0-9a-f-]{36}")
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(payout.get("status").asString()).isEqualTo("PENDING");
        assertThat(payout.get("type").asString()).isEqualTo("EXTERNAL_OUTBOUND");
        assertThat(payout.get("bank_id").asString()).isEqualTo(SandboxBank.ID.toString());
        assertThat(payout.get("counterparty").get("iban").asString()).isEqualTo(IBAN);
        alice.awaitStatus(payout.get("id").asString(), "COMPLETED");
        JsonNode balance = alice.getJson("/accounts/" + account + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("75.00");
        assertThat(balance.get("held").asString()).isEqualTo("0.00");
        ledger.assertInvariants();
    }

    @Test
    void moneyFromABankIsCreditedWhenTheBankExecutesIt() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");

        JsonNode inbound = alice.post("/external-banks/" + SandboxBank.ID + "/transfers", payout(account, "INBOUND", "40.10"))
                .expectStatus().isAccepted().expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(inbound.get("type").asString()).isEqualTo("EXTERNAL_INBOUND");
        alice.awaitStatus(inbound.get("id").asString(), "COMPLETED");
        assertThat(alice.balance(account)).isEqualTo("40.10");
        ledger.assertInvariants();
    }

    @Test
    void aPayoutBeyondTheAvailableBalanceIsRefusedAndHoldsNothing() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "10.00", "EUR");

        alice.post("/external-banks/" + SandboxBank.ID + "/transfers", payout(account, "OUTBOUND", "10.01"))
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.reason_code").isEqualTo("AM04");

        assertThat(alice.getJson("/accounts/" + account + "/balance").get("held").asString()).isEqualTo("0.00");
    }

    @Test
    void badTransfersAreRefusedAndChangeNothing() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        UUID someoneElses = api.newCustomer().openAccount("EUR");
        api.operator().deposit(account, "10.00", "EUR");
        String before = ledger.snapshot();
        String path = "/external-banks/" + SandboxBank.ID + "/transfers";

        alice.post(path, Map.of("account_id", account.toString(), "direction", "OUTBOUND", "amount", "1.00",
                        "currency", "EUR", "counterparty", Map.of("name", "Jane", "iban", "DE89370400440532013001")))
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors['counterparty.iban']").exists();
        alice.post(path, Map.of("account_id", account.toString(), "direction", "SIDEWAYS", "amount", "1.00",
                        "currency", "EUR", "counterparty", Map.of("name", "Jane", "iban", IBAN)))
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors.direction").exists();
        alice.post(path, Map.of("account_id", account.toString(), "direction", "OUTBOUND", "amount", "1.00",
                        "currency", "EUR", "counterparty", Map.of("name", "Jane")))
                .expectStatus().isBadRequest();
        alice.post(path, payout(someoneElses, "OUTBOUND", "1.00")).expectStatus().isNotFound();
        alice.post("/external-banks/" + UUID.randomUUID() + "/transfers", payout(account, "OUTBOUND", "1.00"))
                .expectStatus().isNotFound().expectBody().jsonPath("$.type").isEqualTo("https://paygate.dev/problems/bank-not-found");

        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    @Test
    void aPayoutIsIdempotent() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "100.00", "EUR");
        String path = "/external-banks/" + SandboxBank.ID + "/transfers";

        JsonNode first = alice.post(path, payout(account, "OUTBOUND", "30.00"), "payout-1")
                .expectStatus().isAccepted().expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode again = alice.post(path, payout(account, "OUTBOUND", "30.00"), "payout-1")
                .expectStatus().isAccepted().expectHeader().valueEquals("Idempotent-Replayed", "true")
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(again.get("id")).isEqualTo(first.get("id"));
        alice.awaitStatus(first.get("id").asString(), "COMPLETED");
        assertThat(alice.balance(account)).isEqualTo("70.00");
    }

    @Test
    void aPayoutsStreamShowsEachStateInOrderAndEndsWhenItSettles() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "100.00", "EUR");
        String id = alice.post(PATH, payout(account, "OUTBOUND", "12.00")).expectStatus().isAccepted()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();

        // Live from just after the 202: what is current first, then each change; it ends when settled.
        List<String> live = statuses(alice.events("/transfers/" + id + "/events", null, STREAM_WAIT));
        // From the beginning, as a client reconnecting with Last-Event-ID gets it.
        List<String> replayed = statuses(alice.events("/transfers/" + id + "/events", "0", STREAM_WAIT));

        assertThat(replayed).containsExactly("PENDING", "PROCESSING", "COMPLETED");
        assertThat(live).doesNotHaveDuplicates().endsWith("COMPLETED");
        assertThat(replayed).containsSubsequence(live);
    }

    @Test
    void aPayoutHeldForReviewGoesToTheBankOnlyOnceApproved() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "20000.00", "EUR");
        // A first payout of 5,000.00 or more to a new counterparty is held for review (rule new-counterparty).
        JsonNode held = alice.post(PATH, payout(account, "OUTBOUND", "6000.00")).expectStatus().isAccepted()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        String id = held.get("id").asString();
        assertThat(held.get("status").asString()).isEqualTo("ON_HOLD");
        assertThat(alice.getJson("/accounts/" + account + "/balance").get("held").asString()).isEqualTo("6000.00");
        assertThat(bankSide(id)).isZero();

        api.operator().post("/compliance/reviews/" + id + "/approve", Map.of("reason", "invoice seen"))
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("PENDING");

        alice.awaitStatus(id, "COMPLETED");
        assertThat(bankSide(id)).isEqualTo(1);
        JsonNode balance = alice.getJson("/accounts/" + account + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("14000.00");
        assertThat(balance.get("held").asString()).isEqualTo("0.00");
        ledger.assertInvariants();
    }

    @Test
    void aRejectedPayoutNeverReachesTheBankAndReleasesItsHold() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "20000.00", "EUR");
        String id = alice.post(PATH, payout(account, "OUTBOUND", "7000.00")).expectStatus().isAccepted()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();

        api.operator().post("/compliance/reviews/" + id + "/reject", Map.of("reason", "unknown beneficiary"))
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("FAILED");

        JsonNode balance = alice.getJson("/accounts/" + account + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("20000.00");
        assertThat(balance.get("held").asString()).isEqualTo("0.00");
        assertThat(bankSide(id)).isZero();
        ledger.assertInvariants();
    }

    @Test
    void theRegistryNeverShowsCredentialsAndOnlyAdminsRegister() {
        JsonNode banks = api.newCustomer().getJson("/external-banks");
        assertThat(banks.get("data").toString()).contains(SandboxBank.ID.toString()).doesNotContain("secret", "credentials");
        api.newCustomer().post("/external-banks", Map.of("name", "Mine", "api_url", "https://bank.example",
                "auth_method", "HMAC", "credentials", Map.of("key_id", "k", "secret", "s"))).expectStatus().isForbidden();

        JsonNode made = api.admin().post("/external-banks", Map.of("name", "Bank " + UUID.randomUUID(),
                        "api_url", "https://bank.example/api", "auth_method", "OAUTH2",
                        "credentials", Map.of("client_id", "paygate", "client_secret", "very-secret")))
                .expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(made.toString()).doesNotContain("very-secret");
        assertThat(made.get("protocol").asString()).as("the default protocol").isEqualTo("paygate-bank-api-v1");
        String stored = db.sql("SELECT credentials FROM external_banks WHERE id = :id")
                .bind("id", UUID.fromString(made.get("id").asString()))
                .map(row -> row.get("credentials", String.class)).one().block();
        assertThat(stored).doesNotContain("very-secret", "client_id");
    }

    @Test
    void badRegistrationsAndReconciliationsAreRefusedClearly() {
        User admin = api.admin();
        String name = "Bank " + UUID.randomUUID();
        Map<String, Object> bank = Map.of("name", name, "api_url", "https://bank.example/api", "auth_method", "HMAC",
                "credentials", Map.of("key_id", "k", "secret", "s"));
        admin.post("/external-banks", bank).expectStatus().isCreated();
        long banksBefore = banks();

        admin.post("/external-banks", bank).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("https://paygate.dev/problems/bank-name-taken");
        for (String url : List.of("http://h/a|b", "ftp://bank.example", "https://user:pw@bank.example", "bank.example")) {
            admin.post("/external-banks", Map.of("name", "Other " + UUID.randomUUID(), "api_url", url,
                            "auth_method", "HMAC", "credentials", Map.of("key_id", "k", "secret", "s")))
                    .expectStatus().isBadRequest().expectBody().jsonPath("$.errors.api_url").exists();
        }
        admin.post("/external-banks", Map.of("name", "No secret", "api_url", "https://bank.example",
                "auth_method", "HMAC", "credentials", Map.of("key_id", "k"))).expectStatus().isBadRequest();
        admin.post("/external-banks", Map.of("name", "Odd protocol", "api_url", "https://bank.example",
                        "protocol", "swift-mt103", "auth_method", "HMAC", "credentials", Map.of("key_id", "k", "secret", "s")))
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors.protocol").exists();
        assertThat(banks()).isEqualTo(banksBefore);

        String reconciliation = "/external-banks/" + SandboxBank.ID + "/reconciliation?date=";
        for (String date : List.of("", "yesterday", "1999-12-31", "+999999999-12-31", "2999-01-01")) {
            api.operator().get(reconciliation + date).expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.errors.date").exists();
        }
    }

    @Test
    void aBankThatCannotBeReachedIsA502ForReconciliation() {
        // Nothing listens on port 9 of this machine: the connection is refused at once.
        String id = api.admin().post("/external-banks", Map.of("name", "Unreachable " + UUID.randomUUID(),
                        "api_url", "http://127.0.0.1:9/bank", "auth_method", "HMAC",
                        "credentials", Map.of("key_id", "k", "secret", "s")))
                .expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();

        api.operator().get("/external-banks/" + id + "/reconciliation?date=" + java.time.LocalDate.now(java.time.ZoneOffset.UTC))
                .expectStatus().isEqualTo(502)
                .expectHeader().contentType("application/problem+json")
                .expectBody().jsonPath("$.type").isEqualTo("https://paygate.dev/problems/bank-unavailable");
    }

    private long banks() {
        return db.sql("SELECT count(*) AS n FROM external_banks").map(row -> row.get("n", Long.class)).one().block();
    }

    /** How many payments the sandbox bank holds for this payment id (its idempotency key). */
    private long bankSide(String paymentId) {
        return db.sql("SELECT count(*) AS n FROM sandbox_payments WHERE payment_id = :id")
                .bind("id", UUID.fromString(paymentId)).map(row -> row.get("n", Long.class)).one().block();
    }

    private static List<String> statuses(Flux<ServerSentEvent<JsonNode>> stream) {
        return stream.filter(event -> event.data() != null)
                .map(event -> event.data().get("data").get("status").asString())
                .collectList().block(STREAM_WAIT);
    }

    static Map<String, Object> payout(UUID account, String direction, String amount) {
        return Map.of("account_id", account.toString(), "direction", direction, "amount", amount, "currency", "EUR",
                "counterparty", Map.of("name", "Jane Doe", "iban", IBAN), "description", "test");
    }
}
