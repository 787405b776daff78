package dev.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.TestDataDirectory;
import dev.paygate.support.ChildGateway;
import dev.paygate.support.LedgerState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * PostgreSQL taken away for 10 s under load, then given back, in the two ways it goes: frozen
 * (every server process SIGSTOPped: connections stay open but nothing answers, the hardest kind of
 * outage for a pool), and stopped (a fast shutdown: sessions are cut, new connections refused) and
 * started again on the same port and data directory. Either way the gateway must answer fast,
 * 503 problem+json, go unready, come back by itself with the ledger intact, and keep no threads or
 * connections from the outage.
 */
class DatabaseOutageTest {

    private static final Logger log = LoggerFactory.getLogger(DatabaseOutageTest.class);

    private static final Duration OUTAGE = Duration.ofSeconds(10);
    /** The same load before the outage and after it, so pools and thread pools are at their working size when measured. */
    private static final Duration WARM_UP = Duration.ofSeconds(3);
    /** The pool's max-acquire-time (5 s) plus slack for a 2-core box. */
    private static final Duration ANSWER_MAX = Duration.ofSeconds(8);
    private static final Duration RECOVERY_MAX = Duration.ofSeconds(30);
    /**
     * How long threads and connections may take to go back to their level: Reactor's bounded
     * elastic threads are let go after 60 s idle, so a burst of them is no leak until then.
     */
    private static final Duration SETTLE_MAX = Duration.ofSeconds(75);
    /** Live threads above the level before the outage that still count as "about that level". */
    private static final int THREADS_ABOVE_MAX = 4;
    private static final Duration LOAD_INTERVAL = Duration.ofMillis(200);

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** Takes the database away and gives it back. */
    interface Outage {
        void begin(ChildGateway gateway) throws Exception;

        void end(ChildGateway gateway) throws Exception;
    }

    @Test
    void aFrozenDatabaseGivesFast503sAndTheGatewayRecoversByItself() throws Exception {
        survives("frozen", new Outage() {
            private final List<ProcessHandle> postgres = new ArrayList<>();

            @Override
            public void begin(ChildGateway gateway) throws Exception {
                ProcessHandle postmaster = gateway.postmaster().orElseThrow();
                postgres.add(postmaster);
                postgres.addAll(postmaster.descendants().toList());
                signal("-STOP", postgres);
            }

            @Override
            public void end(ChildGateway gateway) throws Exception {
                signal("-CONT", postgres);
            }
        });
    }

    @Test
    void aStoppedAndRestartedDatabaseGivesFast503sAndTheGatewayRecoversByItself() throws Exception {
        survives("stopped", new Outage() {
            @Override
            public void begin(ChildGateway gateway) throws Exception {
                gateway.stopPostgres();
            }

            @Override
            public void end(ChildGateway gateway) throws Exception {
                gateway.startPostgres();
            }
        });
    }

    private void survives(String kind, Outage outage) throws Exception {
        Path root = Path.of(TestDataDirectory.ROOT, "outage-" + kind + "-" + UUID.randomUUID());
        try (ChildGateway gateway = new ChildGateway(root)) {
            gateway.start();
            Load load = Load.open(this, gateway);
            load.run(WARM_UP).assertAllSucceeded();
            Resources before = Resources.of(gateway);

            Answers during;
            try {
                outage.begin(gateway);
                during = load.run(OUTAGE);
            } finally {
                outage.end(gateway);
            }
            during.assertFastAnd2xxOr503();
            assertThat(during.some503()).as("some requests met the outage").isTrue();
            assertThat(during.wentDown()).as("readiness went down during the outage").isTrue();

            awaitReady(gateway);
            assertThat(send(gateway, "/transfers", load.customer(), load.transfer()).get("status").asString())
                    .isEqualTo("COMPLETED");
            load.run(WARM_UP).assertAllSucceeded();
            Resources after = awaitSettled(gateway, before);
            log.info("Database {}: {} answers during the outage ({} of them 503), before {}, after {}", kind,
                    during.answers().size(), during.count503(), before, after);
            after.assertNoLeakSince(before);
            new LedgerState(gateway.database()).assertInvariants();
        }
    }

    /** Threads, pool connections and the gateway's sessions on the server, as the gateway and PostgreSQL report them. */
    record Resources(double threads, double allocated, double acquired, double pending, double poolMax, long sessions) {

        static Resources of(ChildGateway gateway) throws Exception {
            return new Resources(gateway.metric("jvm_threads_live_threads"),
                    gateway.metric("r2dbc_pool_allocated_connections"),
                    gateway.metric("r2dbc_pool_acquired_connections"),
                    gateway.metric("r2dbc_pool_pending_connections"),
                    gateway.metric("r2dbc_pool_max_allocated_connections"),
                    sessions(gateway));
        }

        /** Sessions on the gateway's database other than the one asking: the pool's, and any it lost track of. */
        private static long sessions(ChildGateway gateway) {
            return gateway.database().sql("""
                            SELECT count(*) AS n FROM pg_stat_activity
                            WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()""")
                    .map(row -> row.get("n", Long.class)).one().block();
        }

        boolean settledSince(Resources before) {
            return threads <= before.threads + THREADS_ABOVE_MAX && acquired <= before.acquired && pending == 0
                    && allocated <= poolMax && sessions <= allocated;
        }

        void assertNoLeakSince(Resources before) {
            assertThat(threads).as("live threads after the outage (before: %s)", before.threads)
                    .isLessThanOrEqualTo(before.threads + THREADS_ABOVE_MAX);
            assertThat(acquired).as("pool connections still acquired (before: %s)", before.acquired)
                    .isLessThanOrEqualTo(before.acquired);
            assertThat(pending).as("requests still waiting for a pool connection").isZero();
            assertThat(allocated).as("pool connections").isLessThanOrEqualTo(poolMax);
            assertThat((double) sessions).as("sessions on the server beyond the pool's connections").isLessThanOrEqualTo(allocated);
        }
    }

    private static Resources awaitSettled(ChildGateway gateway, Resources before) throws Exception {
        Instant deadline = Instant.now().plus(SETTLE_MAX);
        Resources now = Resources.of(gateway);
        while (!now.settledSince(before) && Instant.now().isBefore(deadline)) {
            Thread.sleep(1000);
            now = Resources.of(gateway);
        }
        return now;
    }

    private static void awaitReady(ChildGateway gateway) throws InterruptedException {
        Instant deadline = Instant.now().plus(RECOVERY_MAX);
        while (!"UP".equals(gateway.readiness()) && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
        assertThat(gateway.readiness()).as("readiness after the outage").isEqualTo("UP");
    }

    /** A customer's two accounts, funded, and the requests the load sends between them. */
    record Load(DatabaseOutageTest test, ChildGateway gateway, String customer, String from, String transfer) {

        static Load open(DatabaseOutageTest test, ChildGateway gateway) throws Exception {
            String operator = gateway.token(test.http, "outage-operator", "OPERATOR");
            String customer = gateway.token(test.http, "outage-customer", "CUSTOMER");
            String a = test.send(gateway, "/accounts", customer, "{\"currency\":\"USD\"}").get("id").asString();
            String b = test.send(gateway, "/accounts", customer, "{\"currency\":\"USD\"}").get("id").asString();
            test.send(gateway, "/accounts/" + a + "/deposit", operator, "{\"amount\":\"100.00\",\"currency\":\"USD\"}");
            return new Load(test, gateway, customer, a,
                    "{\"from_account\":\"" + a + "\",\"to_account\":\"" + b + "\",\"amount\":\"0.01\",\"currency\":\"USD\"}");
        }

        /** A transfer and a balance read every {@link #LOAD_INTERVAL} for {@code duration}, none waited for; then their answers. */
        Answers run(Duration duration) throws InterruptedException {
            List<CompletableFuture<Answer>> answers = new ArrayList<>();
            boolean wentDown = false;
            for (Instant end = Instant.now().plus(duration); Instant.now().isBefore(end); ) {
                answers.add(test.timed(post(gateway, "/transfers", customer, transfer)));
                answers.add(test.timed(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/accounts/" + from + "/balance"))
                        .header("Authorization", "Bearer " + customer).timeout(Duration.ofSeconds(30)).build()));
                wentDown |= "DOWN".equals(gateway.readiness());
                Thread.sleep(LOAD_INTERVAL.toMillis());
            }
            return new Answers(answers.stream().map(CompletableFuture::join).toList(), wentDown);
        }
    }

    record Answers(List<Answer> answers, boolean wentDown) {

        void assertAllSucceeded() {
            assertThat(answers).allSatisfy(answer -> assertThat(answer.status()).as("answer %s", answer).isIn(200, 201));
        }

        void assertFastAnd2xxOr503() {
            for (Answer answer : answers) {
                assertThat(answer.took()).as("answer %s", answer).isLessThan(ANSWER_MAX);
                assertThat(answer.status()).as("answer %s", answer).isIn(200, 201, 503);
                if (answer.status() == 503) {
                    assertThat(answer.contentType()).startsWith("application/problem+json");
                    assertThat(answer.cacheControl()).as("answer %s", answer).contains("no-store");
                }
            }
        }

        long count503() {
            return answers.stream().filter(answer -> answer.status() == 503).count();
        }

        boolean some503() {
            return count503() > 0;
        }
    }

    record Answer(int status, String contentType, String cacheControl, Duration took, String body) {
    }

    private CompletableFuture<Answer> timed(HttpRequest request) {
        Instant sent = Instant.now();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> new Answer(
                response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.headers().firstValue("Cache-Control").orElse(""),
                Duration.between(sent, Instant.now()), response.body()));
    }

    /** Signals them all; a backend that ended meanwhile (a session closed, a worker done) is fine. */
    private static void signal(String signal, List<ProcessHandle> processes) throws Exception {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        processes.forEach(process -> command.add(Long.toString(process.pid())));
        if (new ProcessBuilder(command).inheritIO().start().waitFor() != 0) {
            assertThat(processes).as("kill %s failed, yet every process is alive", signal)
                    .anySatisfy(process -> assertThat(process.isAlive()).isFalse());
        }
    }

    private JsonNode send(ChildGateway gateway, String path, String token, String body) throws Exception {
        HttpResponse<String> response = http.send(post(gateway, path, token, body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", path, response.body()).isIn(200, 201);
        return JSON.readTree(response.body());
    }

    private static HttpRequest post(ChildGateway gateway, String path, String token, String body) {
        return gateway.post(path, token, body, Duration.ofSeconds(30));
    }
}
