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
import tools.jackson.databind.JsonNode;

/**
 * One ledger_apply call carrying several movements: a later movement sees what an earlier one of
 * the same batch did, although the batch's rows are written only at its end.
 */
class LedgerBatchTest extends EndToEndTest {

    private static final CurrencyCode USD = CurrencyCode.of("USD");
    private static final CurrencyCode JPY = CurrencyCode.of("JPY");
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

    @Test
    void eachMovementMeetsTheLimitsOfItsOwnPartiesLevelsAndCurrency() {
        User limited = api.newCustomer();
        UUID limitedUsd = limited.openAccount("USD");
        UUID limitedJpy = limited.openAccount("JPY");
        User unlimited = api.newCustomer(); // the default level, FULL
        UUID unlimitedUsd = unlimited.openAccount("USD");
        User basic = api.newCustomer();
        UUID basicUsd = basic.openAccount("USD");
        api.operator().deposit(limitedUsd, "500.00", "USD");
        api.operator().deposit(limitedJpy, "500", "JPY");
        api.operator().deposit(unlimitedUsd, "20000.00", "USD");
        api.operator().deposit(basicUsd, "9000.00", "USD");
        api.operator().put("/users/" + limited.id() + "/kyc", Map.of("level", "NONE")).expectStatus().isOk();
        api.operator().put("/users/" + basic.id() + "/kyc", Map.of("level", "BASIC")).expectStatus().isOk();
        UUID anyone = api.newCustomer().openAccount("JPY");

        // NONE: 250 major units a transfer, in USD (2 decimals) and JPY (none) alike. BASIC: an
        // account holds at most 10,000.00. FULL: no limits.
        List<LedgerOutcome> outcomes = apply(
                move(TransactionType.TRANSFER, limitedUsd, unlimitedUsd, "250.01", null),
                move(TransactionType.TRANSFER, unlimitedUsd, limitedUsd, "300.00", null),
                move(TransactionType.TRANSFER, limitedJpy, anyone, "251", JPY, null),
                move(TransactionType.TRANSFER, limitedJpy, anyone, "250", JPY, null),
                move(TransactionType.TRANSFER, unlimitedUsd, basicUsd, "1000.01", null),
                move(TransactionType.TRANSFER, unlimitedUsd, basicUsd, "1000.00", null));

        assertThat(outcomes).extracting(LedgerOutcome::kind).containsExactly(
                LedgerOutcome.Kind.REJECTED, LedgerOutcome.Kind.APPLIED, LedgerOutcome.Kind.REJECTED,
                LedgerOutcome.Kind.APPLIED, LedgerOutcome.Kind.REJECTED, LedgerOutcome.Kind.APPLIED);
        assertThat(outcomes).extracting(LedgerOutcome::rejection).containsExactly(
                TransferRejection.KYC_LIMIT, null, TransferRejection.KYC_LIMIT, null, TransferRejection.KYC_LIMIT, null);
        assertThat(api.admin().balance(limitedUsd)).isEqualTo("800.00");
        assertThat(api.admin().balance(limitedJpy)).isEqualTo("250");
        assertThat(api.admin().balance(basicUsd)).isEqualTo("10000.00");
        assertThat(api.admin().balance(unlimitedUsd)).isEqualTo("18700.00");
        ledger.assertInvariants();
    }

    @Test
    void moneyCreditedEarlierInTheBatchCanBeSpentLaterInIt() {
        UUID first = api.newCustomer().openAccount("USD");
        UUID second = api.newCustomer().openAccount("USD");
        UUID third = api.newCustomer().openAccount("USD");
        api.operator().deposit(first, "10.00", "USD");

        List<LedgerOutcome> outcomes = apply(
                move(TransactionType.TRANSFER, first, second, "10.00", null),
                move(TransactionType.TRANSFER, second, third, "10.00", null),
                move(TransactionType.TRANSFER, first, third, "0.01", null),
                move(TransactionType.TRANSFER, third, first, "2.50", null));

        assertThat(outcomes).extracting(LedgerOutcome::kind).containsExactly(
                LedgerOutcome.Kind.APPLIED, LedgerOutcome.Kind.APPLIED, LedgerOutcome.Kind.REJECTED,
                LedgerOutcome.Kind.APPLIED);
        assertThat(outcomes.get(2).rejection()).isEqualTo(TransferRejection.INSUFFICIENT_FUNDS);
        assertThat(api.admin().balance(first)).isEqualTo("2.50");
        assertThat(api.admin().balance(second)).isEqualTo("0.00");
        assertThat(api.admin().balance(third)).isEqualTo("7.50");
        ledger.assertInvariants();
    }

    @Test
    void velocityCountsTheBatchsEarlierMovementsAndKeepsCountingAcrossBatches() {
        db.sql("""
                INSERT INTO aml_rules (id, kind, action, currency, count_max, window_minutes, description)
                VALUES ('batch-velocity', 'VELOCITY', 'HOLD', 'JPY', 2, 60, 'test')""").fetch().rowsUpdated().block();
        try {
            UUID sender = api.newCustomer().openAccount("JPY");
            UUID recipient = api.newCustomer().openAccount("JPY");
            api.operator().deposit(sender, "100", "JPY");

            List<LedgerOutcome> batch = apply(
                    move(TransactionType.TRANSFER, sender, recipient, "10", JPY, null),
                    move(TransactionType.TRANSFER, sender, recipient, "1000", JPY, null), // refused: not counted
                    move(TransactionType.TRANSFER, sender, recipient, "10", JPY, null),
                    move(TransactionType.TRANSFER, sender, recipient, "10", JPY, null));
            List<LedgerOutcome> later = apply(move(TransactionType.TRANSFER, sender, recipient, "10", JPY, null));

            assertThat(batch).extracting(o -> o.transaction().status()).containsExactly(
                    TransactionStatus.COMPLETED, TransactionStatus.FAILED, TransactionStatus.COMPLETED,
                    TransactionStatus.ON_HOLD);
            assertThat(later.get(0).transaction().status()).isEqualTo(TransactionStatus.ON_HOLD);
            JsonNode balance = api.admin().getJson("/accounts/" + sender + "/balance");
            assertThat(balance.get("balance").asString()).isEqualTo("80");
            assertThat(balance.get("held").asString()).isEqualTo("20");
            assertThat(api.admin().balance(recipient)).isEqualTo("20");
            ledger.assertInvariants();
        } finally {
            db.sql("DELETE FROM aml_rules WHERE id = 'batch-velocity'").fetch().rowsUpdated().block();
        }
    }

    private List<LedgerOutcome> apply(LedgerCommand... commands) {
        return transactions.applyInOrder(List.of(commands)).collectList().block();
    }

    private static LedgerCommand move(TransactionType type, UUID from, UUID to, String amount, IdempotencyKey key) {
        return move(type, from, to, amount, USD, key);
    }

    private static LedgerCommand move(TransactionType type, UUID from, UUID to, String amount, CurrencyCode currency,
            IdempotencyKey key) {
        return LedgerCommand.move(type, from, to, Money.parse(amount, currency), type.name().toLowerCase(), Map.of(), null,
                TELLER, key);
    }
}
