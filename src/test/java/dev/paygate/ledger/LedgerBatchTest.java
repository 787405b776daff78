package dev.paygate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.common.Actor;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.IdempotencyKey;
import dev.paygate.common.Money;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * One ledger_apply call carrying several movements: a later movement sees what an earlier one of
 * the same batch did, although the batch's rows are written only at its end.
 */
class LedgerBatchTest extends EndToEndTest {

    private static final CurrencyCode USD = CurrencyCode.of("USD");
    private static final Actor TELLER = new Actor("teller", null, null);

    @Autowired
    Transactions transactions;

    @Test
    void aKeyRepeatedInOneBatchIsTheFirstOutcomeAgainOrReused() {
        UUID account = api.newCustomer().openAccount("USD");
        String key = "deposit-" + UUID.randomUUID();
        IdempotencyKey first = IdempotencyKey.of("teller", key, "deposit 10.00");
        IdempotencyKey otherBody = IdempotencyKey.of("teller", key, "deposit 11.00");

        List<LedgerOutcome> outcomes = apply(
                move(TransactionType.DEPOSIT, null, account, "10.00", first),
                move(TransactionType.DEPOSIT, null, account, "10.00", first),
                move(TransactionType.DEPOSIT, null, account, "11.00", otherBody));

        assertThat(outcomes).extracting(LedgerOutcome::kind).containsExactly(
                LedgerOutcome.Kind.APPLIED, LedgerOutcome.Kind.REPLAYED, LedgerOutcome.Kind.KEY_REUSED);
        assertThat(outcomes.get(1).transaction().id()).isEqualTo(outcomes.get(0).transaction().id());
        assertThat(api.admin().balance(account)).isEqualTo("10.00");
        ledger.assertInvariants();
    }

    @Test
    void theDailyLimitCountsEarlierMovementsOfTheSameBatch() {
        User user = api.newCustomer();
        UUID account = user.openAccount("USD");
        UUID recipient = api.newCustomer().openAccount("USD");
        api.operator().deposit(account, "900.00", "USD");
        api.operator().put("/users/" + user.id() + "/kyc", Map.of("level", "NONE")).expectStatus().isOk();

        // NONE: 250.00 a transfer, 500.00 a day.
        List<LedgerOutcome> outcomes = apply(
                move(TransactionType.TRANSFER, account, recipient, "250.00", null),
                move(TransactionType.TRANSFER, account, recipient, "250.00", null),
                move(TransactionType.TRANSFER, account, recipient, "0.01", null));

        assertThat(outcomes).extracting(LedgerOutcome::kind).containsExactly(
                LedgerOutcome.Kind.APPLIED, LedgerOutcome.Kind.APPLIED, LedgerOutcome.Kind.REJECTED);
        assertThat(outcomes.get(2).rejection()).isEqualTo(TransferRejection.KYC_LIMIT);
        assertThat(api.admin().balance(account)).isEqualTo("400.00");
        ledger.assertInvariants();
    }

    private List<LedgerOutcome> apply(LedgerCommand... commands) {
        return transactions.applyInOrder(List.of(commands)).collectList().block();
    }

    private static LedgerCommand move(TransactionType type, UUID from, UUID to, String amount, IdempotencyKey key) {
        return LedgerCommand.move(type, from, to, Money.parse(amount, USD), type.name().toLowerCase(), Map.of(), null,
                TELLER, key);
    }
}
