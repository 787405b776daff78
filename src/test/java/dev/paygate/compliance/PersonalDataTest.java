package dev.paygate.compliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.sandbox.SandboxBank;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A GDPR access request returns what Paygate holds about the user, to them or an admin only, and is audited. */
class PersonalDataTest extends EndToEndTest {

    @Test
    void aUserGetsTheirAccountsTransactionsCounterpartiesAndKycRecord() {
        User alice = api.newCustomer();
        JsonNode opened = alice.post("/accounts", Map.of("currency", "EUR", "name", "Holiday fund"))
                .expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody();
        UUID account = UUID.fromString(opened.get("id").asString());
        UUID bobs = api.newCustomer().openAccount("EUR");
        api.operator().deposit(account, "100.00", "EUR");
        alice.post("/transfers", Map.of("from_account", account.toString(), "to_account", bobs.toString(),
                        "amount", "12.34", "currency", "EUR", "description", "rent for flat 3",
                        "metadata", Map.of("note", "march")))
                .expectStatus().isCreated();
        alice.post("/external-banks/" + SandboxBank.ID + "/transfers", Map.of("account_id", account.toString(),
                        "direction", "OUTBOUND", "amount", "5.00", "currency", "EUR",
                        "counterparty", Map.of("name", "Jane Doe", "iban", "DE89370400440532013000")))
                .expectStatus().isAccepted();
        api.operator().put("/users/" + alice.id() + "/kyc", Map.of("level", "BASIC", "note", "passport checked"))
                .expectStatus().isOk();

        JsonNode data = alice.getJson("/users/" + alice.id() + "/personal-data");

        assertThat(data.get("user_id").asString()).isEqualTo(alice.id());
        assertThat(data.get("accounts")).hasSize(1);
        assertThat(data.get("accounts").get(0).get("name").asString()).isEqualTo("Holiday fund");
        assertThat(data.get("kyc").get("note").asString()).isEqualTo("passport checked");
        List<String> amounts = new ArrayList<>();
        data.get("transactions").forEach(tx -> amounts.add(tx.get("type").asString() + " " + tx.get("amount").asString()));
        assertThat(amounts).containsExactlyInAnyOrder("DEPOSIT 100.00", "TRANSFER 12.34", "EXTERNAL_OUTBOUND 5.00");
        assertThat(data.toString()).contains("rent for flat 3", "march", "Jane Doe", "DE89370400440532013000");
        assertThat(data.get("audit_events").size()).as("alice's own actions").isPositive();
    }

    @Test
    void onlyTheUserAndAdminsMayAskAndEveryRequestIsAudited() {
        User alice = api.newCustomer();
        alice.openAccount("USD");
        String path = "/users/" + alice.id() + "/personal-data";

        api.newCustomer().get(path).expectStatus().isNotFound();
        api.operator().get(path).expectStatus().isForbidden();
        JsonNode byAdmin = api.admin().getJson(path);
        assertThat(byAdmin.get("accounts")).hasSize(1);
        api.admin().get("/users/nobody-" + UUID.randomUUID() + "/personal-data").expectStatus().isNotFound();
        User carol = api.newCustomer();
        assertThat(carol.getJson("/users/" + carol.id() + "/personal-data").get("accounts"))
                .as("a user Paygate knows nothing about may still ask about themselves").isEmpty();

        long audited = db.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'PERSONAL_DATA_EXPORTED' "
                        + "AND resource = :resource")
                .bind("resource", "user:" + alice.id()).map(row -> row.get("n", Long.class)).one().block();
        assertThat(audited).isEqualTo(1);
    }
}
