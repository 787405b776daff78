package dev.paygate.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/** A worker stops after its round in progress, never in the middle of one, and always calls back. */
class PollingWorkerTest {

    private static final int BATCH_MAX = 10;

    @Test
    void stopWaitsForTheRoundInProgressAndStartsNoOther() throws InterruptedException {
        AtomicInteger rounds = new AtomicInteger();
        Sinks.One<Integer> inProgress = Sinks.one();
        PollingWorker worker = worker(Duration.ofHours(1), () -> {
            rounds.incrementAndGet();
            return inProgress.asMono();
        });
        worker.start();
        assertThat(rounds).hasValue(1);

        CountDownLatch stopped = new CountDownLatch(1);
        worker.stop(stopped::countDown);
        assertThat(worker.isRunning()).isFalse();
        assertThat(stopped.await(200, TimeUnit.MILLISECONDS)).as("called back while its round runs").isFalse();

        // A full batch would start the next round at once, were the worker not stopping.
        inProgress.tryEmitValue(BATCH_MAX);
        assertThat(stopped.await(1, TimeUnit.SECONDS)).isTrue();
        assertThat(worker.hasEnded()).isTrue();
        assertThat(rounds).hasValue(1);
    }

    @Test
    void stopCutsTheWaitBetweenRoundsShort() throws InterruptedException {
        PollingWorker worker = worker(Duration.ofHours(1), () -> Mono.just(0));
        worker.start();

        CountDownLatch stopped = new CountDownLatch(1);
        long started = System.nanoTime();
        worker.stop(stopped::countDown);
        assertThat(stopped.await(1, TimeUnit.SECONDS)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }

    /**
     * Stops landing at every point of a loop that runs rounds back to back on another thread: every
     * callback runs. (Setting the stop flag first and registering the callback after loses the
     * callback whenever the loop ends in between; that window is too narrow to hit on purpose, so
     * this pins the contract rather than replaying that race.)
     */
    @Test
    void everyStopCallsBackHoweverItInterleavesWithTheLoop() throws InterruptedException {
        for (int i = 0; i < 2_000; i++) {
            PollingWorker worker = worker(Duration.ofMillis(1),
                    () -> Mono.fromSupplier(() -> BATCH_MAX).subscribeOn(Schedulers.parallel()));
            worker.start();
            for (int spin = i % 50; spin > 0; spin--) {
                Thread.onSpinWait();
            }
            CountDownLatch stopped = new CountDownLatch(1);
            worker.stop(stopped::countDown);
            assertThat(stopped.await(2, TimeUnit.SECONDS)).as("callback of stop %d", i).isTrue();
        }
    }

    @Test
    void aFailedRoundIsFollowedByTheNext() {
        AtomicInteger rounds = new AtomicInteger();
        PollingWorker worker = worker(Duration.ofMillis(10), () -> rounds.incrementAndGet() == 1
                ? Mono.error(new IllegalStateException("database gone"))
                : Mono.just(0));
        worker.start();
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() >= 3);
        } finally {
            worker.stop();
        }
    }

    @Test
    void aWorkerNeverStartedCallsBackAtOnce() {
        CountDownLatch stopped = new CountDownLatch(1);
        worker(Duration.ofSeconds(1), () -> Mono.just(0)).stop(stopped::countDown);
        assertThat(stopped.getCount()).isZero();
    }

    private static PollingWorker worker(Duration pollInterval, Supplier<Mono<Integer>> round) {
        return new PollingWorker("Test worker", BATCH_MAX, pollInterval) {
            @Override
            protected Mono<Integer> round() {
                return Mono.defer(round);
            }
        };
    }
}
