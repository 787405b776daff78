package dev.paygate.compliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.common.Actor;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.Ids;
import dev.paygate.common.Money;
import dev.paygate.ledger.Ledger;
import dev.paygate.ledger.LedgerCommand;
import dev.paygate.ledger.LedgerOutcome;
import dev.paygate.ledger.TransactionStatus;
import dev.paygate.ledger.TransactionType;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Each AML rule fires at its boundary and not below it; a HOLD rule parks the money, an ALERT rule lets it go. */
class AmlRulesTest extends EndToEndTest {

    @Autowired
    Ledger ledgerService;

    @AfterEach
    void removeTestRules() {
        db.sql("DELETE FROM aml_rules WHERE id LIKE 'test-%'").fetch().rowsUpdated().block();
    }

    @Test
    void aLargeAmountRaisesAnAlertAtTheThresholdAndNotBelowIt() {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        UUID to = api.newCustomer().openAccount("USD");
        api.operator().deposit(from, "30000.00", "USD");

        String below = id(alice.transfer(from, to, "9999.99", "USD").expectStatus().isCreated());
        String at = id(alice.transfer(from, to, "10000.00", "USD").expectStatus().isCreated());

        assertThat(alertsFor(below)).isEmpty();
        assertThat(alertsFor(at)).extracting(alert -> alert.get("rule").asString()).containsExactly("large-amount");
        assertThat(alice.getJson("/transfers/" + at).get("status").asString()).isEqualTo("COMPLETED");
    }

    @Test
    void structuringHoldsTheThirdAmountJustUnderTheThreshold() {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        UUID to = api.newCustomer().openAccount("USD");
        api.operator().deposit(from, "40000.00", "USD");

        alice.transfer(from, to, "9500.00", "USD").expectStatus().isCreated();
        alice.transfer(from, to, "8999.99", "USD").expectStatus().isCreated(); // outside the 10% band
        String second = id(alice.transfer(from, to, "9000.00", "USD").expectStatus().isCreated());
        JsonNode third = alice.transfer(from, to, "9999.99", "USD").expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(alertsFor(second)).isEmpty();
        assertThat(third.get("status").asString()).isEqualTo("ON_HOLD");
        assertThat(alertsFor(third.get("id").asString())).extracting(alert -> alert.get("rule").asString())
                .containsExactly("structuring");
        JsonNode balance = alice.getJson("/accounts/" + from + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("12500.01");
        assertThat(balance.get("held").asString()).isEqualTo("9999.99");
        ledger.assertInvariants();
    }

    @Test
    void velocityFiresOnTheMovementAfterTheLimitWithinTheWindow() {
        db.sql("""
                INSERT INTO aml_rules (id, kind, action, currency, count_max, window_minutes, description)
                VALUES ('test-velocity', 'VELOCITY', 'HOLD', 'SEK', 3, 60, 'test')""").fetch().rowsUpdated().block();
        User alice = api.newCustomer();
        UUID from = alice.openAccount("SEK");
        UUID to = api.newCustomer().openAccount("SEK");
        api.operator().deposit(from, "100.00", "SEK");

        List<String> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            statuses.add(alice.transfer(from, to, "1.00", "SEK").expectStatus().isCreated()
                    .expectBody(JsonNode.class).returnResult().getResponseBody().get("status").asString());
        }

        assertThat(statuses).containsExactly("COMPLETED", "COMPLETED", "COMPLETED", "ON_HOLD");
    }

    @Test
    void aFirstLargePayoutToANewCounterpartyIsHeldAndASmallOneIsNot() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        api.operator().deposit(account, "20000.00", "EUR");

        LedgerOutcome small = payout(alice, account, "4999.99", "DE89370400440532013000");
        LedgerOutcome large = payout(alice, account, "5000.00", "FR1420041010050500013M02606");

        assertThat(small.transaction().status()).isEqualTo(TransactionStatus.PENDING);
        assertThat(large.transaction().status()).isEqualTo(TransactionStatus.ON_HOLD);
        assertThat(alertsFor(large.transaction().id().toString())).extracting(a -> a.get("rule").asString())
                .containsExactly("new-counterparty");
        ledger.assertInvariants();
    }

    private LedgerOutcome payout(User user, UUID account, String amount, String iban) {
        return ledgerService.submit(new LedgerCommand(Ids.next(), TransactionType.EXTERNAL_OUTBOUND,
                LedgerCommand.Mode.HOLD, account, null, Money.parse(amount, CurrencyCode.of("EUR")), "payout", Map.of(),
                dev.paygate.sandbox.SandboxBank.ID, Map.of("name", "Jane Doe", "iban", iban), null,
                new Actor(user.id(), null, null), null))
                .block();
    }

    private List<JsonNode> alertsFor(String transactionId) {
        JsonNode page = api.operator().getJson("/compliance/alerts?limit=1000");
        List<JsonNode> alerts = new ArrayList<>();
        page.get("data").forEach(alert -> {
            if (alert.get("transaction_id").asString().equals(transactionId)) {
                alerts.add(alert);
            }
        });
        return alerts;
    }

    private static String id(org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec response) {
        return response.expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();
    }
}
