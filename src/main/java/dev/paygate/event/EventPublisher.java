package dev.paygate.event;

import java.util.List;
import reactor.core.publisher.Mono;

/** Where the relay hands events: Kafka when configured, else this instance's streams directly. */
interface EventPublisher {

    /** Completes only when every event is safely published (acknowledged by the broker). */
    Mono<Void> publish(List<PaygateEvent> events);

    /** A line for the startup log. */
    String describe();
}
