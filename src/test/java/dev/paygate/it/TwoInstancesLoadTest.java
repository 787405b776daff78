package dev.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.TestKafkaBroker;
import dev.paygate.bank.BankRegistry;
import dev.paygate.bank.ExternalBanks.AuthMethod;
import dev.paygate.support.Api;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.EventTopic;
import dev.paygate.support.SandboxBanks;
import dev.paygate.support.SecondInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

/**
 * Two gateway instances on one database and one broker, as two replicas behind a load balancer:
 * transfers and payouts (to a sandbox bank that sometimes executes without answering, sometimes
 * errs and sometimes refuses) spread over both at once. Both instances' bank workers and outbox relays race for the same
 * rows; the ledger must stay exact, every payout settle once as the bank saw it, and every event
 * reach the topic once.
 */
class TwoInstancesLoadTest extends EndToEndTest {

    private static final int ACCOUNTS = 8;
    private static final int TRANSFERS = 400;
    private static final int PAYOUTS = 200;
    private static final int IN_FLIGHT_MAX = 32;

    @Autowired
    BankRegistry registry;

    @LocalServerPort
    int port;

    @Test
    void invariantsHoldAndEveryPayoutAndEventIsHandledOnceAcrossInstances() {
        try (ConfigurableApplicationContext second = SecondInstance.start();
             KafkaConsumer<String, String> consumer = EventTopic.consumer(TestKafkaBroker.bootstrapServers())) {
            awaitReady(SecondInstance.clientOf(second));
            SandboxBanks banks = new SandboxBanks(registry, db, port);
            UUID bank = banks.register(AuthMethod.HMAC);
            api.admin().put("/external-banks/" + bank + "/sandbox-faults", Map.of("execute_then_timeout_rate", 0.2,
                    "error_rate", 0.1, "refuse_rate", 0.1, "latency_ms", 20, "seed", 11)).expectStatus().isOk();
            User onFirst = api.newCustomer();
            User onSecond = new Api(SecondInstance.clientOf(second)).user(onFirst.id(), "CUSTOMER");
            List<UUID> accounts = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) {
                UUID account = (i % 2 == 0 ? onFirst : onSecond).openAccount("EUR");
                api.operator().deposit(account, "10000.00", "EUR");
                accounts.add(account);
            }
            Map<Integer, Integer> statuses = new ConcurrentHashMap<>();

            List<String> payouts = Flux.range(0, TRANSFERS + PAYOUTS).parallel(IN_FLIGHT_MAX).runOn(Schedulers.boundedElastic())
                    .map(i -> send(i % 2 == 0 ? onFirst : onSecond, i, bank, accounts, statuses))
                    .sequential().filter(id -> !id.isEmpty()).collectList().block();

            assertThat(statuses.keySet()).as("HTTP statuses seen").isSubsetOf(201, 202, 422);
            assertThat(payouts).hasSize(PAYOUTS);
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> banks.unsettled(bank) == 0);
            ledger.assertInvariants();
            Map<String, String> ours = banks.statuses(bank);
            assertThat(payouts).allSatisfy(id -> assertThat(ours.get(id)).as("payout %s", id).isIn("COMPLETED", "FAILED"));
            assertThat(ours.values()).contains("COMPLETED", "FAILED");
            assertThat(banks.disagreements(bank)).as("payouts where Paygate and the bank disagree").isEmpty();
            assertThat(changesMadeTwice(accounts)).as("state changes recorded more than once").isEmpty();
            assertEveryEventReachedTheTopicOnce(consumer, accounts);
        }
    }

    /** Request {@code i}: two in three are transfers between the accounts (some refused), the rest payouts. */
    private static String send(User user, int i, UUID bank, List<UUID> accounts, Map<Integer, Integer> statuses) {
        UUID from = accounts.get(i % ACCOUNTS);
        boolean payout = i % 3 == 2;
        Map<String, Object> body = payout
                ? Map.of("account_id", from.toString(), "direction", i % 6 == 5 ? "INBOUND" : "OUTBOUND",
                        "amount", (1 + i % 50) + ".00", "currency", "EUR",
                        "counterparty", Map.of("name", "Jane Doe", "iban", "DE89370400440532013000"))
                // Every tenth asks for more than any account holds: refusals race the rest too.
                : Map.of("from_account", from.toString(), "to_account", accounts.get((i * 7 + 3) % ACCOUNTS).toString(),
                        "amount", i % 10 == 0 ? "900000.00" : (1 + i % 17) + ".25", "currency", "EUR");
        var result = user.client().post().uri(payout ? "/external-banks/" + bank + "/transfers" : "/transfers")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectBody(JsonNode.class).returnResult();
        statuses.merge(result.getStatus().value(), 1, Integer::sum);
        return payout && result.getStatus().value() == 202 ? result.getResponseBody().get("id").asString() : "";
    }

    /** A transaction's change (its outbox event type) written twice would mean two workers both moved it. */
    private List<Map<String, Object>> changesMadeTwice(List<UUID> accounts) {
        return db.sql("""
                        SELECT o.transaction_id, o.type, count(*) AS times
                        FROM outbox o JOIN transactions t ON t.id = o.transaction_id
                        WHERE t.from_account = ANY(:accounts) OR t.to_account = ANY(:accounts)
                        GROUP BY o.transaction_id, o.type HAVING count(*) > 1""")
                .bind("accounts", accounts.toArray(UUID[]::new)).fetch().all().collectList().block();
    }

    private void assertEveryEventReachedTheTopicOnce(KafkaConsumer<String, String> consumer, List<UUID> accounts) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> db.sql("""
                        SELECT count(*) AS n FROM outbox o JOIN transactions t ON t.id = o.transaction_id
                        WHERE o.published_at IS NULL AND (t.from_account = ANY(:accounts) OR t.to_account = ANY(:accounts))""")
                .bind("accounts", accounts.toArray(UUID[]::new)).map(row -> row.get("n", Long.class)).one().block() == 0);
        Set<String> owed = EventTopic.owed(db, accounts).keySet();
        assertThat(owed).hasSizeGreaterThan(TRANSFERS);
        Set<String> keys = accounts.stream().map(UUID::toString).collect(Collectors.toSet());
        List<ConsumerRecord<String, String>> read = new ArrayList<>(EventTopic.read(consumer, keys::contains,
                records -> records.stream().map(EventTopic::delivery).collect(Collectors.toSet()).containsAll(owed),
                Duration.ofSeconds(60)));
        // A repeat would stand after its first copy on the same partition: read what is left behind them too.
        read.addAll(EventTopic.read(consumer, keys::contains, records -> false, Duration.ofSeconds(2)));
        Map<String, Long> deliveries = read.stream().map(EventTopic::delivery)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));

        assertThat(deliveries.keySet()).as("events on the topic").containsAll(owed);
        assertThat(deliveries).as("events delivered more than once")
                .allSatisfy((delivery, times) -> assertThat(times).as(delivery).isOne());
    }
}
