package dev.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.TestDataDirectory;
import dev.paygate.support.Api;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.EventTopic;
import dev.paygate.support.KafkaBrokerProcess;
import dev.paygate.support.LedgerState;
import dev.paygate.support.SecondInstance;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The Kafka broker goes away while money moves, and comes back: the gateway keeps answering, the
 * events wait in the outbox, and once the broker is back every one of them reaches the topic.
 *
 * <p>A broker of its own in a JVM of its own ({@link KafkaBrokerProcess}), so stopping it leaves
 * the suite's broker alone; and a gateway of its own with its own database, so no other instance's
 * relay publishes its outbox to the suite's broker meanwhile.
 */
class KafkaOutageTest {

    private static final Logger log = LoggerFactory.getLogger(KafkaOutageTest.class);

    private static final int BEFORE = 10;
    /** As long as the database outage test's: several relay rounds fail in it. */
    private static final Duration OUTAGE = Duration.ofSeconds(10);
    /** The relay's wait for the broker's acknowledgement, shortened from 10 s to the test's scale. */
    private static final String SEND_TIMEOUT = "2s";
    /** Far below the request deadline: a transfer must not wait for the broker at all. */
    private static final Duration ANSWER_MAX = Duration.ofSeconds(3);

    @Test
    void eventsWaitInTheOutboxWhileTheBrokerIsDownAndAllGoOutWhenItIsBack() throws Exception {
        Path root = Path.of(TestDataDirectory.ROOT, "kafka-outage-" + UUID.randomUUID());
        // Not under the suite's data directory: the first context of a JVM wipes that, broker or not.
        try (KafkaBrokerProcess broker = new KafkaBrokerProcess(Path.of("target", "kafka-outage-" + UUID.randomUUID()))) {
            broker.start();
            try (ConfigurableApplicationContext gateway = SecondInstance.start(
                    "--spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                    "--paygate.events.kafka-send-timeout=" + SEND_TIMEOUT,
                    "--paygate.database.embedded.data-directory=" + root.resolve("postgres-17"));
                 KafkaConsumer<String, String> consumer = EventTopic.consumer(broker.bootstrapServers())) {
                WebTestClient client = SecondInstance.clientOf(gateway);
                EndToEndTest.awaitReady(client);
                DatabaseClient db = gateway.getBean(DatabaseClient.class);
                Api api = new Api(client);
                User alice = api.newCustomer();
                UUID from = alice.openAccount("USD");
                UUID to = api.newCustomer().openAccount("USD");
                api.operator().deposit(from, "100.00", "USD");
                transfers(alice, from, to, BEFORE);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> unpublished(db) == 0);

                broker.stop();
                Set<Integer> readinessDuring = new HashSet<>();
                int during = 0;
                for (Instant end = Instant.now().plus(OUTAGE); Instant.now().isBefore(end); during++) {
                    transfers(alice, from, to, 1);
                    readinessDuring.add(readiness(client));
                }
                assertThat(unpublished(db)).as("events waiting in the outbox").isGreaterThanOrEqualTo(during);
                // Readiness is the database and whether this instance was assigned the topic's partitions;
                // the consumer keeps its assignment while the broker is away, so the gateway stays ready
                // (and takes payments) rather than dropping out of its load balancer over a broker.
                assertThat(readinessDuring).as("readiness answers while the broker is down").containsOnly(200);

                broker.start();
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> unpublished(db) == 0);
                Set<String> owed = EventTopic.owed(db, List.of(from, to)).keySet();
                assertThat(owed).hasSizeGreaterThanOrEqualTo(2 * (BEFORE + during));
                Set<String> keys = Set.of(from.toString(), to.toString());
                Map<String, Long> deliveries = EventTopic.read(consumer, keys::contains,
                                read -> read.stream().map(EventTopic::delivery).collect(Collectors.toSet()).containsAll(owed),
                                Duration.ofSeconds(60))
                        .stream().map(EventTopic::delivery)
                        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
                assertThat(deliveries.keySet()).as("events on the topic after the outage").containsAll(owed);
                // Delivery is at least once: a batch the broker took after the relay gave up waiting is sent again.
                log.info("Kafka outage: {} transfers during {}, {} events owed, {} delivered more than once", during, OUTAGE,
                        owed.size(), deliveries.values().stream().filter(times -> times > 1).count());
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> readiness(client) == 200);
                transfers(alice, from, to, 1);
                new LedgerState(db).assertInvariants();
            }
        }
    }

    /** {@code count} transfers of 0.01, each answered 201 within {@link #ANSWER_MAX}. */
    private static void transfers(User user, UUID from, UUID to, int count) {
        for (int i = 0; i < count; i++) {
            long started = System.nanoTime();
            user.transfer(from, to, "0.01", "USD").expectStatus().isCreated();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("transfer %d answered in", i).isLessThan(ANSWER_MAX);
        }
    }

    private static int readiness(WebTestClient client) {
        return client.get().uri("/actuator/health/readiness").exchange().returnResult(String.class).getStatus().value();
    }

    private static long unpublished(DatabaseClient db) {
        return db.sql("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")
                .map(row -> row.get("n", Long.class)).one().block();
    }
}
