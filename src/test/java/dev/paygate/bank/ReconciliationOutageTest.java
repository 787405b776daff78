package dev.paygate.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.EndToEndTest;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A bank that cannot be reached makes reconciliation a 503 to retry, never a 500. */
class ReconciliationOutageTest extends EndToEndTest {

    @Test
    void reconcilingWithAnUnreachableBankIs503WithRetryAfter() {
        // Nothing listens on port 1: every call to this bank is refused at once.
        JsonNode bank = api.admin().post("/external-banks", Map.of("name", "Unreachable bank",
                        "api_url", "http://127.0.0.1:1/bank", "auth_method", "HMAC",
                        "credentials", Map.of("key_id", "k", "secret", "s")))
                .expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody();

        JsonNode problem = api.operator().get("/external-banks/" + bank.get("id").asString() + "/reconciliation?date="
                        + LocalDate.now(ZoneOffset.UTC))
                .expectStatus().isEqualTo(503)
                .expectHeader().exists("Retry-After")
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(problem.get("type").asString()).endsWith("/service-unavailable");
    }
}
