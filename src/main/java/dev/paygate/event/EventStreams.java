package dev.paygate.event;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;

/**
 * The events a stream delivers: what the client missed (from the outbox, when it resumes with
 * Last-Event-ID), then live events, without a gap or a duplicate at the seam. The live
 * subscription starts first, so nothing committed during the look-back is lost; anything seen
 * twice is dropped by position.
 */
@Service
class EventStreams {

    private final EventBus bus;
    private final OutboxEvents outbox;

    EventStreams(EventBus bus, OutboxEvents outbox) {
        this.bus = bus;
        this.outbox = outbox;
    }

    /** An account's events; with {@code after} >= 0 the stream first replays those after that position. */
    Flux<PaygateEvent> account(UUID account, long after) {
        Flux<PaygateEvent> missed = after < 0 ? Flux.empty() : outbox.afterForAccount(account, after);
        return inOrder(() -> bus.openAccount(account), missed, after);
    }

    /**
     * A transaction's events: with {@code after} >= 0 those after it, else its current state first;
     * the stream ends with the first terminal state.
     */
    Flux<PaygateEvent> transaction(UUID transaction, long after) {
        Flux<PaygateEvent> start = after < 0
                ? outbox.latestForTransaction(transaction).flux()
                : outbox.afterForTransaction(transaction, after);
        return inOrder(() -> bus.openTransaction(transaction), start, after)
                .takeUntil(PaygateEvent::isTerminal);
    }

    private static Flux<PaygateEvent> inOrder(Supplier<EventBus.Subscription> live, Flux<PaygateEvent> first,
            long after) {
        AtomicLong last = new AtomicLong(after);
        // The subscription opens before the look-back starts and queues live events meanwhile.
        return Flux.using(live::get, subscription -> Flux.concat(first, subscription.events()), EventBus.Subscription::close)
                .filter(event -> {
                    long seen = last.get();
                    if (event.position() <= seen) {
                        return false;
                    }
                    last.set(event.position());
                    return true;
                });
    }
}
