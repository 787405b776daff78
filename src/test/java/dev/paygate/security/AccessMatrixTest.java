package dev.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

/**
 * Every endpoint that takes an id, called by the owner, by another customer, by an operator and
 * by an admin: only the owner and staff see anything; another customer gets the same 404 as for
 * an id that does not exist, with no data, and nothing changes.
 */
class AccessMatrixTest extends EndToEndTest {

    private User owner;
    private User stranger;
    private UUID account;
    private UUID transfer;

    @BeforeEach
    void ownersMoney() {
        owner = api.newCustomer();
        stranger = api.newCustomer();
        stranger.openAccount("USD");
        account = owner.openAccount("USD");
        UUID savings = owner.openAccount("USD");
        api.operator().deposit(account, "50.00", "USD");
        JsonNode made = owner.transfer(account, savings, "5.00", "USD").expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        transfer = UUID.fromString(made.get("id").asString());
    }

    static Stream<Arguments> idEndpoints() {
        return Stream.of(
                Arguments.of(HttpMethod.GET, "/accounts/{account}", null),
                Arguments.of(HttpMethod.GET, "/accounts/{account}/balance", null),
                Arguments.of(HttpMethod.PUT, "/accounts/{account}", "{\"name\":\"mine now\"}"),
                Arguments.of(HttpMethod.POST, "/accounts/{account}/withdraw", "{\"amount\":\"1.00\",\"currency\":\"USD\"}"),
                Arguments.of(HttpMethod.GET, "/transactions?account_id={account}", null),
                Arguments.of(HttpMethod.GET, "/transactions/{transfer}", null),
                Arguments.of(HttpMethod.GET, "/transfers/{transfer}", null),
                Arguments.of(HttpMethod.GET, "/transfers/{transfer}/status", null));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("idEndpoints")
    void onlyTheOwnerAndStaffReachAResource(HttpMethod method, String path, String body) {
        for (User allowed : List.of(owner, api.operator(), api.admin())) {
            assertThat(call(allowed, method, path, body).getStatus().is2xxSuccessful())
                    .as("%s may %s %s", allowed.id(), method, path).isTrue();
        }
        String before = ledger.snapshot();

        var strangers = call(stranger, method, path, body);
        var nobody = call(stranger, method, path.replace("{account}", UUID.randomUUID().toString())
                .replace("{transfer}", UUID.randomUUID().toString()), body);

        assertThat(strangers.getStatus().value()).isEqualTo(404);
        assertThat(strangers.getResponseBody()).doesNotContain("50.00", "45.00", owner.id(), "\"balance\":");
        assertThat(ledger.snapshot()).isEqualTo(before);
        assertThat(nobody.getStatus().value()).isEqualTo(404);
        assertThat(json(strangers.getResponseBody()).get("type")).isEqualTo(json(nobody.getResponseBody()).get("type"));
    }

    @Test
    void aTokenWithoutTheScopeIsForbidden() {
        User readOnly = api.userWithScopes(owner.id(), List.of("accounts:read"), "CUSTOMER");

        readOnly.get("/accounts/" + account).expectStatus().isOk();
        readOnly.post("/accounts/" + account + "/withdraw", Map.of("amount", "1.00", "currency", "USD"))
                .expectStatus().isForbidden()
                .expectHeader().contentType("application/problem+json");
        readOnly.get("/transfers/" + transfer).expectStatus().isForbidden();
    }

    @Test
    void aCustomerCannotCreateMoneyOrChangeWhatOnlyStaffMayChange() {
        String before = ledger.snapshot();

        owner.post("/accounts/" + account + "/deposit", Map.of("amount", "1000.00", "currency", "USD"))
                .expectStatus().isForbidden();
        owner.put("/accounts/" + account, Map.of("overdraft_limit", "1000.00")).expectStatus().isBadRequest();
        owner.put("/accounts/" + account, Map.of("status", "ACTIVE")).expectStatus().isBadRequest();
        owner.put("/accounts/" + account, Map.of("balance", "1000.00")).expectStatus().isBadRequest();
        api.operator().put("/accounts/" + account, Map.of("status", "FROZEN")).expectStatus().isForbidden();
        owner.get("/audit-events").expectStatus().isForbidden();
        api.operator().get("/audit-events").expectStatus().isForbidden();

        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    @Test
    void anAdminReadsTheAuditLogIncludingRefusals() {
        owner.post("/accounts/" + account + "/deposit", Map.of("amount", "1.00", "currency", "USD"))
                .expectStatus().isForbidden();

        JsonNode page = api.admin().getJson("/audit-events?actor=" + owner.id() + "&limit=5");

        assertThat(page.get("data").get(0).get("outcome").asString()).isEqualTo("FORBIDDEN");
        assertThat(page.get("data").get(0).get("resource").asString()).contains("/deposit");
    }

    @Test
    void aCustomerListsOnlyTheirOwnAccounts() {
        JsonNode mine = owner.getJson("/accounts?user_id=" + stranger.id());

        assertThat(mine.get("data")).hasSize(2);
        mine.get("data").forEach(row -> assertThat(row.get("user_id").asString()).isEqualTo(owner.id()));
    }

    private org.springframework.test.web.reactive.server.EntityExchangeResult<String> call(
            User user, HttpMethod method, String path, String body) {
        String uri = path.replace("{account}", account.toString()).replace("{transfer}", transfer.toString());
        var request = user.client().method(method).uri(uri);
        var exchange = body == null ? request.exchange()
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
        return exchange.expectBody(String.class).returnResult();
    }

    private static JsonNode json(String body) {
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(body);
    }
}
