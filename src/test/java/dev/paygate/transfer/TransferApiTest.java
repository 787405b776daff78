package dev.paygate.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

class TransferApiTest extends EndToEndTest {

    @Test
    void aTransferMovesMoneyAtOnceAndReportsItsStatus() {
        User alice = api.newCustomer();
        User bob = api.newCustomer();
        UUID from = alice.openAccount("USD");
        UUID to = bob.openAccount("USD");
        api.operator().deposit(from, "100.00", "USD");

        JsonNode transfer = alice.post("/transfers", Map.of("from_account", from.toString(), "to_account", to.toString(),
                        "amount", "25.75", "currency", "USD", "description", "Dinner", "metadata", Map.of("order", "A-17")))
                .expectStatus().isCreated()
                .expectHeader().valueMatches("Location", "/transfers/[0-9a-f-]{36}")
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(transfer.get("type").asString()).isEqualTo("TRANSFER");
        assertThat(transfer.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(transfer.get("amount").asString()).isEqualTo("25.75");
        assertThat(transfer.get("description").asString()).isEqualTo("Dinner");
        assertThat(transfer.get("metadata").get("order").asString()).isEqualTo("A-17");
        assertThat(transfer.get("failure_reason").isNull()).isTrue();
        assertThat(alice.balance(from)).isEqualTo("74.25");
        assertThat(bob.balance(to)).isEqualTo("25.75");

        String id = transfer.get("id").asString();
        assertThat(alice.getJson("/transfers/" + id)).isEqualTo(transfer);
        assertThat(bob.getJson("/transfers/" + id).get("id").asString()).isEqualTo(id);
        JsonNode status = alice.getJson("/transfers/" + id + "/status");
        assertThat(status.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(status.get("updated_at").asString()).isNotBlank();
        ledger.assertInvariants();
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("insufficient funds", "500.00", "USD", "USD", "ACTIVE", "insufficient-funds", "AM04"),
                Arguments.of("currency of the transfer", "1.00", "EUR", "USD", "ACTIVE", "currency-mismatch", "AM03"),
                Arguments.of("currency of the recipient", "1.00", "USD", "EUR", "ACTIVE", "currency-mismatch", "AM03"),
                Arguments.of("frozen recipient", "1.00", "USD", "USD", "FROZEN", "account-frozen", "AC06"),
                Arguments.of("closed recipient", "1.00", "USD", "USD", "CLOSED", "account-closed", "AC04"));
    }

    @ParameterizedTest(name = "{0}: 422 {5}, recorded as FAILED {6}")
    @MethodSource("refusals")
    void aRefusedTransferMovesNothingAndIsRecordedAsFailed(String why, String amount, String currency,
                                                          String recipientCurrency, String recipientStatus,
                                                          String type, String reasonCode) {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        UUID to = api.newCustomer().openAccount(recipientCurrency);
        api.operator().deposit(from, "100.00", "USD");
        if (!recipientStatus.equals("ACTIVE")) {
            api.admin().put("/accounts/" + to, Map.of("status", recipientStatus)).expectStatus().isOk();
        }
        String before = ledger.snapshot();

        JsonNode problem = alice.transfer(from, to, amount, currency)
                .expectStatus().isEqualTo(422)
                .expectHeader().contentType("application/problem+json")
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(problem.get("type").asString()).endsWith("/" + type);
        assertThat(problem.get("reason_code").asString()).isEqualTo(reasonCode);
        assertThat(problem.get("status").asInt()).isEqualTo(422);
        JsonNode failed = alice.getJson("/transfers/" + problem.get("transaction_id").asString() + "/status");
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("failure_reason").asString()).isEqualTo(reasonCode);
        assertThat(alice.balance(from)).isEqualTo("100.00");
        assertThat(ledger.snapshot()).as("only the FAILED row was added").isNotEqualTo(before);
        ledger.assertInvariants();
    }

    @Test
    void theSameAccountOnBothSidesIsRefused() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "10.00", "USD");
        String before = ledger.snapshot();

        alice.transfer(account, account, "1.00", "USD")
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.type").value(type -> assertThat((String) type).endsWith("/same-account"));

        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    @Test
    void moneyForAnAccountThatDoesNotExistIsRefusedAndMovesNothing() {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        api.operator().deposit(from, "10.00", "USD");
        String before = ledger.snapshot();

        alice.transfer(from, UUID.randomUUID(), "1.00", "USD")
                .expectStatus().isNotFound()
                .expectHeader().contentType("application/problem+json")
                .expectBody().jsonPath("$.type").isEqualTo("https://paygate.dev/problems/account-not-found")
                .jsonPath("$.reason_code").isEqualTo("AC01");

        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    @Test
    void aCustomerCannotSendFromAnotherUsersAccountNorLearnThatItExists() {
        User alice = api.newCustomer();
        User mallory = api.newCustomer();
        UUID victim = alice.openAccount("USD");
        UUID loot = mallory.openAccount("USD");
        api.operator().deposit(victim, "100.00", "USD");
        String before = ledger.snapshot();

        JsonNode stolen = mallory.transfer(victim, loot, "50.00", "USD")
                .expectStatus().isNotFound()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode missing = mallory.transfer(UUID.randomUUID(), loot, "50.00", "USD")
                .expectStatus().isNotFound()
                .expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(stolen.get("type")).isEqualTo(missing.get("type"));
        assertThat(stolen.get("detail")).isEqualTo(missing.get("detail"));
        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    @Test
    void moneyFromACustomerCanGoToAnyCustomerAccount() {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("GBP");
        UUID to = api.newCustomer().openAccount("GBP");
        api.operator().deposit(from, "3.00", "GBP");

        alice.transfer(from, to, "3", "GBP").expectStatus().isCreated();
        alice.transfer(from, to, "0.01", "GBP").expectStatus().isEqualTo(422);

        assertThat(alice.balance(from)).isEqualTo("0.00");
        ledger.assertInvariants();
    }
}
