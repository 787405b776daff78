package dev.paygate.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.TestKafkaBroker;
import dev.paygate.sandbox.SandboxBank;
import dev.paygate.support.Api;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.EventTopic;
import dev.paygate.support.SecondInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every state change of concurrent transfers and payouts arrives on the topic, keyed by account, in
 * order per key, none missing; and events committed while no relay runs are all published once it
 * runs again.
 */
class KafkaDeliveryTest extends EndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int TRANSFERS = 2000;
    private static final int PAYOUTS = 60;

    @Autowired
    OutboxRelay relay;

    /**
     * Thousands of internal transfers and some payouts (three states each) at once: every outbox
     * row of the accounts involved reaches the topic under its account's key, each key's events in
     * outbox order; a repeat, if the relay ever sends one, carries the same event id.
     */
    @Test
    void everyChangeOfConcurrentTransfersReachesTheTopicInOrderPerAccount() {
        try (KafkaConsumer<String, String> consumer = consumer()) {
            User owner = api.newCustomer();
            List<UUID> accounts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                UUID account = owner.openAccount("USD");
                api.operator().deposit(account, "100000.00", "USD");
                accounts.add(account);
            }
            Set<String> keys = new HashSet<>();
            accounts.forEach(account -> keys.add(account.toString()));

            List<String> payouts = Flux.range(0, TRANSFERS + PAYOUTS).parallel(32).runOn(Schedulers.boundedElastic())
                    .map(i -> i < TRANSFERS ? transfer(owner, accounts, i) : payout(owner, accounts.get(i % 8)))
                    .sequential().filter(id -> !id.isEmpty()).collectList().block();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> unsettled(payouts) == 0);

            Map<String, Long> expected = EventTopic.owed(db, accounts);
            assertThat(expected).hasSizeGreaterThan(2 * TRANSFERS);

            Map<String, Long> received = new HashMap<>();
            Map<String, List<Long>> sequencesByKey = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!received.keySet().containsAll(expected.keySet()) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (!keys.contains(record.key())) {
                        continue;
                    }
                    JsonNode event = JSON.readTree(record.value());
                    long sequence = Long.parseLong(event.get("sequence").asString());
                    Long before = received.put(event.get("id").asString() + "@" + record.key(), sequence);
                    assertThat(before).as("a repeated event is the same event").isIn(null, sequence);
                    sequencesByKey.computeIfAbsent(record.key(), key -> new ArrayList<>()).add(sequence);
                }
            }

            assertThat(received.keySet()).as("every change reached the topic").containsAll(expected.keySet());
            expected.forEach((event, position) -> assertThat(received.get(event)).isEqualTo(position));
            sequencesByKey.values().forEach(sequences -> assertThat(sequences).isSorted());
        }
    }

    private static String transfer(User owner, List<UUID> accounts, int i) {
        owner.client().post().uri("/transfers").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("from_account", accounts.get(i % 8).toString(),
                        "to_account", accounts.get((i * 7 + 1) % 8).toString(),
                        // Every tenth is refused: a FAILED transaction has its event too.
                        "amount", i % 10 == 0 ? "500000.00" : "1.00", "currency", "USD"))
                .exchange().expectStatus().value(status -> assertThat(status).isIn(201, 422));
        return "";
    }

    private static String payout(User owner, UUID account) {
        return owner.client().post().uri("/external-banks/" + SandboxBank.ID + "/transfers")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("account_id", account.toString(), "direction", "OUTBOUND", "amount", "2.00",
                        "currency", "USD", "counterparty", Map.of("name", "Jane Doe", "iban", "DE89370400440532013000")))
                .exchange().expectStatus().isAccepted()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();
    }

    private long unsettled(List<String> transfers) {
        return db.sql("SELECT count(*) AS n FROM transactions WHERE id = ANY(:ids) AND status NOT IN ('COMPLETED', 'FAILED')")
                .bind("ids", transfers.stream().map(UUID::fromString).toArray(UUID[]::new))
                .map(row -> row.get("n", Long.class)).one().block();
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
                assertThat(unpublished(account)).isEqualTo(20);
            } finally {
                relay.pause(false);
            }

            assertThat(subjects(consumer, account, made.size())).containsExactlyElementsOf(made);
        }
    }

    /**
     * A gateway stopped between commit and publish: what it committed is published by the next
     * gateway that starts. Every relay is held while the first instance commits, so none of them
     * can publish before it stops.
     */
    @Test
    void eventsAGatewayCommittedButNeverPublishedArePublishedByTheNextOneThatStarts() {
        try (KafkaConsumer<String, String> consumer = consumer()) {
            UUID account = api.newCustomer().openAccount("EUR");
            List<String> made = new ArrayList<>();
            relay.pause(true);
            try {
                try (ConfigurableApplicationContext stopped = SecondInstance.start()) {
                    stopped.getBean(OutboxRelay.class).pause(true);
                    Api first = new Api(SecondInstance.clientOf(stopped));
                    awaitReady(SecondInstance.clientOf(stopped));
                    for (int i = 0; i < 10; i++) {
                        made.add(first.operator().deposit(account, "1.00", "EUR").get("id").asString());
                    }
                }
                assertThat(unpublished(account)).isEqualTo(10);

                try (ConfigurableApplicationContext next = SecondInstance.start()) {
                    assertThat(subjects(consumer, account, made.size())).containsExactlyElementsOf(made);
                    // Marked sent once the broker acknowledged: a moment after a consumer may see them.
                    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> unpublished(account) == 0);
                }
            } finally {
                relay.pause(false);
            }
        }
    }

    private long unpublished(UUID account) {
        return db.sql("""
                        SELECT count(*) AS n FROM outbox o JOIN transactions t ON t.id = o.transaction_id
                        WHERE t.to_account = :account AND o.published_at IS NULL""")
                .bind("account", account).map(row -> row.get("n", Long.class)).one().block();
    }

    /** The subjects of the events under the account's key, in topic order, once {@code expected} of them arrived (30 s at most). */
    private static List<String> subjects(KafkaConsumer<String, String> consumer, UUID account, int expected) {
        return EventTopic.read(consumer, account.toString()::equals, read -> read.size() >= expected, Duration.ofSeconds(30))
                .stream().map(record -> JSON.readTree(record.value()).get("subject").asString()).toList();
    }

    /** A consumer of the suite's topic, from its end, once its partitions are assigned. */
    static KafkaConsumer<String, String> consumer() {
        return EventTopic.consumer(TestKafkaBroker.bootstrapServers());
    }
}
