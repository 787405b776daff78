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

/**
 * Two-phase movements: a hold reserves money, a post moves it, a void releases it, each exactly
 * once. Shown with transfers held for review; payouts use the same hold (see the bank tests).
 */
class HoldsTest extends EndToEndTest {

    private static final Actor REVIEWER = new Actor("reviewer", null, null);

    @Autowired
    Ledger ledgerService;

    @Test
    void aHoldReservesAndAPostMovesTheMoney() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        UUID recipient = api.newCustomer().openAccount("USD");
        api.operator().deposit(account, "100.00", "USD");

        Transaction held = hold(account, recipient, "60.00");
        assertThat(held.status()).isEqualTo(TransactionStatus.ON_HOLD);
        JsonNode balance = alice.getJson("/accounts/" + account + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("100.00");
        assertThat(balance.get("held").asString()).isEqualTo("60.00");
        assertThat(balance.get("available").asString()).isEqualTo("40.00");
        alice.transfer(account, recipient, "40.01", "USD").expectStatus().isEqualTo(422);

        Transaction posted = ledgerService.transition(held.id(), TransactionStatus.ON_HOLD, TransactionStatus.COMPLETED,
                null, REVIEWER).block();

        assertThat(posted.status()).isEqualTo(TransactionStatus.COMPLETED);
        balance = alice.getJson("/accounts/" + account + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("40.00");
        assertThat(balance.get("held").asString()).isEqualTo("0.00");
        assertThat(api.admin().getJson("/accounts/" + recipient + "/balance").get("balance").asString()).isEqualTo("60.00");
        ledger.assertInvariants();
    }

    @Test
    void aVoidReleasesTheHoldAndMovesNothing() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "100.00", "USD");
        Transaction held = hold(account, api.newCustomer().openAccount("USD"), "25.00");

        Transaction voided = ledgerService.transition(held.id(), TransactionStatus.ON_HOLD, TransactionStatus.FAILED,
                "AG01", REVIEWER).block();

        assertThat(voided.status()).isEqualTo(TransactionStatus.FAILED);
        assertThat(voided.failureReason()).isEqualTo("AG01");
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
        Transaction held = hold(account, api.newCustomer().openAccount("USD"), "10.00");

        long moved = Flux.range(0, 10)
                .flatMap(i -> ledgerService.transition(held.id(), TransactionStatus.ON_HOLD,
                        i % 2 == 0 ? TransactionStatus.FAILED : TransactionStatus.COMPLETED, i % 2 == 0 ? "NARR" : null,
                        REVIEWER))
                .count().block();

        assertThat(moved).isEqualTo(1);
        ledger.assertInvariants();
    }

    @Test
    void aHoldBeyondWhatIsAvailableIsRefusedAndHoldsNothing() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "5.00", "USD");

        LedgerOutcome outcome = ledgerService.submit(command(account, api.newCustomer().openAccount("USD"), "5.01")).block();

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

    private Transaction hold(UUID account, UUID recipient, String amount) {
        LedgerOutcome outcome = ledgerService.submit(command(account, recipient, amount)).block();
        assertThat(outcome.kind()).isEqualTo(LedgerOutcome.Kind.APPLIED);
        return outcome.transaction();
    }

    /** A transfer that a compliance check asked to hold for review: its amount is held on the sender. */
    private static LedgerCommand command(UUID account, UUID recipient, String amount) {
        return new LedgerCommand(Ids.next(), TransactionType.TRANSFER, LedgerCommand.Mode.MOVE, account, recipient,
                Money.parse(amount, CurrencyCode.of("USD")), "held", Map.of(), null, Map.of(), null, REVIEWER, null,
                Map.of("rule_id", "test-review", "details", Map.of("why", "test")));
    }
}
