package dev.paygate.support;

import io.r2dbc.spi.ConnectionFactories;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * A gateway in a JVM of its own, with its own embedded PostgreSQL in its own directory, so a test
 * can SIGKILL it, or take its database away, without touching the suite's shared context. It runs
 * the packaged jar when {@code -Dpaygate.it.jar} names one, else the main class on the test's
 * class path without the test classes (whose environment post-processors would wipe the suite's
 * data directory and start a Kafka broker).
 */
public final class ChildGateway implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration POSTGRES_STOP_TIMEOUT = Duration.ofSeconds(30);
    /** The shutdown phases' timeouts (30 s each) would allow more, but an idle-ish gateway needs seconds. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POSTGRES_START_TIMEOUT = Duration.ofSeconds(60);

    private final Path root;
    private final int httpPort;
    private final int postgresPort;
    private final List<String> settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int starts;
    private @Nullable Path stoppedPostgres;
    private List<String> stoppedPostgresArguments = List.of();

    /** {@code settings} are {@code --name=value} arguments added to every start. */
    public ChildGateway(Path root, String... settings) {
        this.root = root.toAbsolutePath().normalize();
        this.httpPort = freePort();
        this.postgresPort = freePort();
        this.settings = List.of(settings);
    }

    /** A dev token for the subject and role, from this gateway's {@code /dev/tokens}. */
    public String token(HttpClient http, String subject, String role) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/dev/tokens"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"subject\":\"" + subject + "\",\"roles\":[\"" + role + "\"]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("/dev/tokens answered " + response.statusCode() + ": " + response.body());
        }
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(response.body())
                .get("access_token").asString();
    }

    /** A JSON POST with a bearer token and a fresh Idempotency-Key, given up after {@code timeout}. */
    public HttpRequest post(String path, String token, String body, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(timeout)
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Idempotency-Key", java.util.UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    public String baseUrl() {
        return "http://localhost:" + httpPort;
    }

    public Path postgresDirectory() {
        return root.resolve("postgres-17");
    }

    /** The log of the latest start. */
    public Path log() {
        return root.resolve("gateway-" + starts + ".log");
    }

    /** Starts the gateway and waits until it is ready; fails with its log if it exits or never gets there. */
    public void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        Files.createDirectories(root);
        starts++;
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx384m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC"));
        String jar = System.getProperty("paygate.it.jar");
        if (jar != null && !jar.isBlank()) {
            command.addAll(List.of("-jar", jar));
        } else {
            command.addAll(List.of("-cp", mainClassPath(), "dev.paygate.PaygateApplication"));
        }
        command.addAll(List.of(
                "--server.port=" + httpPort,
                "--spring.main.banner-mode=off",
                "--paygate.database.embedded.data-directory=" + postgresDirectory(),
                "--paygate.database.embedded.port=" + postgresPort,
                "--paygate.security.dev.key-file=" + root.resolve("dev-signing-key.json"),
                "--paygate.banks.credentials-key-file=" + root.resolve("bank-credentials.key"),
                "--paygate.rate-limit.enabled=false"));
        command.addAll(settings);
        process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log().toFile()).start();
        Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
        while (!"UP".equals(readiness())) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                String output = Files.readString(log());
                process.destroyForcibly().waitFor();
                throw new AssertionError("gateway did not become ready (start " + starts + "); its log:\n" + output);
            }
            Thread.sleep(200);
        }
    }

    /** {@code UP}, {@code DOWN}, or {@code UNREACHABLE} when nothing answers. */
    public String readiness() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(8)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? "UP" : "DOWN";
        } catch (IOException e) {
            return "UNREACHABLE";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "UNREACHABLE";
        }
    }

    /** SIGTERM, as an orchestrator stops a container; waits until the JVM has exited. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("gateway did not stop within " + STOP_TIMEOUT + " of SIGTERM");
        }
    }

    /** SIGKILL: no shutdown hook, no graceful stop; its PostgreSQL is left as it was. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** The embedded PostgreSQL's server process, from its pid file. */
    public Optional<ProcessHandle> postmaster() throws IOException {
        Path pidFile = postgresDirectory().resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim())).filter(ProcessHandle::isAlive);
    }

    /** SIGKILL to the server and every backend, as an OOM killer or a power cut would leave it. */
    public void killPostgres() throws IOException {
        ProcessHandle postmaster = postmaster().orElseThrow(() -> new AssertionError("no PostgreSQL running"));
        List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
        all.add(0, postmaster);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : all) {
            handle.onExit().join();
        }
    }

    /**
     * Stops the embedded PostgreSQL as an operator or a failover would: SIGINT, PostgreSQL's fast
     * shutdown (open sessions are terminated, the server checkpoints and exits, the pid file goes).
     * Remembers how the server was started, for {@link #startPostgres()}.
     */
    public void stopPostgres() throws Exception {
        ProcessHandle postmaster = postmaster().orElseThrow(() -> new AssertionError("no PostgreSQL running"));
        stoppedPostgres = postmaster.info().command().map(Path::of)
                .orElseThrow(() -> new AssertionError("command of PostgreSQL " + postmaster.pid() + " not visible"));
        stoppedPostgresArguments = postmaster.info().arguments().map(List::of)
                .orElseThrow(() -> new AssertionError("arguments of PostgreSQL " + postmaster.pid() + " not visible"));
        if (new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid())).inheritIO().start().waitFor() != 0) {
            throw new AssertionError("could not signal PostgreSQL " + postmaster.pid());
        }
        postmaster.onExit().get(POSTGRES_STOP_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * Starts the PostgreSQL that {@link #stopPostgres()} stopped again, from the binaries the gateway
     * unpacked, on the same port and data directory and with the same options, and waits until it
     * takes connections. The server binary directly, not {@code pg_ctl}, so that the server is a process
     * this JVM started and knows.
     */
    public void startPostgres() throws IOException, InterruptedException {
        if (stoppedPostgres == null) {
            throw new IllegalStateException("stopPostgres() first");
        }
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            // As the embedded library does: PostgreSQL refuses root, so it runs in a user namespace of its own.
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(stoppedPostgres.toString());
        command.addAll(stoppedPostgresArguments);
        Path log = root.resolve("postgres-restarted.log");
        Process server = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Instant deadline = Instant.now().plus(POSTGRES_START_TIMEOUT);
        while (!takesConnections()) {
            if (!server.isAlive() || Instant.now().isAfter(deadline)) {
                throw new AssertionError("PostgreSQL did not start again; its log:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    /** The server's own word, the last line of its pid file: {@code ready} once it accepts connections. */
    private boolean takesConnections() throws IOException {
        Path pidFile = postgresDirectory().resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return false;
        }
        List<String> lines = Files.readAllLines(pidFile);
        return !lines.isEmpty() && lines.get(lines.size() - 1).trim().equals("ready");
    }

    /**
     * The sum over all series of one metric in the gateway's {@code /actuator/prometheus}, e.g.
     * {@code jvm_threads_live_threads}; fails when the gateway exposes no such metric.
     */
    public double metric(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(8)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("/actuator/prometheus answered " + response.statusCode());
        }
        List<Double> values = response.body().lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .toList();
        if (values.isEmpty()) {
            throw new AssertionError("no metric " + name + " in /actuator/prometheus");
        }
        return values.stream().mapToDouble(Double::doubleValue).sum();
    }

    /** A client of the gateway's own database, for the checks below the API. */
    public DatabaseClient database() {
        return DatabaseClient.create(ConnectionFactories.get(
                "r2dbc:postgresql://postgres@localhost:" + postgresPort + "/paygate"));
    }

    /** Stops the gateway (SIGTERM, graceful) and any PostgreSQL it leaves behind. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        Optional<ProcessHandle> leftover = postmaster();
        if (leftover.isPresent()) {
            // A test that froze it (SIGSTOP) and failed before thawing it: a frozen server never stops.
            List<String> thaw = new ArrayList<>(List.of("kill", "-CONT", Long.toString(leftover.get().pid())));
            leftover.get().descendants().forEach(process -> thaw.add(Long.toString(process.pid())));
            new ProcessBuilder(thaw).inheritIO().start().waitFor();
            leftover.get().destroy();
            leftover.get().onExit().join();
        }
    }

    private static String mainClassPath() {
        String testClasses = new File("target/test-classes").getAbsolutePath();
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !new File(entry).getAbsolutePath().equals(testClasses))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
