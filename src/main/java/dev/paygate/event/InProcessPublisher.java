package dev.paygate.event;

import java.util.List;
import reactor.core.publisher.Mono;

/** Without Kafka: events go straight to this instance's streams (one instance sees only its own). */
final class InProcessPublisher implements EventPublisher {

    private final EventBus bus;

    InProcessPublisher(EventBus bus) {
        this.bus = bus;
    }

    @Override
    public Mono<Void> publish(List<PaygateEvent> events) {
        return Mono.fromRunnable(() -> events.forEach(bus::publish));
    }

    @Override
    public String describe() {
        return "in-process (no Kafka configured: streams see this instance's events only)";
    }
}
