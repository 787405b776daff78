package dev.paygate.event;

import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.util.retry.Retry;

/**
 * Feeds this instance's streams from Kafka, so a client connected here sees what another
 * instance committed. Records are only read, never committed as offsets: the stream of a new
 * instance starts at the end of the topic.
 */
@Component
class KafkaFanIn implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(KafkaFanIn.class);

    private final EventBus bus;
    private final CloudEvents cloudEvents;
    private volatile @Nullable Disposable receiving;
    private volatile boolean assigned;

    KafkaFanIn(EventBus bus, CloudEvents cloudEvents) {
        this.bus = bus;
        this.cloudEvents = cloudEvents;
    }

    void start(KafkaReceiver<String, byte[]> receiver) {
        // receive() without acknowledging: no offsets are ever committed, so an instance's group
        // leaves nothing behind on the broker when the instance goes.
        receiving = receiver.receive()
                .doOnSubscribe(subscription -> assigned = false)
                .doOnNext(record -> {
                    try {
                        bus.publish(cloudEvents.fromBytes(record.value(), key(record.key())));
                    } catch (RuntimeException unreadable) {
                        log.warn("Skipped an unreadable event at offset {}: {}", record.offset(), unreadable.toString());
                    }
                })
                .doOnError(error -> assigned = false)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, java.time.Duration.ofSeconds(1))
                        .maxBackoff(java.time.Duration.ofSeconds(30))
                        .doBeforeRetry(signal -> log.warn("Kafka receiver failed, reconnecting: {}",
                                signal.failure().toString())))
                .subscribe();
    }

    /**
     * Whether this instance receives the topic: until its partitions are assigned, events committed
     * elsewhere would not reach its streams, so the instance is not ready (see {@link EventsHealth}).
     */
    boolean isReceiving() {
        return assigned;
    }

    void onAssigned() {
        assigned = true;
    }

    void onRevoked() {
        assigned = false;
    }

    private static @Nullable UUID key(@Nullable String key) {
        if (key == null || key.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(key);
        } catch (IllegalArgumentException notAnAccount) {
            return null;
        }
    }

    @Override
    public void destroy() {
        Disposable current = receiving;
        if (current != null) {
            current.dispose();
        }
    }
}
