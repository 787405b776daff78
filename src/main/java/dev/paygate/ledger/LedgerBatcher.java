package dev.paygate.ledger;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import io.netty.util.internal.ThreadExecutorMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Group commit for the ledger. Movements wait up to a short window for company and are then
 * applied together by one {@code ledger_apply} call: one round trip, one commit, each movement
 * with its own outcome. While a lane's batch is in the database, the next one gathers, and goes
 * as soon as the first returns, so under load batches grow by themselves and the window costs nothing.
 *
 * <p>Each lane applies one batch at a time, in arrival order; a movement's lane is fixed by the
 * account it debits, so two movements from one account are applied in the order they arrived.
 * A caller hears its outcome only after the batch's statement has completed, that is, committed.
 *
 * <p>A caller that submitted from a Netty event loop (an HTTP request's) hears back on that loop,
 * so each response is built and written on its own connection's thread, spread over the cores,
 * instead of all of a batch's on the one thread that read the batch's result.
 */
final class LedgerBatcher {

    private static final Logger log = LoggerFactory.getLogger(LedgerBatcher.class);

    private final Lane[] lanes;

    LedgerBatcher(BatchingProperties properties, Function<List<LedgerCommand>, Flux<LedgerOutcome>> apply,
                  Scheduler timer) {
        this.lanes = new Lane[properties.lanes()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new Lane(properties, apply, timer);
        }
    }

    Mono<LedgerOutcome> submit(LedgerCommand command) {
        UUID debited = command.from() != null ? command.from() : Objects.requireNonNull(command.to());
        return lanes[Math.floorMod(debited.hashCode(), lanes.length)].submit(command);
    }

    /** Movements waiting in every lane (not counting those being applied). */
    int waiting() {
        int waiting = 0;
        for (Lane lane : lanes) {
            waiting += lane.queued.get();
        }
        return waiting;
    }

    /** A movement, its caller, and the event loop the caller hears back on (null: inline). */
    private record Pending(LedgerCommand command, Reply reply, @Nullable Executor replyOn) {

        void succeed(LedgerOutcome outcome) {
            if (replyOn != null) {
                try {
                    replyOn.execute(() -> reply.succeed(outcome));
                    return;
                } catch (RejectedExecutionException loopStopped) {
                    // The loop is shutting down: answer from here rather than not at all.
                }
            }
            reply.succeed(outcome);
        }

        void fail(Throwable error) {
            reply.fail(error);
        }
    }

    /** One queue and at most one batch in the database at a time. */
    private static final class Lane {

        private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger queued = new AtomicInteger();
        /** True from the moment a flush is scheduled until no batch is in flight and none is due. */
        private final AtomicBoolean busy = new AtomicBoolean();
        private final BatchingProperties properties;
        private final Function<List<LedgerCommand>, Flux<LedgerOutcome>> apply;
        private final Scheduler timer;

        Lane(BatchingProperties properties, Function<List<LedgerCommand>, Flux<LedgerOutcome>> apply, Scheduler timer) {
            this.properties = properties;
            this.apply = apply;
            this.timer = timer;
        }

        Mono<LedgerOutcome> submit(LedgerCommand command) {
            return Mono.create(sink -> {
                if (queued.incrementAndGet() > properties.queueMax()) {
                    queued.decrementAndGet();
                    sink.error(new ApiException(ApiProblem.SERVICE_UNAVAILABLE,
                            "The ledger is at capacity; retry shortly.").withHeader("Retry-After", "1"));
                    return;
                }
                // Netty's own record of the event loop running this thread; null off a loop.
                queue.add(new Pending(command, new Reply(command.id(), sink), ThreadExecutorMap.currentExecutor()));
                if (busy.compareAndSet(false, true)) {
                    // The first of a batch waits for company; a full batch need not wait.
                    if (queued.get() >= properties.sizeMax() || properties.windowMicros() == 0) {
                        timer.schedule(this::flush);
                    } else {
                        timer.schedule(this::flush, properties.windowMicros(), java.util.concurrent.TimeUnit.MICROSECONDS);
                    }
                }
            });
        }

        private void flush() {
            List<Pending> batch = new ArrayList<>(Math.min(queued.get(), properties.sizeMax()));
            Pending next;
            while (batch.size() < properties.sizeMax() && (next = queue.poll()) != null) {
                batch.add(next);
            }
            queued.addAndGet(-batch.size());
            if (batch.isEmpty()) {
                busy.set(false);
                // A movement may have arrived after the poll and before busy was cleared.
                if (!queue.isEmpty() && busy.compareAndSet(false, true)) {
                    timer.schedule(this::flush);
                }
                return;
            }
            List<LedgerCommand> commands = batch.stream().map(Pending::command).toList();
            apply.apply(commands).collectList().subscribe(
                    outcomes -> {
                        // The next batch goes before this one's callers hear back: the database need
                        // not wait for their responses. This batch has committed, so arrival order
                        // per account still holds.
                        afterBatch();
                        deliver(batch, outcomes);
                    },
                    error -> recover(batch, error).subscribe(null, failed -> afterBatch(), this::afterBatch));
        }

        /**
         * Whatever gathered while a batch was in the database goes at once. Never throws: after a
         * commit, an exception would reach the recovery path and apply the batch again.
         */
        private void afterBatch() {
            try {
                timer.schedule(this::flush);
            } catch (RejectedExecutionException stopped) {
                log.warn("The ledger batcher's scheduler has stopped; {} movements wait unapplied", queued.get());
            }
        }

        private Mono<Void> recover(List<Pending> batch, Throwable error) {
            return batch.size() > 1 && !isOutage(error) ? alone(batch, error) : fail(batch, error);
        }

        /**
         * Hands each caller its outcome. Never throws: the batch has committed, and a failure
         * here must not reach the recovery path, which would apply its movements again.
         */
        private static void deliver(List<Pending> batch, List<LedgerOutcome> outcomes) {
            if (outcomes.size() != batch.size()) {
                IllegalStateException broken = new IllegalStateException(
                        "ledger_apply answered " + outcomes.size() + " outcomes for " + batch.size() + " movements");
                batch.forEach(pending -> pending.fail(broken));
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                try {
                    batch.get(i).succeed(outcomes.get(i));
                } catch (RuntimeException callerFailed) {
                    log.error("Delivering a committed outcome to its caller failed", callerFailed);
                }
            }
        }

        /**
         * A batch failed as a whole (it rolled back entirely). So that one bad movement cannot
         * fail its neighbours, each is applied again on its own, in the same order.
         */
        private Mono<Void> alone(List<Pending> batch, Throwable error) {
            log.warn("A batch of {} movements failed ({}); applying each alone", batch.size(), error.toString());
            return Flux.fromIterable(batch)
                    .concatMap(pending -> apply.apply(List.of(pending.command())).collectList()
                            .doOnNext(outcomes -> deliver(List.of(pending), outcomes))
                            .then()
                            .onErrorResume(single -> fail(List.of(pending), single)))
                    .then();
        }

        private static Mono<Void> fail(List<Pending> batch, Throwable error) {
            batch.forEach(pending -> pending.fail(error));
            return Mono.empty();
        }

        private static boolean isOutage(Throwable error) {
            return error instanceof org.springframework.dao.DataAccessResourceFailureException
                    || error instanceof io.r2dbc.spi.R2dbcNonTransientResourceException
                    || error instanceof io.r2dbc.spi.R2dbcTransientResourceException;
        }
    }
}
