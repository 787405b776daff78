package dev.paygate.event;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * Fans events out to this instance's stream subscribers, by key: an event reaches only the
 * subscribers of its accounts and its transaction, so the cost of an event does not grow with
 * the number of streams open. Each subscriber has a small bounded queue; one that falls behind
 * is closed (its client reconnects with Last-Event-ID) instead of growing the server's memory.
 */
@Component
class EventBus {

    private final Map<UUID, Set<Subscriber>> byAccount = new ConcurrentHashMap<>();
    private final Map<UUID, Set<Subscriber>> byTransaction = new ConcurrentHashMap<>();
    private final AtomicInteger subscribers = new AtomicInteger();
    private final int bufferMax;
    private volatile boolean closing;

    EventBus(EventsProperties properties) {
        this.bufferMax = properties.sseBufferMax();
    }

    /**
     * Live events of an account's transactions from now on, held in the subscription's queue until
     * its events are read, so a stream can replay what its client missed first without a second
     * buffer. The caller closes it.
     */
    Subscription openAccount(UUID account) {
        return open(byAccount, account);
    }

    /** As {@link #openAccount}, for one transaction. */
    Subscription openTransaction(UUID transaction) {
        return open(byTransaction, transaction);
    }

    void publish(PaygateEvent event) {
        for (UUID account : event.accounts()) {
            deliver(byAccount.get(account), event);
        }
        if (event.transactionId() != null) {
            deliver(byTransaction.get(event.transactionId()), event);
        }
    }

    int subscriberCount() {
        return subscribers.get();
    }

    /**
     * Ends every stream with {@link ShuttingDownException}, so clients reconnect (to another
     * instance) while this one shuts down; a stream opened from now on ends at once, or it would
     * hold the web server's graceful shutdown for its whole timeout.
     */
    void closeAll() {
        closing = true;
        for (Map<UUID, Set<Subscriber>> index : java.util.List.of(byAccount, byTransaction)) {
            index.values().forEach(set -> set.forEach(Subscriber::shutDown));
        }
    }

    /** Streams may open again (the context was stopped and started, as in a refresh). */
    void open() {
        closing = false;
    }

    private Subscription open(Map<UUID, Set<Subscriber>> index, UUID key) {
        Subscriber subscriber = new Subscriber(Sinks.many().unicast().onBackpressureBuffer(
                Queues.<PaygateEvent>get(bufferMax).get()));
        index.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(subscriber);
        subscribers.incrementAndGet();
        // Read after the subscriber is indexed, as closeAll sets the flag before it reads the index:
        // a stream that opens while closeAll runs is ended by one or the other.
        if (closing) {
            subscriber.shutDown();
        }
        AtomicBoolean closed = new AtomicBoolean();
        return new Subscription(subscriber.sink.asFlux(), () -> {
            if (closed.compareAndSet(false, true)) {
                subscribers.decrementAndGet();
                index.computeIfPresent(key, (k, set) -> {
                    set.remove(subscriber);
                    return set.isEmpty() ? null : set;
                });
            }
        });
    }

    /** One open subscription: its events (to be read once) and how to end it; closing twice is harmless. */
    record Subscription(Flux<PaygateEvent> events, Runnable closer) {

        void close() {
            closer.run();
        }
    }

    private static void deliver(Set<Subscriber> subscribers, PaygateEvent event) {
        if (subscribers != null) {
            subscribers.forEach(subscriber -> subscriber.emit(event));
        }
    }

    /** One stream's queue. Emissions are serialised: the relay and the Kafka receiver may both publish. */
    private static final class Subscriber {

        private final Sinks.Many<PaygateEvent> sink;

        Subscriber(Sinks.Many<PaygateEvent> sink) {
            this.sink = sink;
        }

        synchronized void emit(PaygateEvent event) {
            if (sink.tryEmitNext(event) == Sinks.EmitResult.FAIL_OVERFLOW) {
                sink.tryEmitError(new SlowSubscriberException());
            }
        }

        synchronized void shutDown() {
            sink.tryEmitError(new ShuttingDownException());
        }
    }

    /** A stream ended because this instance shuts down; the client resumes elsewhere with Last-Event-ID. */
    static final class ShuttingDownException extends RuntimeException {
        ShuttingDownException() {
            super("This instance is shutting down; reconnect with Last-Event-ID to resume", null, false, false);
        }
    }

    /** A stream whose client read too slowly; it is closed, and the client resumes with Last-Event-ID. */
    static final class SlowSubscriberException extends RuntimeException {
        SlowSubscriberException() {
            super("The stream's client fell too far behind; reconnect with Last-Event-ID to resume", null, false, false);
        }
    }
}
