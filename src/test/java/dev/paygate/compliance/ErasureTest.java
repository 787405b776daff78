package dev.paygate.compliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paygate.sandbox.SandboxBank;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;

/**
 * A GDPR erasure pseudonymises everything Paygate holds about a user, in every table, and leaves
 * the ledger exactly as it was; it is refused, changing nothing, while money is still there.
 */
class ErasureTest extends EndToEndTest {

    /** What the ledger keeps of a transaction whatever happens to personal data. */
    private static final String LEDGER_FACTS = """
            SELECT string_agg(id || ' ' || type || ' ' || from_account || ' ' || to_account || ' ' || amount_minor
                              || ' ' || currency || ' ' || status || ' ' || created_at, E'\\n' ORDER BY id) AS facts
            FROM transactions WHERE from_account = ANY(:accounts) OR to_account = ANY(:accounts)""";

    @Test
    void anErasedUserLeavesNoPersonalDataInAnyTableAndTheLedgerUnchanged() {
        String marker = "Zq" + UUID.randomUUID().toString().substring(0, 8);
        User alice = api.newCustomer();
        User bob = api.newCustomer();
        UUID holiday = UUID.fromString(alice.post("/accounts", Map.of("currency", "EUR", "name", "Holiday " + marker))
                .expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody()
                .get("id").asString());
        UUID savings = alice.openAccount("EUR");
        UUID bobs = bob.openAccount("EUR");
        bob.post("/webhooks", Map.of("url", "https://example.test/bob", "event_types", List.of("*")))
                .expectStatus().isCreated();
        alice.post("/webhooks", Map.of("url", "https://example.test/" + marker, "event_types", List.of("*"),
                "description", "alerts for " + marker)).expectStatus().isCreated();
        alice.put("/accounts/" + savings, Map.of("name", "Savings " + marker)).expectStatus().isOk();
        api.operator().put("/users/" + alice.id() + "/kyc", Map.of("level", "FULL", "note", "passport of " + marker))
                .expectStatus().isOk();
        api.operator().deposit(holiday, "10100.00", "EUR");
        alice.post("/transfers", Map.of("from_account", holiday.toString(), "to_account", bobs.toString(),
                        "amount", "12.34", "currency", "EUR", "description", "rent " + marker,
                        "metadata", Map.of("note", marker)))
                .expectStatus().isCreated();
        bob.post("/transfers", Map.of("from_account", bobs.toString(), "to_account", savings.toString(),
                        "amount", "2.00", "currency", "EUR", "description", "thanks " + marker))
                .expectStatus().isCreated();
        String payout = alice.post("/external-banks/" + SandboxBank.ID + "/transfers", Map.of(
                        "account_id", holiday.toString(), "direction", "OUTBOUND", "amount", "5.00", "currency", "EUR",
                        "counterparty", Map.of("name", "Jane " + marker, "iban", "DE89370400440532013000")))
                .expectStatus().isAccepted().expectBody(JsonNode.class).returnResult().getResponseBody()
                .get("id").asString();
        alice.awaitStatus(payout, "COMPLETED");

        JsonNode blocked = api.admin().post("/users/" + alice.id() + "/erasure", Map.of())
                .expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(blocked.get("type").asString()).endsWith("erasure-blocked");
        assertThat(blocked.get("accounts")).hasSize(2);
        assertThat(alice.getJson("/users/" + alice.id() + "/personal-data").toString())
                .as("a refused erasure changes nothing").contains("Holiday " + marker, "rent " + marker);

        alice.post("/accounts/" + holiday + "/withdraw", Map.of("amount", "10082.66", "currency", "EUR"))
                .expectStatus().isCreated();
        alice.post("/accounts/" + savings + "/withdraw", Map.of("amount", "2.00", "currency", "EUR"))
                .expectStatus().isCreated();
        assertThat(tablesContaining(marker)).as("where the user's free text was before the erasure").contains(
                "accounts (2 rows)", "transactions (3 rows)", "kyc_levels (1 rows)", "webhooks (1 rows)",
                "sandbox_payments (1 rows)").anyMatch(table -> table.startsWith("audit_log"))
                .anyMatch(table -> table.startsWith("webhook_deliveries"));
        assertThat(tablesContaining(alice.id())).as("where the user id was before the erasure")
                .anyMatch(table -> table.startsWith("compliance_alerts")).anyMatch(table -> table.startsWith("audit_log"))
                .anyMatch(table -> table.startsWith("idempotency_keys") || table.startsWith("accounts"));
        UUID[] accounts = {holiday, savings};
        String factsBefore = ledgerFacts(accounts);

        JsonNode erased = api.admin().post("/users/" + alice.id() + "/erasure", Map.of())
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();

        String pseudonym = erased.get("pseudonym").asString();
        assertThat(pseudonym).matches("erased-[0-9a-f]{32}");
        List<String> closed = new ArrayList<>();
        erased.get("accounts_closed").forEach(id -> closed.add(id.asString()));
        assertThat(closed).containsExactlyInAnyOrder(holiday.toString(), savings.toString());
        assertThat(tablesContaining(marker)).as("tables still holding the user's free text").isEmpty();
        assertThat(tablesContaining(alice.id())).as("tables still holding the user id").isEmpty();
        assertThat(ledgerFacts(accounts)).as("amounts, ids, statuses and dates of the history").isEqualTo(factsBefore);
        ledger.assertMoneyConserved();
        ledger.assertBalancesReplayHistory();
        ledger.assertHoldsMatchPendingTransactions();
        assertThat(api.admin().getJson("/accounts/" + holiday).get("status").asString()).isEqualTo("CLOSED");
        assertThat(bob.getJson("/accounts/" + bobs + "/balance").get("balance").asString())
                .as("the other side's balance").isEqualTo("10.34");
        assertThat(count("SELECT count(*) AS n FROM audit_log WHERE actor = :p AND client_ip IS NOT NULL", pseudonym))
                .as("addresses of what the user did").isZero();
        assertThat(count("SELECT count(*) AS n FROM audit_log WHERE action = 'PERSONAL_DATA_ERASED' AND resource = :p",
                "user:" + pseudonym)).isEqualTo(1);
        assertThat(count("SELECT count(*) AS n FROM user_erasures WHERE pseudonym = :p", pseudonym)).isEqualTo(1);

        api.admin().get("/users/" + alice.id() + "/personal-data").expectStatus().isNotFound();
        api.operator().post("/accounts/" + holiday + "/deposit", Map.of("amount", "1.00", "currency", "EUR"))
                .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        api.admin().post("/users/" + alice.id() + "/erasure", Map.of())
                .expectStatus().isEqualTo(HttpStatus.CONFLICT)
                .expectBody().jsonPath("$.type").value(type -> assertThat(type.toString()).endsWith("user-already-erased"));
    }

    @Test
    void theAuditLogStaysAppendOnlyOutsideAnErasure() {
        User alice = api.newCustomer();
        alice.openAccount("USD");

        assertThatThrownBy(() -> db.sql("UPDATE audit_log SET actor = 'someone else' WHERE actor = :user")
                .bind("user", alice.id()).fetch().rowsUpdated().block())
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> db.sql("DELETE FROM audit_log WHERE actor = :user")
                .bind("user", alice.id()).fetch().rowsUpdated().block())
                .hasMessageContaining("append-only");
    }

    @Test
    void onlyAdminsEraseAndOnlyUsersPaygateKnows() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        String path = "/users/" + alice.id() + "/erasure";

        alice.post(path, Map.of()).expectStatus().isForbidden();
        api.operator().post(path, Map.of()).expectStatus().isForbidden();
        api.admin().post("/users/nobody-" + UUID.randomUUID() + "/erasure", Map.of()).expectStatus().isNotFound();
        assertThat(api.admin().getJson("/accounts/" + account).get("status").asString()).isEqualTo("ACTIVE");
    }

    @Test
    void twoErasuresAtOnceEraseOnce() {
        User alice = api.newCustomer();
        alice.openAccount("GBP");
        String path = "/users/" + alice.id() + "/erasure";
        User admin = api.admin();

        List<CompletableFuture<Integer>> racing = List.of(
                CompletableFuture.supplyAsync(() -> admin.post(path, Map.of()).returnResult(String.class).getStatus().value()),
                CompletableFuture.supplyAsync(() -> admin.post(path, Map.of()).returnResult(String.class).getStatus().value()));

        assertThat(racing.stream().map(CompletableFuture::join)).containsExactlyInAnyOrder(200, 409);
    }

    /** Every table of the schema whose rows, read as text, contain the string. */
    private List<String> tablesContaining(String text) {
        List<String> tables = db.sql("SELECT table_name FROM information_schema.tables "
                        + "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
                        + "AND table_name <> 'flyway_schema_history' ORDER BY table_name")
                .map(row -> row.get("table_name", String.class)).all().collectList().block();
        List<String> holding = new ArrayList<>();
        for (String table : tables) {
            long rows = db.sql("SELECT count(*) AS n FROM \"" + table + "\" t WHERE t::text LIKE '%' || :text || '%'")
                    .bind("text", text).map(row -> row.get("n", Long.class)).one().block();
            if (rows > 0) {
                holding.add(table + " (" + rows + " rows)");
            }
        }
        return holding;
    }

    private String ledgerFacts(UUID[] accounts) {
        return db.sql(LEDGER_FACTS).bind("accounts", accounts).map(row -> row.get("facts", String.class)).one().block();
    }

    private long count(String sql, String value) {
        return db.sql(sql).bind("p", value).map(row -> row.get("n", Long.class)).one().block();
    }
}
