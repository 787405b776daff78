package dev.paygate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.TestDataDirectory;
import dev.paygate.support.ChildGateway;
import dev.paygate.support.LedgerState;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.r2dbc.core.DatabaseClient;
import tools.jackson.databind.ObjectMapper;

/**
 * A gateway on its embedded PostgreSQL, stopped with SIGTERM while transfers keep arriving, as a
 * deployment stops it. The database must outlive the gateway's own shutdown: the requests and
 * workers still finishing use it. So no request is answered 5xx, the log holds no error, the
 * gateway stops its PostgreSQL itself on the way out, and every transfer it acknowledged is there
 * when it starts again.
 */
class StopUnderLoadTest {

    private static final int ACCOUNTS = 6;
    private static final int IN_FLIGHT_MAX = 12;
    private static final Duration LOAD_BEFORE_STOP = Duration.ofSeconds(2);
    /** A log line at level ERROR, in the gateway's console format ("2026-12-03T07:09:59.217Z ERROR --- ..."). */
    private static final Pattern ERROR_LINE = Pattern.compile("^\\S+\\s+ERROR\\s");

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void aGatewayStoppedUnderLoadAnswersWhatItAcceptedAndStopsItsDatabaseLast() throws Exception {
        Path root = Path.of(TestDataDirectory.ROOT, "stop-" + UUID.randomUUID());
        try (ChildGateway gateway = new ChildGateway(root)) {
            gateway.start();
            String operator = gateway.token(http, "stop-operator", "OPERATOR");
            String customer = gateway.token(http, "stop-customer", "CUSTOMER");
            List<String> accounts = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) {
                String id = JSON.readTree(http.send(gateway.post("/accounts", customer,
                        "{\"currency\":\"USD\",\"name\":\"stop-" + i + "\"}", Duration.ofSeconds(10)),
                        HttpResponse.BodyHandlers.ofString()).body()).get("id").asString();
                assertThat(http.send(gateway.post("/accounts/" + id + "/deposit", operator,
                        "{\"amount\":\"1000.00\",\"currency\":\"USD\"}", Duration.ofSeconds(10)),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
                accounts.add(id);
            }

            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            Map<Integer, Integer> answers = new ConcurrentHashMap<>();
            List<String> serverErrors = new ArrayList<>();
            AtomicBoolean loading = new AtomicBoolean(true);
            Thread load = new Thread(() -> {
                Random random = new Random(7);
                Semaphore permits = new Semaphore(IN_FLIGHT_MAX);
                while (loading.get()) {
                    try {
                        if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    int from = random.nextInt(ACCOUNTS);
                    int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                    String body = "{\"from_account\":\"%s\",\"to_account\":\"%s\",\"amount\":\"0.%02d\",\"currency\":\"USD\"}"
                            .formatted(accounts.get(from), accounts.get(to), 1 + random.nextInt(99));
                    http.sendAsync(gateway.post("/transfers", customer, body, Duration.ofSeconds(20)),
                                    HttpResponse.BodyHandlers.ofString())
                            .whenComplete((response, error) -> {
                                permits.release();
                                if (response == null) {
                                    return; // refused or cut once the server stopped taking requests: no answer, no claim
                                }
                                answers.merge(response.statusCode(), 1, Integer::sum);
                                if (response.statusCode() == 201) {
                                    acknowledged.add(JSON.readTree(response.body()).get("id").asString());
                                } else if (response.statusCode() >= 500) {
                                    synchronized (serverErrors) {
                                        serverErrors.add(response.statusCode() + " " + response.body());
                                    }
                                }
                            });
                }
            }, "stop-under-load");
            load.start();
            Thread.sleep(LOAD_BEFORE_STOP.toMillis());
            int acknowledgedBeforeStop = acknowledged.size();

            gateway.stop();
            loading.set(false);
            load.join();

            assertThat(acknowledgedBeforeStop).as("transfers acknowledged before the stop").isPositive();
            assertThat(serverErrors).as("5xx answers while stopping (answers by status: %s)", answers).isEmpty();
            String log = Files.readString(gateway.log());
            assertThat(log.lines().filter(line -> ERROR_LINE.matcher(line).find()).toList())
                    .as("ERROR lines in the gateway's log").isEmpty();
            assertThat(log).as("a worker round cut short by its database going away").doesNotContain("round failed");
            assertThat(gateway.postmaster()).as("PostgreSQL left running by the stopped gateway").isEmpty();

            gateway.start();
            DatabaseClient db = gateway.database();
            new LedgerState(db).assertMoneyConserved();
            Set<String> completed = ConcurrentHashMap.newKeySet();
            db.sql("SELECT id::text AS id FROM transactions WHERE type = 'TRANSFER' AND status = 'COMPLETED'")
                    .map(row -> row.get("id", String.class)).all().toIterable().forEach(completed::add);
            assertThat(completed).as("acknowledged transfers after the restart").containsAll(acknowledged);
        }
    }
}
