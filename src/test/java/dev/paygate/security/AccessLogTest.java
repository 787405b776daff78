package dev.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.SecondInstance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Every API call leaves one access-log line: who, what route, what answer, how long; never a token or a path id. */
@ExtendWith(OutputCaptureExtension.class)
class AccessLogTest extends EndToEndTest {

    /** INFO, as in production: other test contexts started in this JVM may have reset the shared logging levels. */
    @org.junit.jupiter.api.BeforeEach
    void accessLogAtItsDefaultLevel() {
        org.springframework.boot.logging.LoggingSystem.get(getClass().getClassLoader())
                .setLogLevel("dev.paygate.access", org.springframework.boot.logging.LogLevel.INFO);
    }

    @Test
    void aCallIsLoggedWithItsRouteStatusCallerAndTraceButNoTokenOrId(CapturedOutput output) {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("EUR");

        alice.get("/accounts/" + account).expectStatus().isOk();
        String line = accessLine(output, "GET /accounts/{id} 200");

        assertThat(line).contains("dev.paygate.access", "caller=" + alice.id(), "ip=127.0.0.1")
                .containsPattern("200 \\d+ms")
                .containsPattern("trace=[0-9a-f]{32}")
                .doesNotContain(account.toString(), "Bearer", "eyJ");
    }

    @Test
    void aRefusalBeforeAuthenticationIsLoggedToo(CapturedOutput output) {
        api.anonymous().get().uri("/transfers").exchange().expectStatus().isUnauthorized();

        assertThat(accessLine(output, "GET (no route) 401")).contains("caller=-");
    }

    @Test
    void withADirectoryTheLogIsKeptInFilesOfItsOwnAndOldFilesAreDeleted(@TempDir Path directory) throws IOException {
        Path expired = Files.writeString(directory.resolve("access-" + LocalDate.now().minusDays(8) + ".log.gz"), "old");
        Path kept = Files.writeString(directory.resolve("access-" + LocalDate.now().minusDays(2) + ".log.gz"), "recent");
        String token = api.token("file-logged-" + UUID.randomUUID(), List.of("CUSTOMER"), null);
        try (ConfigurableApplicationContext instance = SecondInstance.start(
                "--paygate.access-log.directory=" + directory, "--paygate.access-log.retention=7d")) {
            SecondInstance.clientOf(instance).get().uri("/accounts").header("Authorization", "Bearer " + token)
                    .exchange().expectStatus().isOk();

            Path current = directory.resolve("access.log");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(current)
                    && Files.readString(current).contains("GET /accounts 200"));
            assertThat(Files.readString(current)).doesNotContain(token);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(expired));
            assertThat(kept).as("a file younger than the retention").exists();
        }
    }

    private static String accessLine(CapturedOutput output, String fragment) {
        // The line is written when the response completes, which may be just after the client has it.
        return Awaitility.await().atMost(Duration.ofSeconds(5)).until(
                () -> output.getOut().lines().filter(text -> text.contains("dev.paygate.access") && text.contains(fragment))
                        .reduce((first, second) -> second).orElse(null),
                line -> line != null);
    }
}
