package dev.paygate.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.ledger.BatchingProperties;
import dev.paygate.support.Api;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.SecondInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Thousands of transfers at once over a handful of accounts (so A->B and B->A collide constantly)
 * and one hot merchant account: only 201 or 422 come back, and the ledger stays exact.
 */
class ConcurrentTransfersTest extends EndToEndTest {

    private static final int ACCOUNTS = 8;
    private static final int TRANSFERS = 2_000;
    private static final int CONCURRENCY = 48;

    @Test
    void noInterleavingCreatesLosesOrDuplicatesMoney() {
        transferAtOnce(api);
    }

    /**
     * With several lanes, batches over the same accounts are in the database at once and lock
     * them against each other: still no deadlock, no 5xx, and the ledger stays exact.
     */
    @Test
    void batchesOfSeveralLanesAtOnceStayExact() {
        try (ConfigurableApplicationContext lanes = SecondInstance.start("--paygate.ledger.batching.lanes=4")) {
            assertThat(lanes.getBean(BatchingProperties.class).lanes()).isEqualTo(4);
            WebTestClient client = SecondInstance.clientOf(lanes);
            awaitReady(client);
            transferAtOnce(new Api(client));
        }
    }

    /** The scenario, through the instance that {@code gateway} talks to. */
    private void transferAtOnce(Api gateway) {
        User owner = gateway.newCustomer();
        List<UUID> accounts = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            UUID account = owner.openAccount("USD");
            gateway.operator().deposit(account, "1000.00", "USD");
            accounts.add(account);
        }
        UUID merchant = gateway.newCustomer().openAccount("USD");
        Random random = new Random(42);
        List<Map<String, Object>> bodies = new ArrayList<>();
        for (int i = 0; i < TRANSFERS; i++) {
            UUID from = accounts.get(random.nextInt(ACCOUNTS));
            UUID to = i % 4 == 0 ? merchant : accounts.get(random.nextInt(ACCOUNTS));
            // Some pick the same account twice, which must be refused cleanly too; a few are larger
            // than what is left, so insufficient funds happen under contention as well.
            String amount = (i % 50 == 0 ? 900 + random.nextInt(200) : random.nextInt(20)) + "."
                    + String.format("%02d", 1 + random.nextInt(99));
            bodies.add(Map.of("from_account", from.toString(), "to_account", to.toString(),
                    "amount", amount, "currency", "USD"));
        }
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();

        Flux.fromIterable(bodies)
                .parallel(CONCURRENCY).runOn(Schedulers.boundedElastic())
                .doOnNext(body -> statuses.merge(owner.client().post().uri("/transfers")
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                        .exchange().returnResult(String.class).getStatus().value(), 1, Integer::sum))
                .sequential().blockLast();

        assertThat(statuses.keySet()).as("HTTP statuses seen").isSubsetOf(List.of(201, 422));
        assertThat(statuses.get(201)).as("completed transfers").isGreaterThan(TRANSFERS / 4);
        assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(TRANSFERS);
        ledger.assertInvariants();
        long completed = db.sql("""
                        SELECT count(*) AS n FROM transactions
                        WHERE type = 'TRANSFER' AND status = 'COMPLETED' AND created_by = :owner""")
                .bind("owner", owner.id()).map(row -> row.get("n", Long.class)).one().block();
        assertThat(completed).isEqualTo(statuses.get(201).longValue());
    }
}
