package dev.paygate.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Plain HTTP calls made before the load starts: tokens, accounts, deposits, probes. They go
 * through the public API, like any client's, so setup also proves the endpoints work; they are
 * not part of Gatling's statistics. Jackson comes with Gatling.
 */
final class SetupClient {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    static final long SETUP_SECONDS_MAX = 600;
    /** Each waits at least a second: a minute of nothing but 429s for one call. */
    static final int RATE_LIMITED_RETRIES_MAX = 60;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUrl;
    private final int parallelism;
    private final HttpClient client;

    SetupClient(LoadSettings settings) {
        this.baseUrl = settings.baseUrl();
        this.parallelism = settings.setupParallelism();
        // HTTP/1.1 keep-alive, as the load itself uses; the JDK pools and reuses the connections.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    record Reply(int status, String body) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        String field(String name) {
            JsonNode value = json().get(name);
            if (value == null || value.isNull()) {
                throw new IllegalStateException("response has no " + name + ": " + body);
            }
            return value.asText();
        }
    }

    /**
     * One call. A 429 is sent again after the gateway's {@code Retry-After}: a gateway with its
     * default per-client rate limit refuses the operator's deposits beyond it, before doing them.
     * After {@value #RATE_LIMITED_RETRIES_MAX} refusals in a row the 429 is the answer, so a gateway
     * whose limit leaves no room for the setup fails it with that answer instead of hanging it.
     */
    CompletableFuture<Reply> send(String method, String path, String token, String jsonBody) {
        return send(method, path, token, jsonBody, 0);
    }

    private CompletableFuture<Reply> send(String method, String path, String token, String jsonBody, int retries) {
        return sendOnce(method, path, token, jsonBody).thenCompose(response -> {
            if (response.statusCode() != 429 || retries >= RATE_LIMITED_RETRIES_MAX) {
                return CompletableFuture.completedFuture(new Reply(response.statusCode(), response.body()));
            }
            long waitSeconds = response.headers().firstValueAsLong("Retry-After").orElse(1);
            Executor later = CompletableFuture.delayedExecutor(Math.max(1, waitSeconds), TimeUnit.SECONDS);
            return CompletableFuture.supplyAsync(() -> null, later)
                    .thenCompose(ignored -> send(method, path, token, jsonBody, retries + 1));
        });
    }

    private CompletableFuture<HttpResponse<String>> sendOnce(String method, String path, String token, String jsonBody) {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(CALL_TIMEOUT)
                .header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (jsonBody == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    Reply call(String method, String path, String token, String jsonBody) {
        return join(send(method, path, token, jsonBody));
    }

    /** Like {@link #call}, but anything but {@code expectedStatus} stops the setup with the answer. */
    Reply expect(int expectedStatus, String method, String path, String token, String jsonBody) {
        return expecting(expectedStatus, method, path, send(method, path, token, jsonBody)).join();
    }

    static CompletableFuture<Reply> expecting(int expectedStatus, String method, String path,
            CompletableFuture<Reply> reply) {
        return reply.thenApply(r -> {
            if (r.status() != expectedStatus) {
                throw new IllegalStateException(method + " " + path + " answered " + r.status()
                        + " (expected " + expectedStatus + "): " + r.body());
            }
            return r;
        });
    }

    /** A dev token, or empty while the gateway has no {@code /dev/tokens} (before security exists). */
    Optional<String> devToken(String subject, String role, List<String> scopes) {
        return join(devTokenAsync(subject, role, scopes));
    }

    CompletableFuture<Optional<String>> devTokenAsync(String subject, String role, List<String> scopes) {
        String body = "{\"subject\":\"" + subject + "\",\"roles\":[\"" + role + "\"],\"scopes\":["
                + String.join(",", scopes.stream().map(s -> "\"" + s + "\"").toList()) + "]}";
        return send("POST", "/dev/tokens", null, body).thenApply(reply -> {
            if (reply.status() == 404) {
                return Optional.empty();
            }
            if (reply.status() != 200 && reply.status() != 201) {
                throw new IllegalStateException("POST /dev/tokens answered " + reply.status() + ": " + reply.body());
            }
            return Optional.of(reply.field("access_token"));
        });
    }

    /**
     * The status of a streaming endpoint, read from its headers alone: the body of an event
     * stream never ends, so it is closed unread.
     */
    int streamStatus(String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "text/event-stream");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<InputStream> response = join(client.sendAsync(request.GET().build(),
                HttpResponse.BodyHandlers.ofInputStream()));
        try (InputStream ignored = response.body()) {
            return response.statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code count} calls with at most {@code parallelism} in flight and answers their
     * results in index order; the first failure stops the setup.
     */
    <T> List<T> inParallel(int count, IntFunction<CompletableFuture<T>> call) {
        Semaphore inFlight = new Semaphore(parallelism);
        List<CompletableFuture<T>> results = new ArrayList<>(count);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETUP_SECONDS_MAX);
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        for (int i = 0; i < count && firstError.get() == null; i++) {
            acquire(inFlight, deadline);
            results.add(call.apply(i).whenComplete((value, error) -> {
                if (error != null) {
                    firstError.compareAndSet(null, error);
                }
                inFlight.release();
            }));
        }
        return results.stream().map(SetupClient::join).toList();
    }

    private static void acquire(Semaphore inFlight, long deadline) {
        try {
            long left = deadline - System.nanoTime();
            if (!inFlight.tryAcquire(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("setup took longer than " + SETUP_SECONDS_MAX + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("setup interrupted", e);
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }
}
