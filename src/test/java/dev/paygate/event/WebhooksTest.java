package dev.paygate.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A webhook receives its accounts' events, signed, and failed deliveries are retried until they succeed. */
class WebhooksTest extends EndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    OutboxRelay relay;

    private DisposableServer receiver;
    private final Queue<Received> received = new ConcurrentLinkedQueue<>();
    private final AtomicInteger failFirst = new AtomicInteger();

    record Received(String signature, String webhookId, String body, int answered) {
    }

    @BeforeEach
    void startReceiver() {
        receiver = HttpServer.create().host("localhost").port(0)
                .route(routes -> routes.post("/hook", (request, response) -> request.receive().aggregate().asString()
                        .flatMap(body -> {
                            int status = failFirst.getAndDecrement() > 0 ? 503 : 204;
                            received.add(new Received(request.requestHeaders().get("Paygate-Signature"),
                                    request.requestHeaders().get("Paygate-Webhook-Id"), body, status));
                            return response.status(status).send().then();
                        })))
                .bindNow();
    }

    @AfterEach
    void stopReceiver() {
        receiver.disposeNow();
    }

    @Test
    void eventsOfTheOwnersAccountsArriveSignedAndFailuresAreRetried() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        UUID someoneElses = api.newCustomer().openAccount("USD");
        failFirst.set(2);
        JsonNode webhook = alice.post("/webhooks", Map.of("url", "http://localhost:" + receiver.port() + "/hook",
                        "event_types", List.of("paygate.transaction.completed")))
                .expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        String secret = webhook.get("secret").asString();
        assertThat(secret).startsWith("whsec_");
        assertThat(alice.getJson("/webhooks/" + webhook.get("id").asString()).get("secret").isNull()).isTrue();

        api.operator().deposit(account, "12.34", "USD");
        api.operator().deposit(someoneElses, "56.78", "USD");

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().anyMatch(r -> r.answered() == 204));
        Received delivered = received.stream().filter(r -> r.answered() == 204).findFirst().orElseThrow();
        assertThat(received).hasSize(3).allSatisfy(attempt -> assertThat(attempt.body()).isEqualTo(delivered.body()));
        JsonNode event = JSON.readTree(delivered.body());
        assertThat(event.get("type").asString()).isEqualTo("paygate.transaction.completed");
        assertThat(event.get("data").get("amount").asString()).isEqualTo("12.34");
        assertThat(delivered.webhookId()).isEqualTo(webhook.get("id").asString());
        assertThat(verify(secret, delivered.signature(), delivered.body())).isTrue();
        assertThat(verify("whsec_wrong", delivered.signature(), delivered.body())).isFalse();

        JsonNode deliveries = alice.getJson("/webhooks/" + webhook.get("id").asString() + "/deliveries");
        assertThat(deliveries.get("data")).hasSize(1);
        assertThat(deliveries.get("data").get(0).get("status").asString()).isEqualTo("DELIVERED");
        assertThat(deliveries.get("data").get(0).get("attempts").asInt()).isEqualTo(3);
        assertThat(deliveries.get("data").get(0).get("last_status_code").asInt()).isEqualTo(204);
    }

    @Test
    void aRoundOfEveryonesEventsOwesTheWebhookOnlyItsOwnersOnes() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        UUID someoneElses = api.newCustomer().openAccount("USD");
        String webhookId = alice.post("/webhooks", Map.of("url", "http://localhost:" + receiver.port() + "/hook",
                        "event_types", List.of("paygate.transaction.completed")))
                .expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();

        // Held, so that all five events are published in one round, owed and not owed interleaved.
        relay.pause(true);
        try {
            api.operator().deposit(someoneElses, "9.01", "USD");
            api.operator().deposit(account, "1.11", "USD");
            api.operator().deposit(someoneElses, "9.02", "USD");
            api.operator().deposit(account, "2.22", "USD");
            api.operator().deposit(someoneElses, "9.03", "USD");
        } finally {
            relay.pause(false);
        }

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 2);
        assertThat(received).extracting(r -> JSON.readTree(r.body()).get("data").get("amount").asString())
                .containsExactlyInAnyOrder("1.11", "2.22");
        assertThat(received).allSatisfy(r -> assertThat(r.webhookId()).isEqualTo(webhookId));
        assertThat(alice.getJson("/webhooks/" + webhookId + "/deliveries").get("data")).hasSize(2);
    }

    @Test
    void webhooksAreTheOwnersAndBadOnesAreRefused() {
        User alice = api.newCustomer();
        User eve = api.newCustomer();
        String id = alice.post("/webhooks", Map.of("url", "https://example.test/hook", "event_types", List.of("*")))
                .expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();

        eve.get("/webhooks/" + id).expectStatus().isNotFound();
        eve.client().delete().uri("/webhooks/" + id).exchange().expectStatus().isNotFound();
        alice.post("/webhooks", Map.of("url", "ftp://example.test", "event_types", List.of("*")))
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors.url").exists();
        alice.post("/webhooks", Map.of("url", "https://example.test", "event_types", List.of()))
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors.event_types").exists();
        alice.post("/webhooks", Map.of("url", "https://example.test", "event_types", List.of("*"), "all_accounts", true))
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors.all_accounts").exists();
        alice.client().delete().uri("/webhooks/" + id).exchange().expectStatus().isNoContent();
        assertThat(alice.getJson("/webhooks").get("data").toString()).doesNotContain(id);
    }

    static boolean verify(String secret, String header, String body) {
        try {
            String t = header.split(",")[0].substring(2);
            String v1 = header.split(",")[1].substring(3);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String expected = java.util.HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
            return java.security.MessageDigest.isEqual(expected.getBytes(), v1.getBytes());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
