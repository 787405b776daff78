package dev.paygate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.TestDataDirectory;
import dev.paygate.sandbox.SandboxBank;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.SecondInstance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.yaml.snakeyaml.Yaml;

/**
 * The prod profile starts with what docker-compose gives it (on a database of its own), and is
 * closed where the embedded default is open: no dev tokens, no sandbox bank, tokens only from the
 * configured issuer.
 */
class ProductionProfileTest extends EndToEndTest {

    @Test
    void theProductionProfileStartsWithComposesSettingsAndOffersNoDevShortcuts() throws IOException {
        Map<String, String> compose = gatewayEnvironment();
        try (ConfigurableApplicationContext production = SecondInstance.start(
                "--spring.profiles.active=prod",
                "--paygate.banks.credentials-key=" + compose.get("PAYGATE_BANKS_CREDENTIALS_KEY"),
                "--paygate.compliance.erasure.pseudonym-key=" + compose.get("PAYGATE_COMPLIANCE_ERASURE_PSEUDONYM_KEY"),
                // Nothing answers there: the keys are fetched on the first token, never at startup.
                "--spring.security.oauth2.resourceserver.jwt.issuer-uri=http://127.0.0.1:9/realms/paygate",
                "--spring.security.oauth2.resourceserver.jwt.jwk-set-uri=http://127.0.0.1:9/realms/paygate/certs",
                // A database of its own: the prod profile writes its KYC and AML settings to the database
                // it runs on, and the suite's must keep the embedded default's.
                "--paygate.database.embedded.data-directory=" + TestDataDirectory.ROOT + "/prod-profile/postgres-17")) {
            WebTestClient gateway = SecondInstance.clientOf(production);
            awaitReady(gateway);

            gateway.post().uri("/dev/tokens").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("subject", "mallory", "roles", new String[] {"ADMIN"}))
                    .exchange().expectStatus().isUnauthorized();
            // No sandbox bank at all: its paths are not part of this gateway (so outside the API contract).
            WebTestClient.bindToServer().baseUrl("http://localhost:" + production.getEnvironment()
                            .getProperty("local.server.port")).build()
                    .get().uri("/sandbox/banks/" + SandboxBank.ID + "/statements/2026-01-01").exchange()
                    .expectStatus().isNotFound();
            gateway.get().uri("/accounts").exchange().expectStatus().isUnauthorized();
            // A token of the embedded default is not one of the issuer's; with the issuer's keys out of
            // reach it cannot be checked at all, which is an outage (503), never an acceptance.
            gateway.get().uri("/accounts").header("Authorization", "Bearer " + api.token("alice",
                            java.util.List.of("ADMIN"), null))
                    .exchange().expectStatus().isEqualTo(503)
                    .expectHeader().contentType("application/problem+json");
            gateway.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> gatewayEnvironment() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
        Map<String, Object> gateway = (Map<String, Object>) compose.get("x-gateway");
        Map<String, Object> environment = (Map<String, Object>) gateway.get("environment");
        Map<String, String> strings = new java.util.HashMap<>();
        environment.forEach((key, value) -> strings.put(key, String.valueOf(value)));
        assertThat(strings).containsKeys("PAYGATE_BANKS_CREDENTIALS_KEY", "PAYGATE_COMPLIANCE_ERASURE_PSEUDONYM_KEY");
        return strings;
    }
}
