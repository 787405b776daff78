package dev.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.PaygateApplication;
import dev.paygate.TestDataDirectory;
import dev.paygate.support.EndToEndTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * A gateway with low limits (its own context on the suite's database): a client over its limit
 * gets 429 with Retry-After, other clients and health are unaffected, and the limit recovers.
 */
class RateLimitTest {

    private static ConfigurableApplicationContext gateway;
    private static WebTestClient client;

    @BeforeAll
    static void start() {
        gateway = new SpringApplicationBuilder(PaygateApplication.class).run(
                "--server.port=0",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN",
                "--paygate.database.embedded.data-directory=" + TestDataDirectory.POSTGRES,
                "--paygate.security.dev.key-file=" + TestDataDirectory.SIGNING_KEY,
                "--paygate.banks.credentials-key-file=" + TestDataDirectory.BANK_CREDENTIALS_KEY,
                "--paygate.compliance.erasure.pseudonym-key-file=" + TestDataDirectory.PSEUDONYM_KEY,
                "--paygate.rate-limit.requests-per-period=5",
                "--paygate.rate-limit.anonymous-requests-per-period=3",
                "--paygate.rate-limit.period=2s",
                "--paygate.sandbox.enabled=false");
        client = EndToEndTest.contracted(WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + gateway.getEnvironment().getProperty("local.server.port")).build());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void aClientOverItsLimitGets429WithRetryAfterAndRecovers() throws InterruptedException {
        // Not a timestamp: a 13-19 digit run can pass the Luhn check and be refused as a card number.
        String greedy = token("greedy-" + java.util.UUID.randomUUID());
        String patient = token("patient-" + java.util.UUID.randomUUID());

        int ok = 0;
        int limited = 0;
        for (int i = 0; i < 8; i++) {
            int status = client.get().uri("/accounts").header("Authorization", "Bearer " + greedy)
                    .exchange().returnResult(String.class).getStatus().value();
            ok += status == 200 ? 1 : 0;
            limited += status == 429 ? 1 : 0;
        }
        assertThat(ok).isEqualTo(5);
        assertThat(limited).isEqualTo(3);
        client.get().uri("/accounts").header("Authorization", "Bearer " + greedy).exchange()
                .expectStatus().isEqualTo(429)
                .expectHeader().valueEquals("Retry-After", "2")
                .expectHeader().contentType("application/problem+json")
                .expectBody().jsonPath("$.type").isEqualTo("https://paygate.dev/problems/rate-limited");
        client.get().uri("/accounts").header("Authorization", "Bearer " + patient).exchange().expectStatus().isOk();
        client.get().uri("/actuator/health").exchange().expectStatus().isOk();

        Thread.sleep(2_100);
        client.get().uri("/accounts").header("Authorization", "Bearer " + greedy).exchange().expectStatus().isOk();
    }

    @Test
    void aFloodOfBadTokensIsLimitedByAddress() {
        List<Integer> statuses = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(client.get().uri("/transactions").header("Authorization", "Bearer forged." + i + ".token")
                    .exchange().returnResult(String.class).getStatus().value());
        }

        assertThat(statuses).contains(401, 429);
    }

    private static String token(String subject) {
        JsonNode token = client.post().uri("/dev/tokens").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("subject", subject, "roles", List.of("CUSTOMER")))
                .exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        return token.get("access_token").asString();
    }
}
