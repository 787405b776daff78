package dev.paygate.event;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderRecord;

/**
 * Publishes to Kafka: a transaction event once per customer account it touches, keyed by the
 * account so that one account's events stay in order on one partition; other events keyed by
 * their partition key. Completes only when the broker acknowledged every record.
 */
final class KafkaPublisher implements EventPublisher {

    private final KafkaSender<String, byte[]> sender;
    private final CloudEvents cloudEvents;
    private final EventsProperties properties;
    private final String bootstrapServers;

    KafkaPublisher(KafkaSender<String, byte[]> sender, CloudEvents cloudEvents, EventsProperties properties,
                   String bootstrapServers) {
        this.sender = sender;
        this.cloudEvents = cloudEvents;
        this.properties = properties;
        this.bootstrapServers = bootstrapServers;
    }

    @Override
    public Mono<Void> publish(List<PaygateEvent> events) {
        List<SenderRecord<String, byte[], Long>> records = new ArrayList<>();
        for (PaygateEvent event : events) {
            byte[] value = cloudEvents.toBytes(event);
            List<String> keys = event.isTransactionEvent()
                    ? event.accounts().stream().map(Object::toString).toList()
                    : List.of(event.subject());
            for (String key : keys.isEmpty() ? List.of(event.subject()) : keys) {
                records.add(SenderRecord.create(new ProducerRecord<>(properties.topic(), key, value), event.position()));
            }
        }
        return sender.send(Flux.fromIterable(records))
                .doOnNext(result -> {
                    if (result.exception() != null) {
                        throw new IllegalStateException("Kafka refused event " + result.correlationMetadata(),
                                result.exception());
                    }
                })
                .then()
                .timeout(properties.kafkaSendTimeout());
    }

    @Override
    public String describe() {
        return "Kafka at " + bootstrapServers + ", topic " + properties.topic()
                + " (every instance streams every instance's events)";
    }
}
