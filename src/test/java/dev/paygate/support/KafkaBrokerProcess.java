package dev.paygate.support;

import dev.paygate.TestDataDirectory;
import dev.paygate.TestKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real Kafka broker (KRaft, broker and controller in one) in a JVM of its own, on a fixed port
 * with its data in a directory of its own, so a test can stop it (SIGTERM, or SIGKILL) and start it
 * again on the same port with the same log, as an operator restarting a broker would. The suite's
 * shared broker ({@link TestKafkaBroker}) is never touched. Keep its directory out of
 * {@link TestDataDirectory#ROOT}, which the JVM's first application context wipes.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final Path root;
    private final int port;
    private final int controllerPort;
    private Process process;
    private int starts;

    public KafkaBrokerProcess(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.port = freePort();
        this.controllerPort = freePort();
        Files.createDirectories(this.root);
        Files.writeString(properties(), String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + this.root.resolve("log"),
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "group.initial.rebalance.delay.ms=0",
                ""));
        run(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", properties().toString()),
                root.resolve("format.log"));
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Starts the broker (on the first start also the event topic) and waits until it answers. */
    public void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        starts++;
        process = launch(List.of("kafka.Kafka", properties().toString()), log());
        Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000))) {
            while (true) {
                try {
                    admin.createTopics(List.of(new NewTopic(TestKafkaBroker.TOPIC, 3, (short) 1))).all().get();
                    return;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        return;
                    }
                    if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                        throw new AssertionError("Kafka broker did not start (start " + starts + "); its log:\n"
                                + Files.readString(log()), e);
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    /** SIGTERM: the broker shuts down cleanly and keeps its log for the next start. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    public Path log() {
        return root.resolve("broker-" + starts + ".log");
    }

    /** Stops the broker and deletes its directory. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
        TestDataDirectory.delete(root);
    }

    private Path properties() {
        return root.resolve("server.properties");
    }

    private void run(List<String> mainAndArguments, Path output) throws IOException {
        try {
            Process tool = launch(mainAndArguments, output);
            if (!tool.waitFor(60, TimeUnit.SECONDS) || tool.exitValue() != 0) {
                throw new AssertionError(mainAndArguments + " failed: " + Files.readString(output));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Process launch(List<String> mainAndArguments, Path output) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
        command.addAll(mainAndArguments);
        return new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
