package dev.paygate.event;

import dev.paygate.common.PollingWorker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Publishes outbox rows in position order and marks them published only after the publisher
 * (the Kafka broker) acknowledged them. A row committed but not yet published when the gateway
 * stops is published after it starts again: nothing is lost; a crash after publishing and before
 * marking publishes it twice, which consumers recognise by its event id.
 *
 * <p>Several instances run the relay. Each round is one database transaction that first takes a
 * transaction-scoped advisory lock: one instance publishes at a time, so an account's events
 * reach Kafka in order, and if that instance dies its lock dies with its connection and another
 * takes over at its next round. Rows are also claimed {@code FOR UPDATE SKIP LOCKED}.
 */
@Component
class OutboxRelay extends PollingWorker {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final OutboxEvents outbox;
    private final Webhooks webhooks;
    private final CloudEvents cloudEvents;
    private final EventPublisher publisher;
    private final TransactionalOperator transactional;
    private final EventsProperties properties;
    private final Counter published;
    private volatile boolean paused;

    OutboxRelay(OutboxEvents outbox, Webhooks webhooks, CloudEvents cloudEvents, EventPublisher publisher,
                TransactionalOperator transactional, EventsProperties properties, MeterRegistry meters) {
        super("Outbox relay", properties.relayBatchMax(), properties.relayInterval());
        this.outbox = outbox;
        this.webhooks = webhooks;
        this.cloudEvents = cloudEvents;
        this.publisher = publisher;
        this.transactional = transactional;
        this.properties = properties;
        this.published = Counter.builder("paygate.events.published")
                .description("Events the relay published (each once per Kafka key)").register(meters);
    }

    @Override
    public void start() {
        if (!isRunning()) {
            log.info("Events: relay publishes the outbox to {}", publisher.describe());
        }
        super.start();
    }

    /** One round: publish what is waiting, at most a batch; answers how many rows it published. */
    @Override
    protected Mono<Integer> round() {
        if (paused) {
            return Mono.just(0);
        }
        return transactional.transactional(outbox.tryLeadRelayRound().flatMap(leading -> leading
                ? outbox.claimUnpublished(properties.relayBatchMax()).collectList().flatMap(this::publish)
                : Mono.just(0)));
    }

    private Mono<Integer> publish(List<PaygateEvent> events) {
        if (events.isEmpty()) {
            return Mono.just(0);
        }
        // Deliveries are owed in the same database transaction that marks the events published:
        // an event is published and owed to its webhooks, or neither.
        return publisher.publish(events)
                .then(webhooks.enqueue(events, cloudEvents))
                .then(outbox.markPublished(events.stream().map(PaygateEvent::position).toList()))
                .doOnNext(marked -> published.increment(events.size()))
                .thenReturn(events.size());
    }

    /** For tests of what happens to events committed while no relay runs. */
    void pause(boolean paused) {
        this.paused = paused;
    }

    @Override
    public int getPhase() {
        // Stops before the web server does, after streams were told to reconnect.
        return SmartLifecycle.DEFAULT_PHASE - 100;
    }

}
