package dev.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

/**
 * Every kind of bad input to the money endpoints: a 4xx problem+json that names what is wrong,
 * and not one change in the database.
 */
class BadInputTest extends EndToEndTest {

    private User alice;

    @org.springframework.boot.test.web.server.LocalServerPort
    int port;
    private UUID account;
    private UUID other;

    @BeforeEach
    void accounts() {
        alice = api.newCustomer();
        account = alice.openAccount("USD");
        other = api.newCustomer().openAccount("USD");
        api.operator().deposit(account, "100.00", "USD");
    }

    static Stream<Arguments> badRequests() {
        String ok = "\"from_account\":\"{from}\",\"to_account\":\"{to}\",\"currency\":\"USD\"";
        return Stream.of(
                // path, body, expected status, field named in errors (or null)
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"-1.00\"}", 400, "amount"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"0\"}", 400, "amount"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"0.001\"}", 400, "amount"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":1e400}", 400, "amount"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"99999999999999999999999\"}", 400, "amount"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"ten\"}", 400, "amount"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":true}", 400, "amount"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":[1]}", 400, "amount"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":{\"v\":1}}", 400, "amount"),
                Arguments.of("/transfers", "{" + ok + "}", 400, "amount"),
                Arguments.of("/transfers", "{\"from_account\":\"{from}\",\"to_account\":\"{to}\",\"amount\":\"1\"}", 400, "currency"),
                Arguments.of("/transfers", "{\"from_account\":\"{from}\",\"to_account\":\"{to}\",\"amount\":\"1\",\"currency\":\"usd\"}", 400, "currency"),
                Arguments.of("/transfers", "{\"from_account\":\"{from}\",\"to_account\":\"{to}\",\"amount\":\"1\",\"currency\":\"ZZZ\"}", 400, "currency"),
                Arguments.of("/transfers", "{\"from_account\":\"nope\",\"to_account\":\"{to}\",\"amount\":\"1\",\"currency\":\"USD\"}", 400, "from_account"),
                Arguments.of("/transfers", "{\"from_account\":\"{from}\",\"to_account\":42,\"amount\":\"1\",\"currency\":\"USD\"}", 400, "to_account"),
                Arguments.of("/transfers", "{\"from_account\":\"{from}\",\"to_account\":\"{to}\",\"amount\":\"1\",\"currency\":840}", 400, "currency"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"1\",\"description\":true}", 400, "description"),
                Arguments.of("/dev/tokens", "{\"subject\":true}", 400, "subject"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"1\",\"balance\":\"1000000\"}", 400, "balance"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"1\",\"status\":\"COMPLETED\"}", 400, "status"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"1\",\"description\":\"" + "x".repeat(501) + "\"}", 400, "description"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"1\",\"description\":\"4111 1111 1111 1111\"}", 400, "description"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"1\",\"metadata\":{\"card\":\"5500000000000004\"}}", 400, "metadata.card"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"1\",\"metadata\":[1]}", 400, "metadata"),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"1\"", 400, null),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"1\"}}", 400, null),
                Arguments.of("/transfers", "[]", 400, null),
                Arguments.of("/transfers", "\"text\"", 400, null),
                Arguments.of("/transfers", "", 400, null),
                Arguments.of("/transfers", "{" + ok + ",\"amount\":\"1\",\"description\":\"\\u0000\"}", 400, "description"),
                Arguments.of("/accounts/{from}/deposit", "{\"amount\":\"1.999\",\"currency\":\"USD\"}", 400, "amount"),
                Arguments.of("/accounts/{from}/deposit", "{\"amount\":\"1\",\"currency\":\"USD\",\"to_account\":\"x\"}", 400, "to_account"),
                Arguments.of("/accounts/not-a-uuid/deposit", "{\"amount\":\"1\",\"currency\":\"USD\"}", 400, "id"),
                Arguments.of("/accounts/{unknown}/deposit", "{\"amount\":\"1\",\"currency\":\"USD\"}", 404, null),
                Arguments.of("/accounts/{from}/withdraw", "{\"amount\":\"-5\",\"currency\":\"USD\"}", 400, "amount"),
                Arguments.of("/accounts/{unknown}/withdraw", "{\"amount\":\"5\",\"currency\":\"USD\"}", 404, null),
                Arguments.of("/accounts", "{\"currency\":\"XYZ\"}", 400, "currency"),
                Arguments.of("/accounts", "{\"currency\":\"USD\",\"balance\":\"100\"}", 400, "balance"),
                Arguments.of("/accounts", "{\"currency\":\"USD\",\"user_id\":\"somebody-else\"}", 400, "user_id"),
                Arguments.of("/accounts", "{\"currency\":\"USD\",\"name\":\"" + "n".repeat(201) + "\"}", 400, "name"));
    }

    @ParameterizedTest(name = "{index}: POST {0} {1} -> {2}")
    @MethodSource("badRequests")
    void badInputIsRefusedAndChangesNothing(String path, String body, int status, String field) {
        User caller = path.endsWith("/deposit") ? api.operator() : alice;
        String before = ledger.snapshot();

        JsonNode problem = caller.client().method(HttpMethod.POST).uri(fill(path))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fill(body))
                .exchange()
                .expectStatus().isEqualTo(status)
                .expectHeader().contentType("application/problem+json")
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(problem.get("type").asString()).startsWith("https://paygate.dev/problems/");
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).isNotBlank().doesNotContain("Exception", "java.", "SQL");
        if (field != null) {
            assertThat(problem.get("errors").has(field)).as("errors names %s: %s", field, problem).isTrue();
        }
        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongMediaTypes")
    void aBodyThatIsNotJsonIsRefusedWith415(String contentType) {
        String before = ledger.snapshot();

        alice.client().post().uri("/transfers").header("Content-Type", contentType)
                .bodyValue("from_account=" + account)
                .exchange()
                .expectStatus().isEqualTo(415)
                .expectHeader().contentType("application/problem+json");

        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void aBodyOverTheLimitIsRefusedWith413WhetherOrNotItsLengthIsAnnounced() {
        String huge = "{\"from_account\":\"" + account + "\",\"description\":\"" + "x".repeat(70_000) + "\"}";
        String before = ledger.snapshot();

        alice.client().post().uri("/transfers").contentType(MediaType.APPLICATION_JSON).bodyValue(huge)
                .exchange()
                .expectStatus().isEqualTo(413)
                .expectHeader().contentType("application/problem+json");
        alice.client().post().uri("/transfers").contentType(MediaType.APPLICATION_JSON)
                .body(reactor.core.publisher.Flux.just(huge.substring(0, 40_000), huge.substring(40_000))
                        .map(part -> new org.springframework.core.io.buffer.DefaultDataBufferFactory()
                                .wrap(part.getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                        org.springframework.core.io.buffer.DataBuffer.class)
                .exchange()
                .expectStatus().isEqualTo(413)
                .expectHeader().contentType("application/problem+json");

        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void oversizeHeadersAndRequestLinesAreRefusedBeforeAnythingRuns() {
        String before = ledger.snapshot();
        // The HTTP server refuses these before the API sees them (no problem body), so they are
        // checked with a client outside the API contract.
        var alice = new dev.paygate.support.Api(org.springframework.test.web.reactive.server.WebTestClient.bindToServer().baseUrl("http://localhost:" + port).build())
                .user(this.alice.id(), "CUSTOMER");

        alice.client().post().uri("/transfers").header("X-Padding", "x".repeat(20_000))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fill("{\"from_account\":\"{from}\",\"to_account\":\"{to}\",\"amount\":\"1.00\",\"currency\":\"USD\"}"))
                .exchange()
                .expectStatus().isEqualTo(431);
        alice.client().get().uri("/transactions?account_id=" + account + "&cursor=" + "x".repeat(10_000))
                .exchange()
                .expectStatus().isEqualTo(414);

        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    static Stream<String> wrongMediaTypes() {
        return Stream.of("text/plain", "application/x-www-form-urlencoded", "application/xml");
    }

    private String fill(String template) {
        return template.replace("{from}", account.toString()).replace("{to}", other.toString())
                .replace("{unknown}", UUID.randomUUID().toString());
    }
}
