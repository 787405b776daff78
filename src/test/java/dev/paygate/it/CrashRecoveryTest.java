package dev.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.TestDataDirectory;
import dev.paygate.support.ChildGateway;
import dev.paygate.support.LedgerState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.r2dbc.core.DatabaseClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The gateway is SIGKILLed twice in the middle of a load of transfers and payouts, once leaving
 * its PostgreSQL running and once with PostgreSQL killed too (a stale {@code postmaster.pid} and
 * lock file behind), and started again in the same directory each time. Whatever was in flight,
 * money must come out whole: every acknowledged movement is there, nothing half-applied, no
 * internal transfer PENDING, every payout settled within the bank deadline, every event delivered.
 *
 * <p>Load size and crash count stay small so this lives in the normal suite (~60 s); raise them
 * with {@code -Dpaygate.crash.load-seconds} and {@code -Dpaygate.crash.rounds}. With
 * {@code -Dpaygate.crash.payouts=N} the load is counted in payouts instead: the rounds and one more
 * load after the last restart each run until their share of N payouts was accepted, so N payouts
 * go through the crashes (the {@code reliability-long} Maven profile: 500 payouts, one restart).
 */
class CrashRecoveryTest {

    private static final String SANDBOX_BANK = "5a4db0c5-0000-4000-8000-000000000001";
    private static final Duration LOAD = Duration.ofSeconds(Long.getLong("paygate.crash.load-seconds", 3));
    private static final int ROUNDS = Integer.getInteger("paygate.crash.rounds", 2);
    /** Payouts to accept in all, spread over the rounds and a last load after them; 0: each round loads for LOAD. */
    private static final int PAYOUTS = Integer.getInteger("paygate.crash.payouts", 0);
    /** A load counted in payouts gives up after this, so a gateway that refuses them fails the test rather than hangs it. */
    private static final Duration PAYOUT_LOAD_MAX = Duration.ofMinutes(5);
    private static final int ACCOUNTS = 8;
    private static final int IN_FLIGHT_MAX = 16;
    /** The dispatch deadline below plus one retry wait and the polling slack: the longest a settling count may stand still. */
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(40);
    /** However fast they settle, the wait for all of them ends here. */
    private static final Duration SETTLE_MAX = Duration.ofMinutes(4);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Set<String> acknowledgedTransfers = ConcurrentHashMap.newKeySet();
    private final Set<String> acknowledgedPayouts = ConcurrentHashMap.newKeySet();

    @Test
    void aKilledGatewayRestartsInItsDirectoryWithEveryTransactionWholeAndEveryPayoutSettled() throws Exception {
        Path root = Path.of(TestDataDirectory.ROOT, "crash-" + UUID.randomUUID());
        try (ChildGateway gateway = new ChildGateway(root,
                // Short bank deadlines, so in-flight payouts must settle within the test; some bank
                // calls execute and never answer, so the restarted gateway has unknown outcomes to resolve.
                "--paygate.banks.dispatch.deadline=10s",
                "--paygate.banks.dispatch.backoff-initial=200ms",
                "--paygate.banks.dispatch.backoff-max=2s",
                "--paygate.banks.dispatch.lease=2s",
                "--paygate.banks.dispatch.poll-interval=100ms",
                "--paygate.banks.resilience.call-timeout=1s",
                "--paygate.sandbox.stall=2s",
                "--paygate.sandbox.faults.latency-ms=100",
                "--paygate.sandbox.faults.execute-then-timeout-rate=0.2",
                "--paygate.sandbox.faults.error-rate=0.1",
                "--paygate.sandbox.faults.seed=10")) {
            gateway.start();
            String operator = gateway.token(http, "crash-operator", "OPERATOR");
            String customer = gateway.token(http, "crash-customer", "CUSTOMER");
            List<String> accounts = openFundedAccounts(gateway, operator, customer);

            for (int round = 1; round <= ROUNDS; round++) {
                boolean postgresToo = round % 2 == 0;
                int acknowledgedBefore = acknowledgedPayouts.size();
                load(gateway, customer, accounts, round);
                assertThat(acknowledgedPayouts.size()).as("payouts accepted before crash %d", round)
                        .isGreaterThan(acknowledgedBefore);
                gateway.kill();
                if (postgresToo) {
                    gateway.killPostgres();
                    assertThat(gateway.postgresDirectory().resolve("postmaster.pid")).exists();
                } else {
                    assertThat(gateway.postmaster()).as("the crashed gateway's PostgreSQL, still running").isPresent();
                }

                gateway.start();
                if (!postgresToo) {
                    assertThat(Files.readString(gateway.log()))
                            .contains("Stopped the PostgreSQL that a gateway which did not shut down cleanly left running");
                }
                assertWhole(gateway.database());
            }

            if (PAYOUTS > 0) {
                load(gateway, customer, accounts, ROUNDS + 1);
                assertThat(acknowledgedPayouts).as("payouts accepted").hasSizeGreaterThanOrEqualTo(PAYOUTS);
            }

            DatabaseClient db = gateway.database();
            awaitZero(db, "external transfers still in flight",
                    "SELECT count(*) AS n FROM transactions WHERE bank_id IS NOT NULL AND status NOT IN ('COMPLETED', 'FAILED')");
            awaitZero(db, "events not yet delivered", "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL");
            assertWhole(db);
            assertThat(count(db, "SELECT coalesce(sum(held), 0) AS n FROM accounts")).as("money still held").isZero();
            assertBankAgrees(db);
            assertReconciled(gateway, gateway.token(http, "crash-operator", "OPERATOR"));
            assertThat(count(db, """
                    SELECT count(*) AS n FROM transactions t
                    WHERE NOT EXISTS (SELECT 1 FROM outbox o
                                      WHERE o.transaction_id = t.id AND o.type = 'paygate.transaction.' || lower(t.status))"""))
                    .as("transactions without an event for their current state").isZero();
        }
    }

    /** Nothing half-applied: every acknowledged movement is there, in a state it may be in, and the ledger balances. */
    private void assertWhole(DatabaseClient db) {
        new LedgerState(db).assertInvariants();
        assertThat(count(db, "SELECT count(*) AS n FROM transactions WHERE type = 'TRANSFER' AND status = 'PENDING'"))
                .as("internal transfers left PENDING").isZero();
        Map<String, String> statuses = new ConcurrentHashMap<>();
        db.sql("SELECT id::text AS id, status FROM transactions").map(row -> Map.entry(row.get("id", String.class),
                row.get("status", String.class))).all().toIterable().forEach(e -> statuses.put(e.getKey(), e.getValue()));
        assertThat(acknowledgedTransfers).allSatisfy(id -> assertThat(statuses.get(id)).as("transfer %s", id).isEqualTo("COMPLETED"));
        assertThat(acknowledgedPayouts).allSatisfy(id -> assertThat(statuses.get(id)).as("payout %s", id).isNotNull());
    }

    /** The bank executed each completed payout (once: its ledger is keyed by our id) and no failed one. */
    private static void assertBankAgrees(DatabaseClient db) {
        List<Map<String, Object>> disagreeing = db.sql("""
                SELECT t.id, t.status, t.failure_reason, p.status AS bank_status, p.reason_code AS bank_reason,
                       d.call, d.attempts, d.last_error
                FROM transactions t
                LEFT JOIN sandbox_payments p ON p.payment_id = t.id AND p.bank_id = t.bank_id
                LEFT JOIN bank_dispatch d ON d.transaction_id = t.id
                WHERE t.type = 'EXTERNAL_OUTBOUND'
                  AND (t.status = 'COMPLETED') <> (p.status IS NOT DISTINCT FROM 'EXECUTED')""")
                .fetch().all().collectList().block();
        assertThat(disagreeing).as("payouts where Paygate and the bank disagree").isEmpty();
    }

    /** The gateway's own comparison with the bank's statement finds nothing either. */
    private void assertReconciled(ChildGateway gateway, String operator) {
        URI uri = URI.create(gateway.baseUrl() + "/external-banks/" + SANDBOX_BANK + "/reconciliation?date="
                + LocalDate.now(ZoneOffset.UTC));
        // The faults may have left the bank's circuit open: reconciliation is 502 until it closes.
        JsonNode report = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri)
                            .header("Authorization", "Bearer " + operator).build(), HttpResponse.BodyHandlers.ofString());
                    return answer.statusCode() == 200 ? JSON.readTree(answer.body()) : null;
                }, java.util.Objects::nonNull);
        assertThat(report.get("mismatches")).as(report.toString()).isEmpty();
    }

    /** Load phase {@code phase} (1-based): for LOAD, or until its share of PAYOUTS was accepted. */
    private void load(ChildGateway gateway, String customer, List<String> accounts, int phase) throws InterruptedException {
        Random random = new Random();
        Semaphore permits = new Semaphore(IN_FLIGHT_MAX);
        Instant end = Instant.now().plus(PAYOUTS > 0 ? PAYOUT_LOAD_MAX : LOAD);
        long payoutsDue = (long) PAYOUTS * phase / (ROUNDS + 1);
        AtomicInteger unexpected = new AtomicInteger();
        List<String> problems = new ArrayList<>();
        while (Instant.now().isBefore(end) && (PAYOUTS == 0 || acknowledgedPayouts.size() < payoutsDue)) {
            permits.acquire();
            String from = accounts.get(random.nextInt(accounts.size()));
            int cents = 1 + random.nextInt(2000);
            String amount = cents / 100 + "." + String.format("%02d", cents % 100);
            boolean payout = random.nextInt(10) < 4;
            String path;
            String body;
            Set<String> acknowledged;
            int success;
            if (payout) {
                path = "/external-banks/" + SANDBOX_BANK + "/transfers";
                body = """
                        {"account_id":"%s","direction":"OUTBOUND","amount":"%s","currency":"USD",
                         "counterparty":{"name":"Jane Doe","iban":"DE89370400440532013000"}}""".formatted(from, amount);
                acknowledged = acknowledgedPayouts;
                success = 202;
            } else {
                String to = accounts.get(random.nextInt(accounts.size()));
                while (to.equals(from)) {
                    to = accounts.get(random.nextInt(accounts.size()));
                }
                path = "/transfers";
                body = """
                        {"from_account":"%s","to_account":"%s","amount":"%s","currency":"USD"}""".formatted(from, to, amount);
                acknowledged = acknowledgedTransfers;
                success = 201;
            }
            http.sendAsync(post(gateway, path, customer, body), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, error) -> {
                        permits.release();
                        if (response == null) {
                            return; // the load runs until the kill; a request cut short by it has no answer
                        }
                        if (response.statusCode() == success) {
                            acknowledged.add(JSON.readTree(response.body()).get("id").asString());
                        } else if (response.statusCode() != 422) {
                            unexpected.incrementAndGet();
                            synchronized (problems) {
                                problems.add(response.statusCode() + " " + response.body());
                            }
                        }
                    });
        }
        assertThat(unexpected.get()).as("answers other than success or 422 under load: %s", problems).isZero();
    }

    private List<String> openFundedAccounts(ChildGateway gateway, String operator, String customer) throws Exception {
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            String id = send(gateway, "/accounts", customer, "{\"currency\":\"USD\",\"name\":\"crash-" + i + "\"}", 201)
                    .get("id").asString();
            send(gateway, "/accounts/" + id + "/deposit", operator, "{\"amount\":\"10000.00\",\"currency\":\"USD\"}", 201);
            accounts.add(id);
        }
        return accounts;
    }

    private JsonNode send(ChildGateway gateway, String path, String token, String body, int expected) throws Exception {
        HttpResponse<String> response = http.send(post(gateway, path, token, body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(expected);
        return JSON.readTree(response.body());
    }

    private static HttpRequest post(ChildGateway gateway, String path, String token, String body) {
        return gateway.post(path, token, body, Duration.ofSeconds(15));
    }

    /**
     * Waits until the count is zero. Each payout must settle within SETTLE_TIMEOUT of its first
     * dispatch, but a faster machine piles up more of them in the timed loads, and the worker
     * dispatches them at the bank's pace: so the wait goes on while the count keeps falling, and
     * fails once it has not fallen for SETTLE_TIMEOUT (or after SETTLE_MAX in all).
     */
    private static void awaitZero(DatabaseClient db, String what, String countQuery) throws InterruptedException {
        Instant started = Instant.now();
        Instant lastProgress = started;
        long left = count(db, countQuery);
        while (left > 0 && Instant.now().isBefore(lastProgress.plus(SETTLE_TIMEOUT))
                && Instant.now().isBefore(started.plus(SETTLE_MAX))) {
            Thread.sleep(250);
            long now = count(db, countQuery);
            if (now < left) {
                lastProgress = Instant.now();
            }
            left = now;
        }
        assertThat(left).as("%s after %s (the last %s without progress)", what,
                Duration.between(started, Instant.now()), Duration.between(lastProgress, Instant.now())).isZero();
    }

    private static long count(DatabaseClient db, String query) {
        Number n = db.sql(query).map(row -> row.get("n", Number.class)).one().block();
        return n == null ? 0 : n.longValue();
    }
}
