package dev.paygate.support;

import dev.paygate.TestKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.r2dbc.core.DatabaseClient;
import tools.jackson.databind.json.JsonMapper;

/** The event topic as a downstream consumer reads it: from its end, in a consumer group of its own. */
public final class EventTopic {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private EventTopic() {
    }

    /** A consumer of the topic on this broker, from its end, once its partitions are assigned. */
    public static KafkaConsumer<String, String> consumer(String bootstrapServers) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties);
        consumer.subscribe(List.of(TestKafkaBroker.TOPIC));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200));
        }
        return consumer;
    }

    /**
     * The records whose key {@code keep} accepts, in the order read, polled until {@code done} holds
     * for them or {@code timeout} has passed (the caller asserts what it needed).
     */
    public static List<ConsumerRecord<String, String>> read(KafkaConsumer<String, String> consumer, Predicate<String> keep,
                                                            Predicate<List<ConsumerRecord<String, String>>> done,
                                                            Duration timeout) {
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(read) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.key() != null && keep.test(record.key())) {
                    read.add(record);
                }
            }
        }
        return read;
    }

    /**
     * What the relay owes the topic for these customer accounts: each outbox row of their
     * transactions once under each of them, as {@code eventId@account}, with the row's position.
     */
    public static Map<String, Long> owed(DatabaseClient db, Collection<UUID> accounts) {
        Map<String, Long> owed = new HashMap<>();
        db.sql("""
                        SELECT o.event_id::text AS id, a.id::text AS account, o.position
                        FROM outbox o JOIN transactions t ON t.id = o.transaction_id
                             JOIN accounts a ON a.id IN (t.from_account, t.to_account)
                        WHERE a.id = ANY(:accounts)""")
                .bind("accounts", accounts.toArray(UUID[]::new))
                .map(row -> Map.entry(row.get("id", String.class) + "@" + row.get("account", String.class),
                        row.get("position", Long.class)))
                .all().toIterable().forEach(row -> owed.put(row.getKey(), row.getValue()));
        return owed;
    }

    /** A record as {@link #owed} names it: {@code eventId@key}. */
    public static String delivery(ConsumerRecord<String, String> record) {
        return JSON.readTree(record.value()).get("id").asString() + "@" + record.key();
    }
}
