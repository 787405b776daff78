package dev.paygate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.common.Actor;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.IdempotencyKey;
import dev.paygate.common.Money;
import dev.paygate.support.EndToEndTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
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

    /**
     * A caller can give up on a movement while it is in the database: the request's deadline
     * passed, or the client hung up. The movement is not cut off half-way: it runs to its commit,
     * the ledger's metrics count it, and a retry with its key gets it back instead of moving the
     * money twice. Its account is held locked meanwhile, as a busy neighbour would.
     */
    @Test
    void aMovementWhoseCallerGaveUpRunsToItsCommitAndIsCounted(@Autowired ConnectionFactory connections,
                                                                @Autowired MeterRegistry meters) {
        UUID from = api.newCustomer().openAccount("USD");
        UUID to = api.newCustomer().openAccount("USD");
        ledgerService.submit(move(TransactionType.DEPOSIT, null, from, "10.00", null)).block(Duration.ofSeconds(10));
        IdempotencyKey key = IdempotencyKey.of("teller", "gave-up-" + UUID.randomUUID(), "transfer 2.50");
        Counter applied = meters.counter("paygate.transactions", "type", "TRANSFER", "outcome", "applied", "reason", "none");
        double appliedBefore = applied.count();

        Connection neighbour = Mono.from(connections.create()).block(Duration.ofSeconds(10));
        try {
            Mono.from(neighbour.beginTransaction()).block(Duration.ofSeconds(10));
            Flux.from(neighbour.createStatement("SELECT id FROM accounts WHERE id = $1 FOR UPDATE").bind("$1", from).execute())
                    .flatMap(result -> result.map((row, metadata) -> 1)).blockLast(Duration.ofSeconds(10));

            Disposable caller = ledgerService.submit(move(TransactionType.TRANSFER, from, to, "2.50", key)).subscribe();
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> db.sql("SELECT count(*) AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                    + " AND query LIKE '%ledger_apply(%'")
                            .map(row -> row.get("waiting", Long.class)).one().block(Duration.ofSeconds(5)) == 1);
            caller.dispose();
        } finally {
            Mono.from(neighbour.rollbackTransaction()).then(Mono.from(neighbour.close())).block(Duration.ofSeconds(10));
        }

        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> applied.count() == appliedBefore + 1);
        assertThat(api.admin().balance(to)).isEqualTo("2.50");
        StepVerifier.create(ledgerService.submit(move(TransactionType.TRANSFER, from, to, "2.50", key)))
                .assertNext(again -> {
                    assertThat(again.kind()).isEqualTo(LedgerOutcome.Kind.REPLAYED);
                    assertThat(again.transaction().status()).isEqualTo(TransactionStatus.COMPLETED);
                })
                .verifyComplete();
        assertThat(api.admin().balance(from)).isEqualTo("7.50");
        ledger.assertInvariants();
    }

    private static LedgerCommand move(TransactionType type, UUID from, UUID to, String amount, IdempotencyKey key) {
        return LedgerCommand.move(type, from, to, Money.parse(amount, USD), type.name().toLowerCase(), Map.of(), null,
                TELLER, key);
    }
}
