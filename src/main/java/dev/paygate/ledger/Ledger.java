package dev.paygate.ledger;

import dev.paygate.common.Actor;
import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.Caller;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The only way money moves. Every deposit, withdrawal and transfer is a {@link LedgerCommand}
 * applied by {@code ledger_apply}, which takes a whole batch in order; a single command is a batch of one.
 */
@Service
public class Ledger {

    private static final Logger log = LoggerFactory.getLogger(Ledger.class);

    private final Transactions transactions;
    private final TransactionAccess access;
    private final @Nullable LedgerBatcher batcher;

    private final MeterRegistry meters;

    public Ledger(Transactions transactions, TransactionAccess access, BatchingProperties batching, MeterRegistry meters) {
        this.transactions = transactions;
        this.access = access;
        this.meters = meters;
        DistributionSummary batchSizes = DistributionSummary.builder("paygate.ledger.batch.size")
                .description("Movements applied per ledger_apply call").register(meters);
        this.batcher = batching.enabled()
                ? new LedgerBatcher(batching, commands -> {
                    batchSizes.record(commands.size());
                    return applyAndCount(commands);
                }, Schedulers.parallel())
                : null;
        Gauge.builder("paygate.ledger.waiting", this, Ledger::waitingMovements)
                .description("Movements waiting for their batch").register(meters);
        log.info("Ledger: {}", batching.enabled()
                ? "batching on (window " + batching.windowMicros() + " µs, up to " + batching.sizeMax()
                        + " movements, " + batching.lanes() + (batching.lanes() == 1 ? " lane)" : " lanes)")
                : "batching off (one statement and commit per movement)");
    }

    /**
     * Applies one movement; its outcome arrives once the statement that applied it has committed.
     * A caller that stops waiting (its request's deadline, a client that hung up) does not cancel
     * the statement, with the batcher on or off: the movement runs to its commit and is counted,
     * and a retry with its key replays it. Cancelling it half-way would only make the outcome
     * unknown to the gateway as well, and the driver does not release the encoded arguments of a
     * statement cancelled before it was sent.
     */
    public Mono<LedgerOutcome> submit(LedgerCommand command) {
        if (batcher != null) {
            return batcher.submit(command);
        }
        return Mono.create(caller -> {
            Reply reply = new Reply(command.id(), caller);
            applyAndCount(List.of(command)).single()
                    .contextWrite(caller.contextView())
                    .subscribe(reply::succeed, reply::fail);
        });
    }

    /** Applies the commands in one statement and counts their outcomes once it has committed. */
    private Flux<LedgerOutcome> applyAndCount(List<LedgerCommand> commands) {
        return transactions.applyInOrder(commands).collectList()
                .doOnNext(outcomes -> {
                    for (int i = 0; i < Math.min(commands.size(), outcomes.size()); i++) {
                        count(commands.get(i), outcomes.get(i));
                    }
                })
                .flatMapIterable(outcomes -> outcomes);
    }

    /** paygate_transactions_total{type, outcome, reason}: what the ledger did, by kind of movement. */
    private void count(LedgerCommand command, LedgerOutcome outcome) {
        meters.counter("paygate.transactions",
                        "type", command.type().name(),
                        "outcome", outcome.kind().name().toLowerCase(Locale.ROOT),
                        "reason", outcome.rejection() == null ? "none" : outcome.rejection().reasonCode())
                .increment();
    }

    /**
     * Moves a transaction on to its next state with the money that goes with it: posting or
     * voiding a hold, or crediting money a bank sent. Empty when the transaction was no longer in
     * the expected state, because another worker moved it first.
     */
    public Mono<Transaction> transition(UUID id, TransactionStatus expected, TransactionStatus target,
                                        @Nullable String failureReason, Actor actor) {
        if (!expected.canBecome(target)) {
            return Mono.error(new IllegalArgumentException(expected + " cannot become " + target));
        }
        return transactions.transition(id, expected, target, failureReason, actor);
    }

    /** Whether the caller may see an account and its history: staff any, customers their own. */
    public Mono<Boolean> canSeeAccount(UUID accountId, Caller caller) {
        return access.canSeeAccount(accountId, caller);
    }

    /** Movements waiting for a batch, for the metrics. */
    public int waitingMovements() {
        return batcher == null ? 0 : batcher.waiting();
    }

    /** The transaction, if the caller may see it (staff: any; customers: one touching their account); else 404. */
    public Mono<Transaction> findVisible(UUID id, Caller caller) {
        return transactions.findById(id, caller.confinedTo())
                .switchIfEmpty(Mono.error(() -> ApiException.notFound(ApiProblem.TRANSACTION_NOT_FOUND, id)));
    }
}
