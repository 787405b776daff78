package dev.paygate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.common.Actor;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.Ids;
import dev.paygate.common.Money;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

/** Two-phase movements: a hold reserves money, a post moves it, a void releases it, each exactly once. */
class HoldsTest extends EndToEndTest {

    private static final Actor WORKER = new Actor("bank-worker", null, null);

    @Autowired
    Ledger ledgerService;

    @Test
    void aHoldReservesThenAPostMovesTheMoneyToTheBank() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "100.00", "USD");
        UUID bank = UUID.randomUUID();

        Transaction held = hold(account, bank, "60.00");
        assertThat(held.status()).isEqualTo(TransactionStatus.PENDING);
        JsonNode balance = alice.getJson("/accounts/" + account + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("100.00");
        assertThat(balance.get("held").asString()).isEqualTo("60.00");
        assertThat(balance.get("available").asString()).isEqualTo("40.00");
        alice.transfer(account, api.newCustomer().openAccount("USD"), "40.01", "USD").expectStatus().isEqualTo(422);

        ledgerService.transition(held.id(), TransactionStatus.PENDING, TransactionStatus.PROCESSING, null, WORKER).block();
        Transaction posted = ledgerService.transition(held.id(), TransactionStatus.PROCESSING, TransactionStatus.COMPLETED,
                null, WORKER).block();

        assertThat(posted.status()).isEqualTo(TransactionStatus.COMPLETED);
        balance = alice.getJson("/accounts/" + account + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("40.00");
        assertThat(balance.get("held").asString()).isEqualTo("0.00");
        ledger.assertInvariants();
    }

    @Test
    void aVoidReleasesTheHoldAndMovesNothing() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "100.00", "USD");
        Transaction held = hold(account, UUID.randomUUID(), "25.00");

        Transaction voided = ledgerService.transition(held.id(), TransactionStatus.PENDING, TransactionStatus.FAILED, "AM04", WORKER)
                .block();

        assertThat(voided.status()).isEqualTo(TransactionStatus.FAILED);
        assertThat(voided.failureReason()).isEqualTo("AM04");
        JsonNode balance = alice.getJson("/accounts/" + account + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("100.00");
        assertThat(balance.get("held").asString()).isEqualTo("0.00");
        ledger.assertInvariants();
    }

    @Test
    void racingWorkersMoveATransactionOnlyOnce() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "10.00", "USD");
        Transaction held = hold(account, UUID.randomUUID(), "10.00");

        long moved = Flux.range(0, 10)
                .flatMap(i -> ledgerService.transition(held.id(), TransactionStatus.PENDING,
                        i % 2 == 0 ? TransactionStatus.FAILED : TransactionStatus.ON_HOLD, i % 2 == 0 ? "NARR" : null, WORKER))
                .count().block();

        assertThat(moved).isEqualTo(1);
        ledger.assertInvariants();
    }

    @Test
    void moneyABankSendsIsCreditedOnlyWhenItConfirms() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");
        UUID bank = UUID.randomUUID();
        LedgerOutcome recorded = ledgerService.submit(new LedgerCommand(Ids.next(), TransactionType.EXTERNAL_INBOUND,
                LedgerCommand.Mode.RECORD, null, account, Money.parse("75.50", CurrencyCode.of("EUR")), "salary",
                Map.of(), bank, Map.of("name", "ACME GmbH", "iban", "DE89370400440532013000"), null, WORKER, null, Map.of())).block();
        assertThat(alice.balance(account)).isEqualTo("0.00");

        UUID id = recorded.transaction().id();
        ledgerService.transition(id, TransactionStatus.PENDING, TransactionStatus.PROCESSING, null, WORKER).block();
        ledgerService.transition(id, TransactionStatus.PROCESSING, TransactionStatus.COMPLETED, null, WORKER).block();

        assertThat(alice.balance(account)).isEqualTo("75.50");
        JsonNode shown = alice.getJson("/transactions/" + id);
        assertThat(shown.get("bank_id").asString()).isEqualTo(bank.toString());
        assertThat(shown.get("counterparty").get("name").asString()).isEqualTo("ACME GmbH");
        ledger.assertInvariants();
    }

    @Test
    void aHoldBeyondWhatIsAvailableIsRefusedAndHoldsNothing() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "5.00", "USD");

        LedgerOutcome outcome = ledgerService.submit(holdCommand(account, UUID.randomUUID(), "5.01")).block();

        assertThat(outcome.kind()).isEqualTo(LedgerOutcome.Kind.REJECTED);
        assertThat(outcome.rejection()).isEqualTo(TransferRejection.INSUFFICIENT_FUNDS);
        assertThat(alice.getJson("/accounts/" + account + "/balance").get("held").asString()).isEqualTo("0.00");
    }

    @ParameterizedTest
    @EnumSource(TransactionStatus.class)
    void theDatabaseAllowsTheSameTransitionsAsTheCode(TransactionStatus from) {
        for (TransactionStatus to : TransactionStatus.values()) {
            Boolean allowed = db.sql("SELECT transaction_status_allowed(:from, :to) AS ok")
                    .bind("from", from.name()).bind("to", to.name())
                    .map(row -> row.get("ok", Boolean.class)).one().block();
            assertThat(allowed).as("%s -> %s", from, to).isEqualTo(from.canBecome(to));
        }
    }

    private Transaction hold(UUID account, UUID bank, String amount) {
        LedgerOutcome outcome = ledgerService.submit(holdCommand(account, bank, amount)).block();
        assertThat(outcome.kind()).isEqualTo(LedgerOutcome.Kind.APPLIED);
        return outcome.transaction();
    }

    private static LedgerCommand holdCommand(UUID account, UUID bank, String amount) {
        return new LedgerCommand(Ids.next(), TransactionType.EXTERNAL_OUTBOUND, LedgerCommand.Mode.HOLD, account, null,
                Money.parse(amount, CurrencyCode.of("USD")), "payout", Map.of(), bank,
                Map.of("name", "Jane Doe", "account_number", "12345678"), null, WORKER, null, Map.of());
    }
}
