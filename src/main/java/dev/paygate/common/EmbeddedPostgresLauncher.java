package dev.paygate.common;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts a real PostgreSQL server for the gateway when no database is configured (the embedded
 * default), and points R2DBC and Flyway at it. Its data directory survives restarts: a payment
 * system that forgets money when it stops is no default anyone can use.
 *
 * <p>It runs before the application context exists, because the connection factory and Flyway
 * read their URLs when they are built.
 */
public class EmbeddedPostgresLauncher implements EnvironmentPostProcessor, Ordered {

    static final String DATABASE_NAME = "paygate";
    private static final String SUPERUSER = "postgres";
    private static final String LOCK_FILE = "epg-lock";

    /** One server per data directory per JVM: test contexts and restarts in one JVM share it. */
    private static final Map<Path, EmbeddedPostgres> RUNNING = new ConcurrentHashMap<>();

    private final Log log;

    public EmbeddedPostgresLauncher(DeferredLogFactory logs) {
        this.log = logs.getLog(EmbeddedPostgresLauncher.class);
    }

    @Override
    public int getOrder() {
        return ConfigDataEnvironmentPostProcessor.ORDER + 10;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Binder binder = Binder.get(environment);
        Optional<String> externalUrl = Optional.ofNullable(binder.bind("spring.r2dbc.url", String.class).orElse(null))
                .filter(url -> !url.isBlank());
        if (externalUrl.isPresent()) {
            useExternal(environment, binder, externalUrl.get());
            return;
        }
        EmbeddedDatabaseProperties settings = binder.bind("paygate.database.embedded", EmbeddedDatabaseProperties.class)
                .orElseGet(EmbeddedDatabaseProperties::defaults);
        Path dataDirectory = settings.dataDirectory().toAbsolutePath().normalize();
        // Stopped only after the application has shut down: the library's own JVM shutdown hook
        // would stop it concurrently with Spring's, under the requests and workers still finishing.
        boolean stopAfterShutdown = binder.bind("spring.main.register-shutdown-hook", Boolean.class).orElse(true);
        EmbeddedPostgres server = RUNNING.computeIfAbsent(dataDirectory, dir -> {
            EmbeddedPostgres started = start(dir, settings, !stopAfterShutdown);
            if (stopAfterShutdown) {
                SpringApplication.getShutdownHandlers().add(() -> stopQuietly(dir, started));
            }
            return started;
        });
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.r2dbc.url", "r2dbc:postgresql://localhost:" + server.getPort() + "/" + DATABASE_NAME);
        properties.put("spring.r2dbc.username", SUPERUSER);
        properties.put("spring.r2dbc.password", "");
        properties.put("spring.flyway.url", server.getJdbcUrl(SUPERUSER, DATABASE_NAME));
        properties.put("spring.flyway.user", SUPERUSER);
        properties.put("spring.flyway.password", "");
        properties.put("paygate.database.embedded.active-port", server.getPort());
        environment.getPropertySources().addFirst(new MapPropertySource("paygateEmbeddedPostgres", properties));
        log.info("Database: embedded PostgreSQL 17 in " + dataDirectory + ", jdbc:postgresql://localhost:"
                + server.getPort() + "/" + DATABASE_NAME + " (user " + SUPERUSER + ")");
    }

    /** Stops the server of a data directory, as the end of the JVM would; for tests of restarts. */
    static void stop(Path dataDirectory) throws IOException {
        EmbeddedPostgres server = RUNNING.remove(dataDirectory.toAbsolutePath().normalize());
        if (server != null) {
            server.close();
        }
    }

    /** With only {@code SPRING_R2DBC_URL} given, Flyway gets the same server's JDBC URL and credentials. */
    private void useExternal(ConfigurableEnvironment environment, Binder binder, String r2dbcUrl) {
        Map<String, Object> derived = new HashMap<>();
        if (!binder.bind("spring.flyway.url", String.class).isBound()) {
            // JDBC takes no user and password in the URL: they move to Flyway's own settings.
            java.util.regex.Matcher userInfo = java.util.regex.Pattern.compile("//([^:@/]*)(?::([^@/]*))?@")
                    .matcher(r2dbcUrl);
            String jdbcUrl = r2dbcUrl.replaceFirst("^r2dbc:(pool:)?postgres(ql)?:", "jdbc:postgresql:")
                    .replaceFirst("\\?.*$", "");
            if (userInfo.find()) {
                jdbcUrl = jdbcUrl.replaceFirst("//[^@/]*@", "//");
                derived.put("spring.flyway.user", decoded(userInfo.group(1)));
                if (userInfo.group(2) != null) {
                    derived.put("spring.flyway.password", decoded(userInfo.group(2)));
                }
            }
            derived.put("spring.flyway.url", jdbcUrl);
            binder.bind("spring.r2dbc.username", String.class).ifBound(user -> derived.put("spring.flyway.user", user));
            binder.bind("spring.r2dbc.password", String.class).ifBound(pass -> derived.put("spring.flyway.password", pass));
            environment.getPropertySources().addLast(new MapPropertySource("paygateFlywayFromR2dbc", derived));
        }
        String shown = r2dbcUrl.replaceAll("//[^@/]*@", "//***@");
        log.info("Database: external PostgreSQL at " + shown + " (no embedded server started)");
    }

    private static String decoded(String urlPart) {
        return java.net.URLDecoder.decode(urlPart, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Runs once every application context of the JVM has closed (Spring Boot's shutdown handlers
     * run after its shutdown hook closed them), so no request or worker still uses the server.
     */
    private static void stopQuietly(Path dataDirectory, EmbeddedPostgres server) {
        if (RUNNING.remove(dataDirectory, server)) {
            try {
                server.close();
            } catch (IOException e) {
                // The JVM is exiting; the next start takes over a server left running.
                System.err.println("Could not stop embedded PostgreSQL in " + dataDirectory + ": " + e);
            }
        }
    }

    private EmbeddedPostgres start(Path dataDirectory, EmbeddedDatabaseProperties settings, boolean stopWithJvm) {
        try {
            Files.createDirectories(dataDirectory);
            if (stopLeftoverServer(dataDirectory) > 0) {
                log.warn("Stopped the PostgreSQL that a gateway which did not shut down cleanly left running on " + dataDirectory);
            }
            File logFile = dataDirectory.resolveSibling(dataDirectory.getFileName() + ".log").toFile();
            EmbeddedPostgres server = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(settings.port())
                    .setPGStartupWait(settings.startupTimeout())
                    .setRegisterShutdownHook(stopWithJvm)
                    // The library starts the server with -F (fsync off), fine for throwaway test
                    // databases, never for money. These come after -F on the command line and win.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    // A new 16 MB WAL segment is zero-filled before its first commit, and every
                    // commit waits for it: 20-60 ms stalls every few seconds under load until
                    // checkpoints leave segments to recycle. Without the zeroing, ext4 allocates
                    // the blocks as commits write them, which measured cheaper than the stalls
                    // (bench/RESULTS.md); durability is fdatasync's either way.
                    .setServerConfig("wal_init_zero", "off")
                    // The default 1 GB forces a checkpoint after about 0.5 GB of WAL, every two or
                    // three minutes under load; with one in the window a lab's p99 went from 86 ms
                    // to 466 ms (bench/RESULTS.md). At 4 GB checkpoints come from
                    // checkpoint_timeout (5 min) instead; crash recovery replays more WAL.
                    .setServerConfig("max_wal_size", "4GB")
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("max_connections", "100")
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile))
                    .start();
            createDatabaseIfMissing(server);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    /**
     * A gateway killed with SIGKILL leaves its PostgreSQL running on the data directory, and the
     * next start would fail on {@code postmaster.pid}. If no live gateway holds the directory's lock,
     * any server on that directory is an orphan: stop it, so this start can take the directory over.
     */
    public static int stopLeftoverServer(Path dataDirectory) throws IOException {
        Path directory = dataDirectory.toAbsolutePath().normalize();
        if (!Files.isDirectory(directory) || isEmpty(directory)) {
            return 0; // nothing to take over, and initdb needs the directory empty
        }
        try (FileChannel channel = FileChannel.open(directory.resolve(LOCK_FILE),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("Data directory " + directory
                        + " is in use by another running gateway; give this one its own paygate.database.embedded.data-directory");
            }
            java.util.List<ProcessHandle> orphans = serversOn(directory);
            for (ProcessHandle orphan : orphans) {
                // SIGTERM is PostgreSQL's smart shutdown; the dead gateway's sessions are gone, so it is quick.
                orphan.destroy();
                orphan.onExit().get(30, TimeUnit.SECONDS);
            }
            return orphans.size();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("PostgreSQL left running in " + directory + " did not stop", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping leftover PostgreSQL", e);
        }
    }

    /** PostgreSQL servers running on a data directory: from its pid file, and from the process table. */
    private static java.util.List<ProcessHandle> serversOn(Path directory) throws IOException {
        java.util.Set<ProcessHandle> servers = new java.util.LinkedHashSet<>();
        Path pidFile = directory.resolve("postmaster.pid");
        if (Files.exists(pidFile)) {
            ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()))
                    .filter(EmbeddedPostgresLauncher::isPostgres)
                    .ifPresent(servers::add);
        }
        ProcessHandle.allProcesses()
                .filter(EmbeddedPostgresLauncher::isPostgres)
                .filter(process -> process.info().arguments()
                        .map(arguments -> java.util.Arrays.asList(arguments).contains(directory.toString()))
                        .orElse(false))
                .forEach(servers::add);
        return java.util.List.copyOf(servers);
    }

    private static boolean isEmpty(Path directory) throws IOException {
        try (var entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        }
    }

    private static boolean isPostgres(ProcessHandle process) {
        return process.isAlive() && process.info().command().map(command -> command.endsWith("/postgres")).orElse(false);
    }

    private static void createDatabaseIfMissing(EmbeddedPostgres server) {
        try (Connection connection = server.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            var exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE_NAME + "'");
            if (!exists.next()) {
                statement.execute("CREATE DATABASE " + DATABASE_NAME);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + DATABASE_NAME, e);
        }
    }

    /** Settings of the embedded server; see the README's configuration table. */
    public record EmbeddedDatabaseProperties(Path dataDirectory, int port, Duration startupTimeout) {

        public EmbeddedDatabaseProperties {
            if (dataDirectory == null) {
                dataDirectory = Path.of("data", "postgres-17");
            }
            if (startupTimeout == null) {
                startupTimeout = Duration.ofSeconds(60);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("paygate.database.embedded.port must be 0..65535");
            }
        }

        static EmbeddedDatabaseProperties defaults() {
            return new EmbeddedDatabaseProperties(null, 0, null);
        }
    }
}
