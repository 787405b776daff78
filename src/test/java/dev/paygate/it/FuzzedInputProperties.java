package dev.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.PaygateTest;
import dev.paygate.support.Api;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.LedgerState;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.spring.JqwikSpringSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every endpoint fed generated bad input: malformed and truncated JSON, wrong types, huge numbers,
 * deep nesting, unicode edge cases, bad ids, injection strings. The answer is always a 4xx
 * problem+json, never a 5xx, and the database never changes.
 */
@JqwikSpringSupport
@PaygateTest
class FuzzedInputProperties {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    private User alice;
    private User operator;
    private UUID account;
    private UUID other;

    /** Once per property; Spring injects the client after jqwik's lifecycle hooks run, so not in one. */
    private void accounts() {
        if (alice != null) {
            return;
        }
        Api api = new Api(EndToEndTest.contracted(client));
        alice = api.newCustomer();
        operator = api.operator();
        account = alice.openAccount("USD");
        other = api.newCustomer().openAccount("USD");
        operator.deposit(account, "50.00", "USD");
    }

    @Property(tries = 300)
    void badBodiesAreRefusedWithA4xxAndChangeNothing(@ForAll("endpoints") String endpoint, @ForAll("badBodies") String body) {
        accounts();
        LedgerState ledger = new LedgerState(db);
        String before = ledger.snapshot();
        String[] parts = endpoint.split(" ", 2);
        String path = parts[1].replace("{account}", account.toString()).replace("{other}", other.toString());
        User caller = path.endsWith("/deposit") ? operator : alice;

        EntityExchangeResult<byte[]> result = caller.client().method(HttpMethod.valueOf(parts[0])).uri(path)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body.replace("{account}", account.toString()).replace("{other}", other.toString())
                        .getBytes(StandardCharsets.UTF_8))
                .exchange().expectBody().returnResult();

        int status = result.getStatus().value();
        assertThat(status).as("%s %s with %s", parts[0], path, abbreviate(body)).isBetween(400, 499);
        assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = JSON.readTree(result.getResponseBody());
        assertThat(problem.get("type").asString()).startsWith("https://paygate.dev/problems/");
        assertThat(problem.get("detail").asString()).doesNotContain("Exception", "at dev.", "SQL", "postgres");
        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    @Property(tries = 100)
    void badIdsAndQueriesAreRefusedWithA4xx(@ForAll("badPaths") String path) {
        accounts();
        EntityExchangeResult<byte[]> result = alice.client().get().uri(uri -> uri.path(path).build())
                .exchange().expectBody().returnResult();

        assertThat(result.getStatus().value()).as("GET %s", path).isBetween(400, 499);
    }

    @Provide
    Arbitrary<String> endpoints() {
        return Arbitraries.of("POST /transfers", "POST /accounts", "PUT /accounts/{account}",
                "POST /accounts/{account}/deposit", "POST /accounts/{account}/withdraw",
                "PUT /users/somebody/kyc", "POST /dev/tokens");
    }

    @Provide
    Arbitrary<String> badBodies() {
        Arbitrary<String> valid = Arbitraries.of(
                "{\"from_account\":\"{account}\",\"to_account\":\"{other}\",\"amount\":\"1.00\",\"currency\":\"USD\"}",
                "{\"amount\":\"1.00\",\"currency\":\"USD\",\"description\":\"x\"}",
                "{\"currency\":\"USD\",\"name\":\"x\"}",
                "{\"name\":\"x\"}");
        Arbitrary<String> truncated = valid.flatMap(json -> Arbitraries.integers().between(0, json.length() - 1)
                .map(cut -> json.substring(0, cut)));
        // Free-text fields accept almost any string, so they get only values no text field takes.
        Arbitrary<String> badText = Arbitraries.of("\"name\"", "\"description\"", "\"subject\"", "\"note\"")
                .flatMap(field -> badTextValues().map(value -> "{" + field + ":" + value + "}"));
        Arbitrary<String> badOther = Arbitraries.of("\"amount\"", "\"currency\"", "\"from_account\"", "\"status\"",
                        "\"overdraft_limit\"", "\"level\"", "\"roles\"", "\"user_id\"")
                .flatMap(field -> badValues().map(value -> "{" + field + ":" + value + "}"));
        Arbitrary<String> wrongValue = Arbitraries.oneOf(badText, badOther);
        Arbitrary<String> nested = Arbitraries.integers().between(50, 3000)
                .map(depth -> "[".repeat(depth) + "]".repeat(depth));
        Arbitrary<String> garbage = Arbitraries.strings().ofMaxLength(200)
                .filter(text -> !text.isBlank() && !text.trim().startsWith("{"));
        return Arbitraries.oneOf(truncated, wrongValue, nested, garbage,
                Arbitraries.of("", "null", "[]", "{}", "0", "\"\"", "{\"a\":1}{\"b\":2}", "{\"amount\":1,\"amount\":2}"));
    }

    private Arbitrary<String> badTextValues() {
        return Arbitraries.of("true", "null", "[]", "{}", "-1", "1e400", "\"\\u0000\"", "\"" + "x".repeat(5000) + "\"",
                "\"4111 1111 1111 1111\"", "[\"x\"]");
    }

    private Arbitrary<String> badValues() {
        return Arbitraries.of(
                "true", "null", "[]", "{}", "-1", "0", "1e400", "-1e400", "99999999999999999999999999999",
                "\"NaN\"", "\"Infinity\"", "\"1.0000001\"", "\"0x10\"", "\"\"", "\" \"",
                "\"' OR 1=1 --\"", "\"'; DROP TABLE accounts; --\"", "\"<script>alert(1)</script>\"",
                "\"\\u0000\"", "\"\\ud800\"", "\"\\u202e\"", "\"" + "x".repeat(5000) + "\"",
                "\"4111 1111 1111 1111\"", "\"../../etc/passwd\"", "\"${jndi:ldap://x}\"", "\"ADMIN\"",
                "\"not-a-uuid\"", "\"00000000-0000-0000-0000-00000000000G\"");
    }

    @Provide
    Arbitrary<String> badPaths() {
        Arbitrary<String> badId = Arbitraries.of("x", "1", "' OR 1=1", "00000000-0000-0000-0000", "%00",
                "9" .repeat(100), "not-a-uuid", "\u00e9", "{}");
        Arbitrary<String> byId = Arbitraries.of("/accounts/", "/transactions/", "/transfers/", "/accounts/%s/balance")
                .flatMap(base -> badId.map(id -> base.contains("%s") ? base.formatted(id) : base + id));
        Arbitrary<String> query = Arbitraries.of("limit=0", "limit=-5", "limit=abc", "limit=100000", "cursor=%%%",
                "cursor=djE6bm9wZQ", "type=BOGUS", "status=x", "created_from=2026-13-45", "account_id=1");
        return Arbitraries.oneOf(byId, query.map(q -> "/transactions?" + q));
    }

    private static String abbreviate(String body) {
        return body.length() > 120 ? body.substring(0, 120) + "..." : body;
    }

}
