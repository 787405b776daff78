package dev.paygate.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The bus delivers by key, and closes a subscriber that falls behind without slowing the others. */
class EventBusTest {

    private final EventBus bus = new EventBus(new EventsProperties("t", "/paygate", Duration.ofMillis(50), 500,
            Duration.ofDays(7), Duration.ofHours(1), Duration.ofSeconds(15), 4, Duration.ofSeconds(10)));

    @Test
    void aSlowSubscriberIsClosedWhileAFastOneGetsEverything() {
        UUID account = UUID.randomUUID();

        StepVerifier.create(live(() -> bus.openAccount(account)), 0)
                .then(() -> StepVerifier.create(live(() -> bus.openAccount(account)))
                        .then(() -> publishTen(account))
                        .expectNextCount(10)
                        .thenCancel()
                        .verify(Duration.ofSeconds(5)))
                .thenRequest(10)
                .thenConsumeWhile(event -> event.position() < 10)
                .expectError(EventBus.SlowSubscriberException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(bus.subscriberCount()).isZero();
    }

    @Test
    void anEventReachesOnlyTheSubscribersOfItsAccountsAndTransaction() {
        UUID mine = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        UUID transaction = UUID.randomUUID();

        StepVerifier.create(live(() -> bus.openAccount(other)).take(Duration.ofMillis(300)))
                .then(() -> bus.publish(event(1, List.of(mine), transaction)))
                .verifyComplete();
        StepVerifier.create(live(() -> bus.openTransaction(transaction)).take(1))
                .then(() -> bus.publish(event(2, List.of(mine), transaction)))
                .expectNextMatches(event -> event.position() == 2)
                .verifyComplete();
    }

    /** A subscription read as a stream and closed when the stream ends, as EventStreams reads one. */
    private static Flux<PaygateEvent> live(Callable<EventBus.Subscription> open) {
        return Flux.using(open, EventBus.Subscription::events, EventBus.Subscription::close);
    }

    private void publishTen(UUID account) {
        for (int i = 1; i <= 10; i++) {
            bus.publish(event(i, List.of(account), UUID.randomUUID()));
        }
    }

    private static PaygateEvent event(long position, List<UUID> accounts, UUID transaction) {
        return new PaygateEvent(position, UUID.randomUUID(), "paygate.transaction.completed", transaction.toString(),
                Instant.now(), accounts, transaction, "COMPLETED", Map.of());
    }
}
