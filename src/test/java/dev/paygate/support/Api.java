package dev.paygate.support;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

/**
 * The gateway as a client sees it: users who open accounts, move money and read it back over
 * real HTTP. Shared by every end-to-end test so that none of them builds requests by hand twice.
 */
public final class Api {

    private static final AtomicLong USER_SEQUENCE = new AtomicLong();
    private static final ParameterizedTypeReference<ServerSentEvent<JsonNode>> SSE = new ParameterizedTypeReference<>() { };

    private final WebTestClient client;

    public Api(WebTestClient client) {
        this.client = client;
    }

    /** A customer with a fresh user id, so tests never see each other's accounts. */
    public User newCustomer() {
        return user("customer-" + USER_SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID(), "CUSTOMER");
    }

    public User operator() {
        return user("operator-1", "OPERATOR");
    }

    public User admin() {
        return user("admin-1", "ADMIN");
    }

    /** A user with a token from the embedded default's {@code POST /dev/tokens}, holding every scope. */
    public User user(String id, String... roles) {
        return new User(client.mutate().defaultHeader("Authorization", "Bearer " + token(id, List.of(roles), null)).build(), id);
    }

    /** A user whose token grants only these scopes. */
    public User userWithScopes(String id, List<String> scopes, String... roles) {
        return new User(client.mutate().defaultHeader("Authorization", "Bearer " + token(id, List.of(roles), scopes)).build(), id);
    }

    public String token(String subject, List<String> roles, List<String> scopes) {
        Map<String, Object> request = new java.util.HashMap<>();
        request.put("subject", subject);
        request.put("roles", roles);
        if (scopes != null) {
            request.put("scopes", scopes);
        }
        JsonNode token = client.post().uri("/dev/tokens").contentType(MediaType.APPLICATION_JSON).bodyValue(request)
                .exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        return token.get("access_token").asString();
    }

    public WebTestClient anonymous() {
        return client;
    }

    /** One caller; every request it makes carries its identity. */
    public static final class User {

        private final WebTestClient client;
        private final String id;

        User(WebTestClient client, String id) {
            this.client = client;
            this.id = id;
        }

        public String id() {
            return id;
        }

        public WebTestClient client() {
            return client;
        }

        public WebTestClient.ResponseSpec post(String path, Object body) {
            return client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
        }

        public WebTestClient.ResponseSpec post(String path, Object body, String idempotencyKey) {
            return client.post().uri(path).contentType(MediaType.APPLICATION_JSON)
                    .header("Idempotency-Key", idempotencyKey).bodyValue(body).exchange();
        }

        public WebTestClient.ResponseSpec put(String path, Object body) {
            return client.put().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
        }

        public WebTestClient.ResponseSpec get(String path) {
            return client.get().uri(path).exchange();
        }

        public JsonNode getJson(String path) {
            return get(path).expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        }

        public UUID openAccount(String currency) {
            JsonNode account = post("/accounts", Map.of("currency", currency, "name", "Test " + currency))
                    .expectStatus().isCreated()
                    .expectBody(JsonNode.class).returnResult().getResponseBody();
            return UUID.fromString(account.get("id").asString());
        }

        /** Deposits as an operator would; the account must accept it. */
        public JsonNode deposit(UUID account, String amount, String currency) {
            return post("/accounts/" + account + "/deposit", Map.of("amount", amount, "currency", currency))
                    .expectStatus().isCreated()
                    .expectBody(JsonNode.class).returnResult().getResponseBody();
        }

        public WebTestClient.ResponseSpec transfer(UUID from, UUID to, String amount, String currency) {
            return post("/transfers", Map.of("from_account", from.toString(), "to_account", to.toString(),
                    "amount", amount, "currency", currency));
        }

        public String balance(UUID account) {
            return getJson("/accounts/" + account + "/balance").get("balance").asString();
        }

        /** Waits, as a polling client would, until the transfer reaches the status (30 s at most). */
        public void awaitStatus(String transfer, String status) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> getJson("/transfers/" + transfer + "/status").get("status").asString().equals(status));
        }

        /** An SSE stream as a client reads it, resuming after {@code lastEventId} when given. */
        public Flux<ServerSentEvent<JsonNode>> events(String path, @Nullable String lastEventId, Duration timeout) {
            var request = client.mutate().responseTimeout(timeout).build()
                    .get().uri(path).accept(MediaType.TEXT_EVENT_STREAM);
            if (lastEventId != null) {
                request = request.header("Last-Event-ID", lastEventId);
            }
            return request.exchange().expectStatus().isOk().returnResult(SSE).getResponseBody();
        }
    }
}
