package dev.paygate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import dev.paygate.common.EmbeddedPostgresLauncher;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Gives each test run a fresh database: before the first context of the JVM starts its embedded
 * PostgreSQL, the suite's data directory is wiped. Later contexts in the same JVM share the server.
 */
public class TestDataDirectory implements EnvironmentPostProcessor, Ordered {

    public static final String ROOT = "target/test-data";
    public static final String POSTGRES = ROOT + "/postgres-17";
    public static final String SIGNING_KEY = ROOT + "/dev-signing-key.json";
    public static final String BANK_CREDENTIALS_KEY = ROOT + "/bank-credentials.key";
    public static final String PSEUDONYM_KEY = ROOT + "/erasure-pseudonym.key";

    private static final AtomicBoolean WIPED = new AtomicBoolean();

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (WIPED.compareAndSet(false, true)) {
            try {
                // A test run that was killed may have left its PostgreSQL running on this directory.
                EmbeddedPostgresLauncher.stopLeftoverServer(Path.of(POSTGRES));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            delete(Path.of(ROOT));
        }
    }

    public static void delete(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
