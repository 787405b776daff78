package dev.paygate.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.PaygateApplication;
import dev.paygate.TestDataDirectory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** The embedded default keeps money and keys across a restart: a payment system must not forget. */
class RestartKeepsDataTest {

    @Test
    void accountsBalancesAndTokensSurviveARestart() throws Exception {
        Path root = Path.of(TestDataDirectory.ROOT, "restart-" + UUID.randomUUID());
        Path postgres = root.resolve("postgres-17");
        String token;
        UUID account;
        try (ConfigurableApplicationContext first = start(root)) {
            WebTestClient client = client(first);
            token = client.post().uri("/dev/tokens").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("subject", "restarter", "roles", List.of("ADMIN")))
                    .exchange().expectStatus().isOk()
                    .expectBody(JsonNode.class).returnResult().getResponseBody().get("access_token").asString();
            account = UUID.fromString(client.post().uri("/accounts").header("Authorization", "Bearer " + token)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("currency", "EUR"))
                    .exchange().expectStatus().isCreated()
                    .expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString());
            client.post().uri("/accounts/" + account + "/deposit").header("Authorization", "Bearer " + token)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("amount", "42.17", "currency", "EUR"))
                    .exchange().expectStatus().isCreated();
        }
        EmbeddedPostgresLauncher.stop(postgres);

        try (ConfigurableApplicationContext second = start(root)) {
            client(second).get().uri("/accounts/" + account + "/balance").header("Authorization", "Bearer " + token)
                    .exchange()
                    .expectStatus().isOk()
                    .expectBody().jsonPath("$.balance").isEqualTo("42.17");
        } finally {
            EmbeddedPostgresLauncher.stop(postgres);
        }
        assertThat(root.resolve("dev-signing-key.json")).exists();
    }

    private static ConfigurableApplicationContext start(Path root) {
        return new SpringApplicationBuilder(PaygateApplication.class).run(
                "--server.port=0",
                "--spring.main.banner-mode=off",
                "--paygate.database.embedded.data-directory=" + root.resolve("postgres-17"),
                "--paygate.security.dev.key-file=" + root.resolve("dev-signing-key.json"),
                "--paygate.banks.credentials-key-file=" + root.resolve("bank-credentials.key"),
                "--paygate.compliance.erasure.pseudonym-key-file=" + root.resolve("erasure-pseudonym.key"));
    }

    private static WebTestClient client(ConfigurableApplicationContext context) {
        String port = context.getEnvironment().getProperty("local.server.port");
        return WebTestClient.bindToServer().baseUrl("http://localhost:" + port).build();
    }
}
