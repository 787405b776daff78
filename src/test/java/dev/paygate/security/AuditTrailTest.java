package dev.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Each kind of action leaves an audit row with who, what, which resource, the outcome and where from. */
class AuditTrailTest extends EndToEndTest {

    @Test
    void everyKindOfActionIsAudited() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        UUID other = api.newCustomer().openAccount("USD");
        api.operator().deposit(account, "10.00", "USD");
        alice.put("/accounts/" + account, Map.of("name", "Renamed")).expectStatus().isOk();
        alice.transfer(account, other, "4.00", "USD").expectStatus().isCreated();
        alice.transfer(account, other, "400.00", "USD").expectStatus().isEqualTo(422);
        alice.post("/accounts/" + account + "/withdraw", Map.of("amount", "1.00", "currency", "USD"))
                .expectStatus().isCreated();
        alice.post("/accounts/" + account + "/deposit", Map.of("amount", "1.00", "currency", "USD"))
                .expectStatus().isForbidden();

        JsonNode page = api.admin().getJson("/audit-events?actor=" + alice.id() + "&limit=20");
        List<String> actions = new ArrayList<>();
        page.get("data").forEach(row -> actions.add(row.get("action").asString() + " " + row.get("outcome").asString()));

        assertThat(actions).containsExactly(
                "ACCESS FORBIDDEN",
                "WITHDRAWAL COMPLETED",
                "TRANSFER REFUSED:AM04",
                "TRANSFER COMPLETED",
                "ACCOUNT_CHANGED OK",
                "ACCOUNT_OPENED OK");
        page.get("data").forEach(row -> {
            assertThat(row.get("resource").asString()).isNotBlank();
            assertThat(row.get("client_ip").asString()).isNotBlank();
            assertThat(row.get("occurred_at").asString()).isNotBlank();
        });
        JsonNode deposit = api.admin().getJson("/audit-events?actor=operator-1&limit=1").get("data").get(0);
        assertThat(deposit.get("action").asString()).isEqualTo("DEPOSIT");
        assertThat(deposit.get("resource").asString()).startsWith("transaction:");
        assertThat(deposit.get("details").get("to").asString()).isEqualTo(account.toString());
        assertThat(deposit.get("details").get("amount_minor").asLong()).isEqualTo(1000);
    }

    @Test
    void probesOfOthersResourcesBankRegistrationsAndFreezesAreAudited() {
        UUID alices = api.newCustomer().openAccount("USD");
        User eve = api.newCustomer();
        eve.get("/accounts/" + alices).expectStatus().isNotFound();
        eve.get("/transfers/" + UUID.randomUUID()).expectStatus().isNotFound();

        List<String> eves = new ArrayList<>();
        api.admin().getJson("/audit-events?actor=" + eve.id()).get("data")
                .forEach(row -> eves.add(row.get("action").asString() + " " + row.get("outcome").asString() + " "
                        + row.get("resource").asString()));
        assertThat(eves).hasSize(2).allMatch(row -> row.startsWith("ACCESS NOT_FOUND GET /"))
                .anyMatch(row -> row.endsWith("/accounts/" + alices));

        User admin = api.user("admin-" + UUID.randomUUID(), "ADMIN");
        String bank = admin.post("/external-banks", Map.of("name", "Audited " + UUID.randomUUID(),
                        "api_url", "https://bank.example", "auth_method", "HMAC",
                        "credentials", Map.of("key_id", "k", "secret", "s")))
                .expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();
        admin.put("/accounts/" + alices, Map.of("status", "FROZEN")).expectStatus().isOk();

        List<String> admins = new ArrayList<>();
        api.admin().getJson("/audit-events?actor=" + admin.id()).get("data")
                .forEach(row -> admins.add(row.get("action").asString() + " " + row.get("resource").asString()));
        assertThat(admins).containsExactly("ACCOUNT_CHANGED account:" + alices, "BANK_REGISTERED bank:" + bank);
        assertThat(api.admin().getJson("/audit-events?actor=" + admin.id()).toString()).doesNotContain("\"s\"", "secret");
    }

    @Test
    void theAuditLogCannotBeChangedOrEmptied() {
        api.newCustomer().openAccount("USD");

        for (String tampering : List.of("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log",
                "TRUNCATE audit_log")) {
            assertThatThrownBy(() -> db.sql(tampering).fetch().rowsUpdated().block())
                    .as(tampering).hasMessageContaining("append-only");
        }
        Long rows = db.sql("SELECT count(*) AS n FROM audit_log").map(row -> row.get("n", Long.class)).one().block();
        assertThat(rows).isPositive();
    }
}
