package dev.paygate.event;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Part of readiness: with Kafka configured, an instance is ready only once it receives the
 * topic, so a client sent to it never misses an event committed on another instance.
 */
@Component("events")
class EventsHealth implements HealthIndicator {

    private final EventPublisher publisher;
    private final KafkaFanIn fanIn;

    EventsHealth(EventPublisher publisher, KafkaFanIn fanIn) {
        this.publisher = publisher;
        this.fanIn = fanIn;
    }

    @Override
    public Health health() {
        if (publisher instanceof InProcessPublisher) {
            return Health.up().withDetail("mode", "in-process").build();
        }
        return fanIn.isReceiving()
                ? Health.up().withDetail("mode", "kafka").build()
                : Health.down().withDetail("mode", "kafka").withDetail("reason", "not yet receiving the topic").build();
    }
}
