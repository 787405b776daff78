package dev.paygate.event;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How events travel from the outbox to Kafka, SSE clients and webhooks.
 *
 * @param topic                Kafka topic of all events
 * @param source               CloudEvents {@code source} of every event
 * @param relayInterval        how long the relay waits when the outbox is empty
 * @param relayBatchMax        outbox rows published per relay round
 * @param retention            how long published events are kept for clients resuming with Last-Event-ID
 * @param cleanupInterval      how often older events are deleted
 * @param sseHeartbeat         how often an idle stream sends a comment, so proxies keep it open
 * @param sseBufferMax         events held for one slow stream before it is closed (it reconnects and resumes)
 * @param kafkaSendTimeout     how long the relay waits for the broker's acknowledgement
 */
@ConfigurationProperties("paygate.events")
public record EventsProperties(
        @DefaultValue("paygate.transactions.v1") String topic,
        @DefaultValue("/paygate") String source,
        @DefaultValue("50ms") Duration relayInterval,
        @DefaultValue("500") int relayBatchMax,
        @DefaultValue("7d") Duration retention,
        @DefaultValue("1h") Duration cleanupInterval,
        @DefaultValue("15s") Duration sseHeartbeat,
        @DefaultValue("256") int sseBufferMax,
        @DefaultValue("10s") Duration kafkaSendTimeout) {

    public EventsProperties {
        if (topic.isBlank()) {
            throw new IllegalArgumentException("paygate.events.topic must not be blank");
        }
        if (relayBatchMax < 1 || relayBatchMax > 10_000) {
            throw new IllegalArgumentException("paygate.events.relay-batch-max must be 1..10000");
        }
        if (sseBufferMax < 1 || sseBufferMax > 100_000) {
            throw new IllegalArgumentException("paygate.events.sse-buffer-max must be 1..100000");
        }
        if (relayInterval.isNegative() || relayInterval.isZero() || sseHeartbeat.isNegative() || sseHeartbeat.isZero()) {
            throw new IllegalArgumentException("paygate.events intervals must be positive");
        }
        if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("paygate.events.retention must be at least 1m");
        }
    }
}
