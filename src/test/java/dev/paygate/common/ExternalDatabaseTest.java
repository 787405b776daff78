package dev.paygate.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.TestDataDirectory;
import dev.paygate.support.Api;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.SecondInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * With {@code spring.r2dbc.url} set the gateway uses that server, starts none of its own, and says
 * so in one log line that never shows the password.
 */
@ExtendWith(OutputCaptureExtension.class)
class ExternalDatabaseTest extends EndToEndTest {

    @Autowired
    Environment environment;

    @Test
    void aConfiguredServerIsUsedAndNothingIsStarted(CapturedOutput output) {
        String port = environment.getProperty("paygate.database.embedded.active-port");
        Path unused = Path.of(TestDataDirectory.ROOT, "never-started", "postgres-17");
        UUID account = api.newCustomer().openAccount("USD");

        try (ConfigurableApplicationContext external = SecondInstance.start(
                "--spring.r2dbc.url=r2dbc:postgresql://postgres:not-shown-in-logs@localhost:" + port + "/paygate",
                "--paygate.database.embedded.data-directory=" + unused,
                "--logging.level.dev.paygate.common=INFO")) {
            var client = SecondInstance.clientOf(external);
            awaitReady(client);

            // The suite's data, through the other instance: the same server.
            new Api(client).admin().get("/accounts/" + account).expectStatus().isOk();
        }

        assertThat(Files.exists(unused)).as("no embedded server was set up").isFalse();
        assertThat(output.getOut()).contains("Database: external PostgreSQL at r2dbc:postgresql://***@localhost:" + port
                + "/paygate (no embedded server started)").doesNotContain("not-shown-in-logs");
    }
}
