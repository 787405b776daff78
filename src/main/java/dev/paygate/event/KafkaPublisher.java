package dev.paygate.event;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderRecord;
import reactor.kafka.sender.observation.KafkaRecordSenderContext;
import reactor.kafka.sender.observation.KafkaSenderObservation;
import reactor.kafka.sender.observation.KafkaSenderObservationConvention;

/**
 * Publishes to Kafka: a transaction event once per customer account it touches, keyed by the
 * account so that one account's events stay in order on one partition; other events keyed by
 * their partition key. Completes only when the broker acknowledged every record.
 *
 * <p>Each call is one observation ({@value #OBSERVATION}, a span {@code publish <topic>} and a
 * timer) lasting until the broker acknowledged the whole batch; reactor-kafka makes a child span
 * {@code send <topic>} per record and writes its trace context into the record's headers
 * ({@code traceparent}), so a consumer's work joins the trace.
 */
final class KafkaPublisher implements EventPublisher {

    static final String OBSERVATION = "paygate.events.publish";
    static final String DESTINATION = "messaging.destination.name";

    private final KafkaSender<String, byte[]> sender;
    private final CloudEvents cloudEvents;
    private final EventsProperties properties;
    private final String bootstrapServers;
    private final ObservationRegistry observations;

    KafkaPublisher(KafkaSender<String, byte[]> sender, CloudEvents cloudEvents, EventsProperties properties,
                   String bootstrapServers, ObservationRegistry observations) {
        this.sender = sender;
        this.cloudEvents = cloudEvents;
        this.properties = properties;
        this.bootstrapServers = bootstrapServers;
        this.observations = observations;
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
        return Mono.defer(() -> observed(send(records), records.size()));
    }

    private Mono<Void> send(List<SenderRecord<String, byte[], Long>> records) {
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

    /** The batch as one observation, the parent of the per-record spans (read from the Reactor context). */
    private Mono<Void> observed(Mono<Void> sending, int recordCount) {
        Observation batch = Observation.createNotStarted(OBSERVATION, observations)
                .contextualName("publish " + properties.topic())
                .lowCardinalityKeyValue(DESTINATION, properties.topic())
                .highCardinalityKeyValue("messaging.batch.message_count", Integer.toString(recordCount))
                .start();
        return sending
                .doOnError(batch::error)
                .doFinally(signal -> batch.stop())
                .contextWrite(context -> context.put(ObservationThreadLocalAccessor.KEY, batch));
    }

    @Override
    public String describe() {
        return "Kafka at " + bootstrapServers + ", topic " + properties.topic()
                + " (every instance streams every instance's events)";
    }

    /** reactor-kafka's per-record observation, named as OpenTelemetry's messaging conventions name a send. */
    static final class RecordSends implements KafkaSenderObservationConvention {

        @Override
        public String getContextualName(KafkaRecordSenderContext context) {
            return "send " + context.getDestination();
        }

        @Override
        public KeyValues getLowCardinalityKeyValues(KafkaRecordSenderContext context) {
            return KafkaSenderObservation.DefaultKafkaSenderObservationConvention.INSTANCE
                    .getLowCardinalityKeyValues(context)
                    .and(DESTINATION, context.getDestination());
        }
    }
}
