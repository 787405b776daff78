import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bench's own HTTP client, JDK only (javac + java, no build tool), three jobs:
 *
 * <pre>
 *   setup BASE_URL ACCOUNTS OUT_DIR          open + fund accounts through the API, write OUT_DIR/accounts.tsv
 *                                            ("id TAB token", token "-" without /dev/tokens) and OUT_DIR/merchant.tsv
 *   open  BASE_URL ACCOUNTS_TSV RATE SECONDS [WARMUP_SECONDS]
 *                                            uniform transfers on a fixed arrival schedule (open model); the
 *                                            warm-up runs at the same rate first and is left out of the figures
 *   sse   BASE_URL ACCOUNTS_TSV COUNT HOLD_SECONDS READY_FILE
 *                                            hold COUNT account event streams, write READY_FILE once connected
 * </pre>
 *
 * Every job only talks to loopback and ends by itself within its time bound.
 */
public final class BenchClient {

    static final String CURRENCY = "USD";
    static final String FUNDING = "1000000.00";
    static final int ACCOUNTS_PER_CUSTOMER = 100;
    static final int SETUP_PARALLELISM = 32;
    static final long SETUP_SECONDS_MAX = 300;
    /** Requests the open-model sender lets be outstanding before it waits (a stall then shows as latency). */
    static final int OPEN_IN_FLIGHT_MAX = 4096;
    static final long OPEN_DRAIN_SECONDS = 15;
    static final int SSE_COUNT_MAX = 50_000;
    static final long SSE_CONNECT_SECONDS_MAX = 120;
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    private final URI base;
    private final HttpClient http;

    private BenchClient(String baseUrl) {
        this.base = URI.create(baseUrl);
        String host = base.getHost();
        if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
            throw new IllegalArgumentException("the bench only loads 127.0.0.1/localhost, not " + host);
        }
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: setup|open|sse BASE_URL ...");
        }
        BenchClient client = new BenchClient(args[1]);
        switch (args[0]) {
            case "setup" -> client.setup(Integer.parseInt(args[2]), Path.of(args[3]));
            case "open" -> client.open(Path.of(args[2]), Double.parseDouble(args[3]), Integer.parseInt(args[4]),
                    args.length > 5 ? Integer.parseInt(args[5]) : 0);
            case "sse" -> client.sse(Path.of(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Path.of(args[5]));
            default -> throw new IllegalArgumentException("unknown job " + args[0]);
        }
        System.exit(0);
    }

    // ---- setup -------------------------------------------------------------------------------

    record Reply(int status, String body) {
    }

    record Account(String id, String token) {
    }

    private void setup(int count, Path outDir) throws IOException {
        long started = System.nanoTime();
        String operator = token("bench-operator", "OPERATOR").join();
        boolean tokens = operator != null;
        int customers = (count + ACCOUNTS_PER_CUSTOMER - 1) / ACCOUNTS_PER_CUSTOMER;
        List<String> customerTokens = inParallel(customers, c -> tokens
                ? token("bench-c" + c, "CUSTOMER")
                : CompletableFuture.completedFuture(null));
        List<Account> accounts = inParallel(count, i -> {
            String token = customerTokens.get(i / ACCOUNTS_PER_CUSTOMER);
            return openAccount(token, "bench " + i).thenCompose(account -> fund(account, operator));
        });
        Account merchant = openAccount(tokens ? token("bench-merchant", "CUSTOMER").join() : null, "bench merchant")
                .join();
        Files.createDirectories(outDir);
        Files.write(outDir.resolve("accounts.tsv"), accounts.stream().map(BenchClient::tsv).toList());
        Files.write(outDir.resolve("merchant.tsv"), List.of(tsv(merchant)));
        System.out.printf("SETUP_RESULT accounts=%d customers=%d tokens=%s seconds=%.1f%n", count, customers,
                tokens ? "yes" : "no", (System.nanoTime() - started) / 1e9);
    }

    private static String tsv(Account account) {
        return account.id() + "\t" + (account.token() == null ? "-" : account.token());
    }

    /** A dev token, or null while the gateway has no /dev/tokens (404). */
    private CompletableFuture<String> token(String subject, String role) {
        String body = "{\"subject\":\"" + subject + "\",\"roles\":[\"" + role + "\"],\"scopes\":[\"accounts:read\","
                + "\"accounts:write\",\"transfers:read\",\"transfers:write\",\"banks:read\"]}";
        return send("POST", "/dev/tokens", null, body).thenApply(reply -> reply.status() == 404
                ? null
                : field(TOKEN, expect(reply.status() == 201 ? 201 : 200, "POST /dev/tokens", reply)));
    }

    private CompletableFuture<Account> openAccount(String token, String name) {
        String body = "{\"currency\":\"" + CURRENCY + "\",\"name\":\"" + name + "\"}";
        return send("POST", "/accounts", token, body)
                .thenApply(reply -> new Account(field(ID, expect(201, "POST /accounts", reply)), token));
    }

    private CompletableFuture<Account> fund(Account account, String operatorToken) {
        String body = "{\"amount\":\"" + FUNDING + "\",\"currency\":\"" + CURRENCY + "\",\"description\":\"bench\"}";
        return send("POST", "/accounts/" + account.id() + "/deposit", operatorToken, body)
                .thenApply(reply -> {
                    expect(201, "POST /accounts/{id}/deposit", reply);
                    return account;
                });
    }

    private static String expect(int status, String what, Reply reply) {
        if (reply.status() != status) {
            throw new IllegalStateException(what + " answered " + reply.status() + ": " + reply.body());
        }
        return reply.body();
    }

    private static String field(Pattern pattern, String body) {
        Matcher m = pattern.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + pattern + " in " + body);
        }
        return m.group(1);
    }

    private CompletableFuture<Reply> send(String method, String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(CALL_TIMEOUT)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Reply(r.statusCode(), r.body()));
    }

    /** At most SETUP_PARALLELISM calls in flight; the first failure stops the setup. */
    private static <T> List<T> inParallel(int count, java.util.function.IntFunction<CompletableFuture<T>> call) {
        Semaphore inFlight = new Semaphore(SETUP_PARALLELISM);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<CompletableFuture<T>> results = new ArrayList<>(count);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETUP_SECONDS_MAX);
        for (int i = 0; i < count && failure.get() == null; i++) {
            acquire(inFlight, deadline);
            results.add(call.apply(i).whenComplete((value, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                }
                inFlight.release();
            }));
        }
        return results.stream().map(CompletableFuture::join).toList();
    }

    private static void acquire(Semaphore semaphore, long deadlineNanos) {
        try {
            if (!semaphore.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("time limit reached");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<Account> readAccounts(Path tsv) throws IOException {
        List<Account> accounts = new ArrayList<>();
        for (String line : Files.readAllLines(tsv)) {
            String[] parts = line.split("\t");
            if (parts.length == 2) {
                accounts.add(new Account(parts[0], parts[1].equals("-") ? null : parts[1]));
            }
        }
        if (accounts.size() < 2) {
            throw new IllegalArgumentException("need at least 2 accounts in " + tsv);
        }
        return accounts;
    }

    // ---- open model --------------------------------------------------------------------------

    /**
     * Sends transfer i at start + i/rate, whatever happened to earlier ones, and measures each
     * latency from that intended send time: if the gateway (or this sender) stalls, the wait
     * counts, so coordinated omission cannot hide it.
     */
    private void open(Path accountsTsv, double rate, int seconds, int warmupSeconds)
            throws IOException, InterruptedException {
        List<Account> accounts = readAccounts(accountsTsv);
        int warmup = (int) Math.round(rate * warmupSeconds);
        int total = warmup + (int) Math.round(rate * seconds);
        long periodNanos = (long) (1e9 / rate);
        long[] latencyNanos = new long[total];
        Arrays.fill(latencyNanos, -1);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicLong maxSendLagNanos = new AtomicLong();
        AtomicInteger warmupErrors = new AtomicInteger();
        AtomicLong lastCompletion = new AtomicLong();
        Semaphore inFlight = new Semaphore(OPEN_IN_FLIGHT_MAX);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        for (int i = 0; i < total; i++) {
            long intended = start + i * periodNanos;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            inFlight.acquire();
            int slot = i;
            boolean measured = slot >= warmup;
            if (measured) {
                maxSendLagNanos.accumulateAndGet(System.nanoTime() - intended, Math::max);
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int a = random.nextInt(accounts.size());
            int b = (a + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
            String body = "{\"from_account\":\"" + accounts.get(a).id() + "\",\"to_account\":\"" + accounts.get(b).id()
                    + "\",\"amount\":\"0.01\",\"currency\":\"USD\",\"description\":\"bench\"}";
            send("POST", "/transfers", accounts.get(a).token(), body).whenComplete((reply, error) -> {
                long now = System.nanoTime();
                latencyNanos[slot] = now - intended;
                lastCompletion.accumulateAndGet(now, Math::max);
                boolean failed = error != null || (reply.status() != 201 && reply.status() != 422);
                if (!measured) {
                    if (failed) {
                        warmupErrors.incrementAndGet();
                    }
                } else if (error != null) {
                    errors.incrementAndGet();
                } else if (reply.status() == 201) {
                    ok.incrementAndGet();
                } else if (reply.status() == 422) {
                    refused.incrementAndGet();
                } else {
                    errors.incrementAndGet();
                }
                inFlight.release();
            });
        }
        boolean drained = inFlight.tryAcquire(OPEN_IN_FLIGHT_MAX, OPEN_DRAIN_SECONDS, TimeUnit.SECONDS);
        long measuredStart = start + warmup * periodNanos;
        double elapsed = Math.max(1e-9, (lastCompletion.get() - measuredStart) / 1e9);
        long[] done = Arrays.stream(latencyNanos, warmup, total).filter(l -> l >= 0).sorted().toArray();
        int unfinished = total - warmup - done.length;
        System.out.printf("OPEN_RESULT sent=%d ok=%d refused=%d errors=%d unfinished=%d achieved_per_s=%.1f"
                        + " p50_us=%d p99_us=%d max_us=%d max_send_lag_us=%d drained=%s warmup_errors=%d%n",
                total - warmup, ok.get(), refused.get(), errors.get(), unfinished, done.length / elapsed,
                percentile(done, 50) / 1000, percentile(done, 99) / 1000,
                done.length == 0 ? 0 : done[done.length - 1] / 1000, maxSendLagNanos.get() / 1000, drained,
                warmupErrors.get());
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    // ---- SSE subscribers ---------------------------------------------------------------------

    /** Holds COUNT event streams (round robin over the accounts) for HOLD_SECONDS, reading every line. */
    private void sse(Path accountsTsv, int count, int holdSeconds, Path readyFile) throws Exception {
        if (count < 1 || count > SSE_COUNT_MAX) {
            throw new IllegalArgumentException("COUNT must be 1.." + SSE_COUNT_MAX);
        }
        List<Account> accounts = readAccounts(accountsTsv);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(holdSeconds);
        int probe = streamStatus(accounts.get(0));
        if (probe != 200) {
            System.out.println("SSE_RESULT status=" + probe + " connected=0 failed=0 ended_early=0 lines=0");
            Files.writeString(readyFile, "status=" + probe + "\n");
            return;
        }
        AtomicInteger connected = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong lines = new AtomicLong();
        AtomicInteger ended = new AtomicInteger();
        Semaphore connecting = new Semaphore(256);
        List<CompletableFuture<?>> streams = new ArrayList<>(count);
        long connectDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SSE_CONNECT_SECONDS_MAX);
        for (int i = 0; i < count; i++) {
            acquire(connecting, connectDeadline);
            Account account = accounts.get(i % accounts.size());
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/accounts/" + account.id() + "/events"))
                    .header("Accept", "text/event-stream").GET();
            if (account.token() != null) {
                request.header("Authorization", "Bearer " + account.token());
            }
            streams.add(http.sendAsync(request.build(), HttpResponse.BodyHandlers.fromLineSubscriber(
                            new LineCounter(lines, ended)))
                    .whenComplete((response, error) -> {
                        connecting.release();
                        if (error != null || response.statusCode() != 200) {
                            failed.incrementAndGet();
                        } else {
                            connected.incrementAndGet();
                        }
                    }));
        }
        while (connected.get() + failed.get() < count && System.nanoTime() < connectDeadline) {
            Thread.sleep(50);
        }
        Files.writeString(readyFile, "status=200 connected=" + connected.get() + " failed=" + failed.get() + "\n");
        long left = deadline - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
        // A stream that ended before the hold did was dropped by the gateway: the bench reports it.
        System.out.println("SSE_RESULT status=200 connected=" + connected.get() + " failed=" + failed.get()
                + " ended_early=" + ended.get() + " lines=" + lines.get());
        streams.forEach(stream -> stream.cancel(true));
    }

    private int streamStatus(Account account) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/accounts/" + account.id() + "/events"))
                .timeout(CALL_TIMEOUT).header("Accept", "text/event-stream").GET();
        if (account.token() != null) {
            request.header("Authorization", "Bearer " + account.token());
        }
        HttpResponse<java.io.InputStream> response = http.send(request.build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (var ignored = response.body()) {
            return response.statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads every line as it comes, so a subscriber is never the slow consumer the gateway drops. */
    private record LineCounter(AtomicLong lines, AtomicInteger ended) implements Flow.Subscriber<String> {

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            lines.incrementAndGet();
        }

        @Override
        public void onError(Throwable error) {
            ended.incrementAndGet();
        }

        @Override
        public void onComplete() {
            ended.incrementAndGet();
        }
    }
}
