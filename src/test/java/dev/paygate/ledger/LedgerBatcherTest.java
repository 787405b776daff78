package dev.paygate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.common.Actor;
import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.Money;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.r2dbc.spi.R2dbcTimeoutException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

/** The batcher's own guarantees, with a stand-in for the database. */
class LedgerBatcherTest {

    private static final Money ONE = Money.ofMinor(100, CurrencyCode.of("USD"));

    private final List<List<LedgerCommand>> batches = Collections.synchronizedList(new ArrayList<>());

    /** A database that takes 5 ms per batch and refuses movements of 13 minor units. */
    private final Function<List<LedgerCommand>, Flux<LedgerOutcome>> database = commands -> {
        batches.add(commands);
        return Flux.fromIterable(commands)
                .map(command -> command.amount().amountMinor() == 13
                        ? new LedgerOutcome(LedgerOutcome.Kind.REJECTED, TransferRejection.INSUFFICIENT_FUNDS, null)
                        : new LedgerOutcome(LedgerOutcome.Kind.APPLIED, null, null))
                .delaySequence(Duration.ofMillis(5));
    };

    @Test
    void concurrentMovementsShareBatchesAndEachGetsItsOwnOutcome() {
        LedgerBatcher batcher = new LedgerBatcher(properties(1, 100), database, Schedulers.parallel());
        UUID account = UUID.randomUUID();

        List<LedgerOutcome.Kind> outcomes = Flux.range(0, 200)
                .flatMap(i -> batcher.submit(command(account, i % 10 == 0 ? 13 : 100)), 200)
                .map(LedgerOutcome::kind)
                .collectList().block(Duration.ofSeconds(10));

        assertThat(outcomes).hasSize(200);
        assertThat(outcomes.stream().filter(kind -> kind == LedgerOutcome.Kind.REJECTED)).hasSize(20);
        assertThat(batches.size()).as("batches for 200 movements").isLessThan(20);
        assertThat(batches).allSatisfy(batch -> assertThat(batch.size()).isLessThanOrEqualTo(100));
    }

    @Test
    void movementsFromOneAccountAreAppliedInArrivalOrder() {
        LedgerBatcher batcher = new LedgerBatcher(properties(4, 7), database, Schedulers.parallel());
        UUID account = UUID.randomUUID();
        List<Mono<LedgerOutcome>> inOrder = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            inOrder.add(batcher.submit(command(account, 1000 + i)));
        }

        Flux.merge(inOrder).blockLast(Duration.ofSeconds(10));

        List<Long> applied = batches.stream().flatMap(List::stream).map(c -> c.amount().amountMinor()).toList();
        assertThat(applied).isSorted().hasSize(60);
    }

    @Test
    void aBatchThatFailsAsAWholeIsRetriedMovementByMovementSoOnlyTheCulpritFails() {
        Function<List<LedgerCommand>, Flux<LedgerOutcome>> failsOnPoison = commands -> {
            batches.add(commands);
            if (commands.stream().anyMatch(c -> c.amount().amountMinor() == 666)) {
                return Flux.error(new IllegalStateException("ledger_apply raised for one movement"));
            }
            return Flux.fromIterable(commands).map(c -> new LedgerOutcome(LedgerOutcome.Kind.APPLIED, null, null));
        };
        LedgerBatcher batcher = new LedgerBatcher(properties(1, 50), failsOnPoison, Schedulers.parallel());
        UUID account = UUID.randomUUID();

        List<Mono<String>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(batcher.submit(command(account, i == 2 ? 666 : 100))
                    .map(outcome -> outcome.kind().name())
                    .onErrorResume(error -> Mono.just("ERROR")));
        }

        assertThat(Flux.concat(results).collectList().block(Duration.ofSeconds(10)))
                .containsExactly("APPLIED", "APPLIED", "ERROR", "APPLIED", "APPLIED");
    }

    @Test
    void aFullQueueAnswersAtOnceWith503() {
        Function<List<LedgerCommand>, Flux<LedgerOutcome>> stuck = commands -> {
            batches.add(commands);
            return Flux.never();
        };
        LedgerBatcher batcher = new LedgerBatcher(new BatchingProperties(true, 1000, 2, 1, 2), stuck, Schedulers.parallel());
        UUID account = UUID.randomUUID();
        batcher.submit(command(account, 1)).subscribe();
        batcher.submit(command(account, 2)).subscribe();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> batches.size() == 1);
        batcher.submit(command(account, 3)).subscribe();
        batcher.submit(command(account, 4)).subscribe();

        StepVerifier.create(batcher.submit(command(account, 5)))
                .expectErrorSatisfies(error -> assertThat(((ApiException) error).kind()).isEqualTo(ApiProblem.SERVICE_UNAVAILABLE))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aCallerOnAnEventLoopHearsBackOnItsOwnLoopAndAnyOtherCallerOnTheDatabasesThread() throws Exception {
        LedgerBatcher batcher = new LedgerBatcher(properties(1, 100), database, Schedulers.parallel());
        io.netty.channel.DefaultEventLoop loop = new io.netty.channel.DefaultEventLoop();
        try {
            java.util.concurrent.CompletableFuture<Thread> answeredOn = new java.util.concurrent.CompletableFuture<>();
            Thread loopThread = loop.submit(() -> {
                batcher.submit(command(UUID.randomUUID(), 100))
                        .subscribe(outcome -> answeredOn.complete(Thread.currentThread()), answeredOn::completeExceptionally);
                return Thread.currentThread();
            }).get(5, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(answeredOn.get(5, java.util.concurrent.TimeUnit.SECONDS)).isSameAs(loopThread);
        } finally {
            loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }

        Thread offLoop = batcher.submit(command(UUID.randomUUID(), 100))
                .map(outcome -> Thread.currentThread()).block(Duration.ofSeconds(5));
        // The stand-in database answers on Reactor's timer (delaySequence): inline, no hop.
        assertThat(offLoop.getName()).startsWith("parallel-");
    }

    @Test
    void anErrorAfterItsCallerStoppedWaitingIsLoggedForWhatItMeansAndNotDroppedAsABug() {
        assertThat(errorsOnceTheFirstCallerLeft(new IllegalStateException("ledger_apply raised")))
                .singleElement().satisfies(line -> {
                    assertThat(line.getLevel()).isEqualTo(Level.WARN);
                    assertThat(line.getFormattedMessage()).contains("failed after its caller had stopped waiting", "ledger_apply raised");
                });
        // A batch that never got a connection before its callers left moved nothing: routine under overload.
        assertThat(errorsOnceTheFirstCallerLeft(new DataAccessResourceFailureException("no connection",
                        new R2dbcTimeoutException("Connection acquisition timed out"))))
                .singleElement().satisfies(line -> {
                    assertThat(line.getLevel()).isEqualTo(Level.DEBUG);
                    assertThat(line.getFormattedMessage()).contains("was not applied");
                });
    }

    /**
     * Two movements share a batch that fails with the given error after the first one's caller has
     * stopped waiting. The second caller must hear the error, Reactor must drop nothing, and what
     * was logged about the first is returned.
     */
    private List<ILoggingEvent> errorsOnceTheFirstCallerLeft(Throwable error) {
        Sinks.Empty<Void> release = Sinks.empty();
        Function<List<LedgerCommand>, Flux<LedgerOutcome>> failsWhenReleased = commands -> {
            batches.add(commands);
            return release.asMono().then(Mono.<LedgerOutcome>error(error)).flux();
        };
        LedgerBatcher batcher = new LedgerBatcher(properties(1, 2), failsWhenReleased, Schedulers.parallel());
        LedgerCommand leaving = command(UUID.randomUUID(), 100);
        List<Throwable> dropped = Collections.synchronizedList(new ArrayList<>());
        // Reactor's per-subscriber hook for dropped errors (Hooks.KEY_ON_ERROR_DROPPED); without it the global one, which logs an ERROR.
        Disposable gone = batcher.submit(leaving).contextWrite(Context.of("reactor.onErrorDropped.local",
                (java.util.function.Consumer<Throwable>) dropped::add)).subscribe();
        Mono<LedgerOutcome> staying = batcher.submit(command(UUID.randomUUID(), 100)).cache();
        staying.subscribe(outcome -> { }, failed -> { });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !batches.isEmpty());
        Logger replies = (Logger) LoggerFactory.getLogger(Reply.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        replies.addAppender(lines);
        replies.setLevel(Level.DEBUG);
        try {
            gone.dispose();
            release.tryEmitEmpty();

            StepVerifier.create(staying).expectErrorMessage(error.getMessage()).verify(Duration.ofSeconds(5));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !lines.list.isEmpty());
        } finally {
            replies.detachAppender(lines);
            replies.setLevel(null);
            batches.clear();
        }
        assertThat(dropped).isEmpty();
        assertThat(lines.list).allSatisfy(line -> assertThat(line.getFormattedMessage()).contains(leaving.id().toString()));
        return lines.list;
    }

    private static BatchingProperties properties(int lanes, int sizeMax) {
        return new BatchingProperties(true, 1000, sizeMax, lanes, 20_000);
    }

    private static LedgerCommand command(UUID from, long amountMinor) {
        return LedgerCommand.move(TransactionType.TRANSFER, from, UUID.randomUUID(),
                Money.ofMinor(amountMinor, ONE.currency()), null, Map.of(), null, new Actor("test", null, null), null);
    }
}
