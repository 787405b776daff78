package dev.paygate.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AccountApiTest extends EndToEndTest {

    @Test
    void anAccountIsOpenedEmptyAndActiveInItsCurrency() {
        User alice = api.newCustomer();

        JsonNode account = alice.post("/accounts", Map.of("currency", "EUR", "name", "Savings"))
                .expectStatus().isCreated()
                .expectHeader().valueMatches("Location", "/accounts/[0-9a-f-]{36}")
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(account.get("user_id").asString()).isEqualTo(alice.id());
        assertThat(account.get("name").asString()).isEqualTo("Savings");
        assertThat(account.get("currency").asString()).isEqualTo("EUR");
        assertThat(account.get("balance").asString()).isEqualTo("0.00");
        assertThat(account.get("available").asString()).isEqualTo("0.00");
        assertThat(account.get("held").asString()).isEqualTo("0.00");
        assertThat(account.get("overdraft_limit").asString()).isEqualTo("0.00");
        assertThat(account.get("status").asString()).isEqualTo("ACTIVE");
        UUID id = UUID.fromString(account.get("id").asString());
        assertThat(alice.getJson("/accounts/" + id)).isEqualTo(account);
    }

    @Test
    void depositsAndWithdrawalsMoveExactAmounts() {
        User alice = api.newCustomer();
        User operator = api.operator();
        UUID account = alice.openAccount("USD");

        operator.deposit(account, "100.10", "USD");
        operator.post("/accounts/" + account + "/deposit", Map.of("amount", 0.2, "currency", "USD"))
                .expectStatus().isCreated();
        JsonNode withdrawal = alice.post("/accounts/" + account + "/withdraw",
                        Map.of("amount", "0.30", "currency", "USD", "description", "cash"))
                .expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(withdrawal.get("type").asString()).isEqualTo("WITHDRAWAL");
        assertThat(withdrawal.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(withdrawal.get("amount").asString()).isEqualTo("0.30");
        assertThat(withdrawal.get("from_account").asString()).isEqualTo(account.toString());
        JsonNode balance = alice.getJson("/accounts/" + account + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("100.00");
        assertThat(balance.get("available").asString()).isEqualTo("100.00");
        assertThat(balance.get("currency").asString()).isEqualTo("USD");
        assertThat(balance.get("as_of").asString()).isNotBlank();
        ledger.assertInvariants();
    }

    @Test
    void currenciesKeepTheirOwnMinorUnits() {
        User alice = api.newCustomer();
        UUID yen = alice.openAccount("JPY");
        UUID dinar = alice.openAccount("BHD");

        api.operator().deposit(yen, "1500", "JPY");
        api.operator().deposit(dinar, "1.234", "BHD");

        assertThat(alice.balance(yen)).isEqualTo("1500");
        assertThat(alice.balance(dinar)).isEqualTo("1.234");
        api.operator().post("/accounts/" + yen + "/deposit", Map.of("amount", "1.5", "currency", "JPY"))
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors.amount").exists();
    }

    @Test
    void aWithdrawalBeyondTheBalanceIsRefusedAndRecorded() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "10.00", "USD");

        JsonNode problem = alice.post("/accounts/" + account + "/withdraw", Map.of("amount", "10.01", "currency", "USD"))
                .expectStatus().isEqualTo(422)
                .expectHeader().contentType("application/problem+json")
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(problem.get("type").asString()).endsWith("/insufficient-funds");
        assertThat(problem.get("reason_code").asString()).isEqualTo("AM04");
        assertThat(alice.balance(account)).isEqualTo("10.00");
        JsonNode failed = alice.getJson("/transactions/" + problem.get("transaction_id").asString());
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("failure_reason").asString()).isEqualTo("AM04");
        ledger.assertInvariants();
    }

    @Test
    void anOverdraftLetsTheBalanceGoNegativeUpToItsLimit() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.admin().put("/accounts/" + account, Map.of("overdraft_limit", "50.00")).expectStatus().isOk();

        alice.post("/accounts/" + account + "/withdraw", Map.of("amount", "50.00", "currency", "USD"))
                .expectStatus().isCreated();
        alice.post("/accounts/" + account + "/withdraw", Map.of("amount", "0.01", "currency", "USD"))
                .expectStatus().isEqualTo(422);

        JsonNode balance = alice.getJson("/accounts/" + account + "/balance");
        assertThat(balance.get("balance").asString()).isEqualTo("-50.00");
        assertThat(balance.get("available").asString()).isEqualTo("0.00");
        api.admin().put("/accounts/" + account, Map.of("overdraft_limit", "49.99"))
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.type").value(type -> assertThat((String) type).endsWith("/account-update-refused"));
        ledger.assertInvariants();
    }

    @Test
    void aFrozenAccountMovesNoMoneyUntilUnfrozen() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "20.00", "USD");

        api.admin().put("/accounts/" + account, Map.of("status", "FROZEN")).expectStatus().isOk();
        alice.post("/accounts/" + account + "/withdraw", Map.of("amount", "1.00", "currency", "USD"))
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.reason_code").isEqualTo("AC06");
        api.operator().post("/accounts/" + account + "/deposit", Map.of("amount", "1.00", "currency", "USD"))
                .expectStatus().isEqualTo(422);
        api.admin().put("/accounts/" + account, Map.of("status", "ACTIVE")).expectStatus().isOk();
        alice.post("/accounts/" + account + "/withdraw", Map.of("amount", "1.00", "currency", "USD"))
                .expectStatus().isCreated();

        assertThat(alice.balance(account)).isEqualTo("19.00");
    }

    @Test
    void onlyAnEmptyAccountCanBeClosedAndAClosedOneStaysClosed() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "5.00", "USD");

        api.admin().put("/accounts/" + account, Map.of("status", "CLOSED"))
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("5.00"));
        alice.post("/accounts/" + account + "/withdraw", Map.of("amount", "5.00", "currency", "USD"))
                .expectStatus().isCreated();
        api.admin().put("/accounts/" + account, Map.of("status", "CLOSED")).expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("CLOSED");

        api.admin().put("/accounts/" + account, Map.of("status", "ACTIVE")).expectStatus().isEqualTo(422);
        api.operator().post("/accounts/" + account + "/deposit", Map.of("amount", "1.00", "currency", "USD"))
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.reason_code").isEqualTo("AC04");
    }

    @Test
    void renamingChangesOnlyTheName() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "1.00", "USD");

        alice.put("/accounts/" + account, Map.of("name", "Holidays")).expectStatus().isOk()
                .expectBody()
                .jsonPath("$.name").isEqualTo("Holidays")
                .jsonPath("$.balance").isEqualTo("1.00")
                .jsonPath("$.status").isEqualTo("ACTIVE");
    }

    @Test
    void theAccountListIsPagedByCursorWithEveryAccountOnce() {
        User bob = api.newCustomer();
        List<String> opened = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            opened.add(bob.openAccount(i % 2 == 0 ? "USD" : "EUR").toString());
        }

        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = bob.getJson("/accounts?limit=3&user_id=" + bob.id() + (cursor == null ? "" : "&cursor=" + cursor));
            page.get("data").forEach(account -> listed.add(account.get("id").asString()));
            cursor = page.get("has_more").asBoolean() ? page.get("next_cursor").asString() : null;
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(3);
        assertThat(listed).containsExactlyElementsOf(opened);
    }
}
