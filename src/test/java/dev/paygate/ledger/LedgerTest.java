package dev.paygate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.common.Actor;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.IdempotencyKey;
import dev.paygate.common.Money;
import dev.paygate.support.EndToEndTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.test.StepVerifier;

/** The ledger below HTTP, on the real database: each movement's outcome as one reactive answer. */
class LedgerTest extends EndToEndTest {

    private static final CurrencyCode USD = CurrencyCode.of("USD");
    private static final Actor TELLER = new Actor("teller", null, null);

    @Autowired
    Ledger ledgerService;

    @Test
    void depositsAndWithdrawalsMoveMoneyOnlyWhenItIsThere() {
        UUID account = api.newCustomer().openAccount("USD");

        StepVerifier.create(ledgerService.submit(move(TransactionType.DEPOSIT, null, account, "25.00", null)))
                .assertNext(outcome -> {
                    assertThat(outcome.kind()).isEqualTo(LedgerOutcome.Kind.APPLIED);
                    assertThat(outcome.transaction().status()).isEqualTo(TransactionStatus.COMPLETED);
                    assertThat(outcome.transaction().amount().amountMinor()).isEqualTo(2500);
                })
                .verifyComplete();
        StepVerifier.create(ledgerService.submit(move(TransactionType.WITHDRAWAL, account, null, "25.01", null)))
                .assertNext(outcome -> {
                    assertThat(outcome.kind()).isEqualTo(LedgerOutcome.Kind.REJECTED);
                    assertThat(outcome.rejection()).isEqualTo(TransferRejection.INSUFFICIENT_FUNDS);
                    assertThat(outcome.transaction().status()).isEqualTo(TransactionStatus.FAILED);
                })
                .verifyComplete();
        StepVerifier.create(ledgerService.submit(move(TransactionType.WITHDRAWAL, account, null, "25.00", null)))
                .assertNext(outcome -> assertThat(outcome.kind()).isEqualTo(LedgerOutcome.Kind.APPLIED))
                .verifyComplete();

        assertThat(api.admin().balance(account)).isEqualTo("0.00");
        ledger.assertInvariants();
    }

    @Test
    void aMovementWithAKeySeenBeforeIsTheFirstOutcomeAgain() {
        UUID account = api.newCustomer().openAccount("USD");
        IdempotencyKey key = IdempotencyKey.of("teller", "deposit-" + UUID.randomUUID(), "deposit 10.00");

        LedgerOutcome first = ledgerService.submit(move(TransactionType.DEPOSIT, null, account, "10.00", key)).block();

        StepVerifier.create(ledgerService.submit(move(TransactionType.DEPOSIT, null, account, "10.00", key)))
                .assertNext(again -> {
                    assertThat(again.kind()).isEqualTo(LedgerOutcome.Kind.REPLAYED);
                    assertThat(again.transaction().id()).isEqualTo(first.transaction().id());
                })
                .verifyComplete();
        assertThat(api.admin().balance(account)).isEqualTo("10.00");
    }

    private static LedgerCommand move(TransactionType type, UUID from, UUID to, String amount, IdempotencyKey key) {
        return LedgerCommand.move(type, from, to, Money.parse(amount, USD), type.name().toLowerCase(), Map.of(), null,
                TELLER, key);
    }
}
