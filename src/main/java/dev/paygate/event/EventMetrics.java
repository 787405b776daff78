package dev.paygate.event;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * paygate_outbox_lag_seconds (age of the oldest event not yet published: a growing value means
 * the relay or Kafka is stuck) and paygate_sse_subscribers; and the cleanup of published events
 * past their retention.
 */
@Component
class EventMetrics {

    private static final Logger log = LoggerFactory.getLogger(EventMetrics.class);
    private static final int CLEANUP_BATCH_MAX = 10_000;

    private final OutboxEvents outbox;
    private final EventsProperties properties;
    private final AtomicReference<Double> lagSeconds = new AtomicReference<>(0.0);

    EventMetrics(OutboxEvents outbox, EventBus bus, EventsProperties properties, MeterRegistry meters) {
        this.outbox = outbox;
        this.properties = properties;
        Gauge.builder("paygate.outbox.lag", lagSeconds, AtomicReference::get).baseUnit("seconds")
                .description("Age of the oldest event not yet published").register(meters);
        Gauge.builder("paygate.sse.subscribers", bus, EventBus::subscriberCount)
                .description("Open event streams on this instance").register(meters);
    }

    /** Measured off the request path: a scrape never waits for the database. */
    @Scheduled(fixedDelayString = "5s", initialDelayString = "5s")
    Mono<Double> measureLag() {
        return outbox.lagSeconds().doOnNext(lagSeconds::set)
                .onErrorResume(error -> {
                    log.debug("Could not measure the outbox lag: {}", error.toString());
                    return Mono.empty();
                });
    }

    @Scheduled(fixedDelayString = "${paygate.events.cleanup-interval:1h}", initialDelayString = "1m")
    Mono<Long> deleteOldEvents() {
        Instant cutoff = Instant.now().minus(properties.retention());
        return outbox.deletePublishedBefore(cutoff, CLEANUP_BATCH_MAX)
                .expand(deleted -> deleted == CLEANUP_BATCH_MAX
                        ? outbox.deletePublishedBefore(cutoff, CLEANUP_BATCH_MAX) : Mono.empty())
                .reduce(0L, Long::sum)
                .doOnNext(deleted -> {
                    if (deleted > 0) {
                        log.info("Deleted {} published events older than {}", deleted, properties.retention());
                    }
                });
    }
}
