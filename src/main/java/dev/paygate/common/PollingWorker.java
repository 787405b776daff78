package dev.paygate.common;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * A background worker that repeats rounds while the gateway runs: a round that found a full batch
 * is followed at once by the next, any other after {@code pollInterval}. A failed round is logged
 * and the worker goes on. Shutdown waits for the round in progress and no longer: the wait
 * between rounds is cut short, and a round is never cancelled halfway (what it claimed it finishes,
 * or its database transaction rolls back whole).
 *
 * <p>Spring's {@code stop(callback)} must call back exactly once, however the loop's end and the
 * call interleave; a lost callback would hold the shutdown for the whole phase timeout. The loop
 * completes a future as it ends, and {@code stop} hangs the callback on that future, which runs it
 * at once if the loop has already ended.
 */
public abstract class PollingWorker implements SmartLifecycle {

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String name;
    private final int batchMax;
    private final Duration pollInterval;
    private final Object transitions = new Object();
    private volatile @Nullable Loop loop;

    /**
     * @param name         for log lines, e.g. "Outbox relay"
     * @param batchMax     a round that handled this many items is followed by the next at once
     * @param pollInterval the wait after a round that handled fewer
     */
    protected PollingWorker(String name, int batchMax, Duration pollInterval) {
        if (batchMax < 1 || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException(name + ": batchMax must be at least 1 and pollInterval positive");
        }
        this.name = name;
        this.batchMax = batchMax;
        this.pollInterval = pollInterval;
    }

    /** One round: handles at most a batch, and answers how many items it handled. */
    protected abstract Mono<Integer> round();

    @Override
    public void start() {
        synchronized (transitions) {
            if (isRunning()) {
                return;
            }
            Loop started = new Loop();
            loop = started;
            Mono.defer(this::round)
                    .onErrorResume(error -> {
                        log.warn("{} round failed, retrying: {}{}", name, error,
                                error.getCause() == null ? "" : " (" + error.getCause() + ")");
                        return Mono.just(0);
                    })
                    .flatMap(count -> count >= batchMax ? Mono.just(count) : idle(started))
                    .repeat(started.active::get)
                    .doFinally(signal -> started.ended.complete(null))
                    .subscribe();
        }
    }

    /** The wait between rounds, cut short by a stop. */
    private Mono<Integer> idle(Loop current) {
        return Mono.firstWithSignal(Mono.delay(pollInterval, Schedulers.parallel()).thenReturn(0),
                current.stopRequested.asMono().thenReturn(0));
    }

    /** Stops after the round in progress; {@code callback} runs once the loop has ended. */
    @Override
    public void stop(Runnable callback) {
        Loop stopping;
        synchronized (transitions) {
            stopping = loop;
            if (stopping != null) {
                stopping.active.set(false);
                stopping.stopRequested.tryEmitEmpty();
            }
        }
        if (stopping == null) {
            callback.run();
        } else {
            stopping.ended.whenComplete((ignored, error) -> callback.run());
        }
    }

    /** Asks the loop to stop after the round in progress, without waiting for it. */
    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        Loop current = loop;
        return current != null && current.active.get();
    }

    /** Whether the loop that was last started has finished its last round (for tests of shutdown). */
    public boolean hasEnded() {
        Loop current = loop;
        return current == null || current.ended.isDone();
    }

    /** One run of the loop, from a start to the end of its last round after a stop. */
    private static final class Loop {
        final AtomicBoolean active = new AtomicBoolean(true);
        final Sinks.Empty<Void> stopRequested = Sinks.empty();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
    }
}
