package dev.paygate.event;

import io.micrometer.observation.ObservationRegistry;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;

/**
 * Kafka when {@code spring.kafka.bootstrap-servers} (or {@code KAFKA_BOOTSTRAP_SERVERS}) is set,
 * else events stay in-process.
 */
@Configuration(proxyBeanMethods = false)
class EventsConfig {

    private final String bootstrapServers;

    EventsConfig(@Value("${spring.kafka.bootstrap-servers:${KAFKA_BOOTSTRAP_SERVERS:}}") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers.trim();
    }

    boolean kafkaConfigured() {
        return !bootstrapServers.isEmpty();
    }

    @Bean
    EventPublisher eventPublisher(EventBus bus, CloudEvents cloudEvents, EventsProperties properties,
                                  KafkaFanIn fanIn, ObjectProvider<ObservationRegistry> observations) {
        if (!kafkaConfigured()) {
            return new InProcessPublisher(bus);
        }
        fanIn.start(receiver(properties, fanIn));
        ObservationRegistry registry = observations.getIfAvailable(() -> ObservationRegistry.NOOP);
        return new KafkaPublisher(KafkaSender.create(senderOptions(registry)), cloudEvents, properties,
                bootstrapServers, registry);
    }

    private SenderOptions<String, byte[]> senderOptions(ObservationRegistry observations) {
        return SenderOptions.<String, byte[]>create(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                        ProducerConfig.LINGER_MS_CONFIG, 2))
                .maxInFlight(1024)
                .withObservation(observations, new KafkaPublisher.RecordSends());
    }

    /**
     * Every instance reads the whole topic in a group of its own, from the newest record on: it
     * needs only what happens while it runs (a client resuming gets older events from the outbox).
     */
    private KafkaReceiver<String, byte[]> receiver(EventsProperties properties, KafkaFanIn fanIn) {
        ReceiverOptions<String, byte[]> options = ReceiverOptions.<String, byte[]>create(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                        ConsumerConfig.GROUP_ID_CONFIG, "paygate-streams-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))
                .subscription(java.util.List.of(properties.topic()))
                .addAssignListener(partitions -> fanIn.onAssigned())
                .addRevokeListener(partitions -> fanIn.onRevoked());
        return KafkaReceiver.create(options);
    }
}
