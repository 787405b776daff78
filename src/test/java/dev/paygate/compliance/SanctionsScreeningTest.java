package dev.paygate.compliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.sandbox.SandboxBank;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** External transfers whose counterparty is on the sanctions list wait ON_HOLD for a reviewer. */
class SanctionsScreeningTest extends EndToEndTest {

    private static final String PATH = "/external-banks/" + SandboxBank.ID + "/transfers";
    private static final String IBAN = "DE89370400440532013000";

    @Test
    void aPayoutToAListedNameIsHeldWithTheMatchAndGoesToTheBankOnlyWhenApproved() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "100.00", "EUR");

        JsonNode payout = alice.post(PATH, transfer(account, "OUTBOUND", "40.00", "Milan Drakovič"))
                .expectStatus().isAccepted().expectBody(JsonNode.class).returnResult().getResponseBody();
        String id = payout.get("id").asString();

        assertThat(payout.get("status").asString()).isEqualTo("ON_HOLD");
        JsonNode alert = onlyAlertOf(id);
        assertThat(alert.get("rule").asString()).isEqualTo("sanctions");
        assertThat(alert.get("action").asString()).isEqualTo("HOLD");
        assertThat(alert.get("details").get("entry_id").asString()).isEqualTo("9001");
        assertThat(alert.get("details").get("listed_name").asString()).isEqualTo("DRAKOVIC, Milan");
        assertThat(alert.get("details").get("screened_name").asString()).isEqualTo("Milan Drakovič");
        JsonNode balance = alice.getJson("/accounts/" + account + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("100.00");
        assertThat(balance.get("held").asString()).isEqualTo("40.00");
        // Held, so the dispatcher leaves it alone: it is still on hold after several dispatch rounds.
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> alice.getJson("/transfers/" + id + "/status").get("status").asString().equals("ON_HOLD"));
        ledger.assertInvariants();

        api.operator().post("/compliance/reviews/" + id + "/approve", Map.of("reason", "name match is a namesake"))
                .expectStatus().isOk();

        alice.awaitStatus(id, "COMPLETED");
        balance = alice.getJson("/accounts/" + account + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("60.00");
        assertThat(balance.get("held").asString()).isEqualTo("0.00");
        ledger.assertInvariants();
    }

    @Test
    void moneyFromAListedNameIsNotCreditedAndARejectionFailsIt() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");

        JsonNode inbound = alice.post(PATH, transfer(account, "INBOUND", "25.00", "Zhelezny Trading Company L.L.C."))
                .expectStatus().isAccepted().expectBody(JsonNode.class).returnResult().getResponseBody();
        String id = inbound.get("id").asString();

        assertThat(inbound.get("status").asString()).isEqualTo("ON_HOLD");
        assertThat(onlyAlertOf(id).get("details").get("entry_id").asString()).isEqualTo("9002");
        api.operator().post("/compliance/reviews/" + id + "/reject", Map.of("reason", "confirmed listed party"))
                .expectStatus().isOk();
        assertThat(alice.getJson("/transfers/" + id + "/status").get("status").asString()).isEqualTo("FAILED");
        assertThat(alice.balance(account)).isEqualTo("0.00");
        ledger.assertInvariants();
    }

    @Test
    void aNameNotOnTheListGoesStraightToTheBank() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "10.00", "EUR");

        JsonNode payout = alice.post(PATH, transfer(account, "OUTBOUND", "5.00", "Jose Martinez"))
                .expectStatus().isAccepted().expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(payout.get("status").asString()).isEqualTo("PENDING");
        alice.awaitStatus(payout.get("id").asString(), "COMPLETED");
        assertThat(api.operator().getJson("/compliance/alerts?rule=sanctions&account_id=" + account)
                .get("data").size()).isZero();
    }

    @Test
    void operatorsSeeTheListAndOnlyAdminsReloadIt() {
        JsonNode status = api.operator().getJson("/compliance/sanctions");
        assertThat(status.get("enabled").asBoolean()).isTrue();
        assertThat(status.get("parties").asInt()).isEqualTo(8);
        assertThat(status.get("names").asInt()).isEqualTo(12);
        assertThat(status.get("source").asString()).contains("sdn-sample.csv", "alt-sample.csv");

        api.operator().post("/compliance/sanctions/reload", Map.of()).expectStatus().isForbidden();
        api.newCustomer().get("/compliance/sanctions").expectStatus().isForbidden();
        JsonNode reloaded = api.admin().post("/compliance/sanctions/reload", Map.of()).expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(reloaded.get("parties").asInt()).isEqualTo(8);
        assertThat(reloaded.get("loaded_at").asString()).isGreaterThan(status.get("loaded_at").asString());
    }

    private JsonNode onlyAlertOf(String transactionId) {
        JsonNode alerts = api.operator().getJson("/compliance/alerts?rule=sanctions&limit=1000");
        JsonNode found = null;
        int count = 0;
        for (JsonNode alert : alerts.get("data")) {
            if (alert.get("transaction_id").asString().equals(transactionId)) {
                found = alert;
                count++;
            }
        }
        assertThat(count).as("sanctions alerts of " + transactionId).isEqualTo(1);
        return found;
    }

    private static Map<String, Object> transfer(UUID account, String direction, String amount, String name) {
        return Map.of("account_id", account.toString(), "direction", direction, "amount", amount, "currency", "EUR",
                "counterparty", Map.of("name", name, "iban", IBAN), "description", "sanctions test");
    }
}
