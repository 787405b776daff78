package dev.paygate.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.TestKafkaBroker;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every state change of concurrent transfers arrives on the topic, keyed by account, in order per
 * key, none missing; and events committed while no relay runs are all published once it runs again.
 */
class KafkaDeliveryTest extends EndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    OutboxRelay relay;

    @Test
    void everyChangeOfConcurrentTransfersReachesTheTopicInOrderPerAccount() {
        try (KafkaConsumer<String, String> consumer = consumer()) {
            User owner = api.newCustomer();
            List<UUID> accounts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                UUID account = owner.openAccount("USD");
                api.operator().deposit(account, "1000.00", "USD");
                accounts.add(account);
            }
            Set<String> sent = new HashSet<>();
            Flux.range(0, 600).parallel(32).runOn(Schedulers.boundedElastic())
                    .map(i -> {
                        var result = owner.client().post().uri("/transfers").contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(Map.of("from_account", accounts.get(i % 6).toString(),
                                        "to_account", accounts.get((i * 7 + 1) % 6).toString(),
                                        "amount", i % 10 == 0 ? "5000.00" : "1.00", "currency", "USD"))
                                .exchange().expectBody(JsonNode.class).returnResult();
                        JsonNode body = result.getResponseBody();
                        return body.has("id") ? body.get("id").asString()
                                : body.has("transaction_id") ? body.get("transaction_id").asString() : "none";
                    })
                    .sequential().toIterable().forEach(sent::add);
            sent.remove("none");

            Map<String, List<Long>> sequencesByAccount = new HashMap<>();
            Set<String> received = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!received.containsAll(sent) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode event = JSON.readTree(record.value());
                    if (!accounts.contains(UUID.fromString(record.key()))) {
                        continue;
                    }
                    received.add(event.get("subject").asString());
                    sequencesByAccount.computeIfAbsent(record.key(), key -> new ArrayList<>())
                            .add(Long.parseLong(event.get("sequence").asString()));
                    assertThat(event.get("data").get("from_account").asString().equals(record.key())
                            || event.get("data").get("to_account").asString().equals(record.key())).isTrue();
                }
            }

            assertThat(received).as("every transaction's change reached the topic").containsAll(sent);
            sequencesByAccount.values().forEach(sequences -> assertThat(sequences).isSorted());
        }
    }

    @Test
    void eventsCommittedWhileTheRelayIsStoppedAreAllPublishedWhenItRuns() {
        try (KafkaConsumer<String, String> consumer = consumer()) {
            User alice = api.newCustomer();
            UUID account = alice.openAccount("EUR");
            relay.pause(true);
            List<String> made = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    made.add(api.operator().deposit(account, "1.00", "EUR").get("id").asString());
                }
                Long waiting = db.sql("""
                                SELECT count(*) AS n FROM outbox o JOIN transactions t ON t.id = o.transaction_id
                                WHERE t.to_account = :account AND o.published_at IS NULL""")
                        .bind("account", account).map(row -> row.get("n", Long.class)).one().block();
                assertThat(waiting).isEqualTo(20);
            } finally {
                relay.pause(false);
            }

            List<String> received = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.size() < made.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key().equals(account.toString())) {
                        received.add(JSON.readTree(record.value()).get("subject").asString());
                    }
                }
            }
            assertThat(received).containsExactlyElementsOf(made);
        }
    }

    private static KafkaConsumer<String, String> consumer() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafkaBroker.bootstrapServers());
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
}
