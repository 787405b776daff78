package dev.paygate.compliance;

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

/** KYC limits as a table: level x operation x amount -> outcome, and nothing moves when refused. */
class KycLimitsTest extends EndToEndTest {

    static Stream<Arguments> limits() {
        return Stream.of(
                // level, operation, amounts already sent today, amount, expected status, reason code
                Arguments.of("NONE", "transfer", "0", "250.00", 201, null),
                Arguments.of("NONE", "transfer", "0", "250.01", 422, "AM02"),
                Arguments.of("NONE", "transfer", "250.00", "250.00", 201, null),
                Arguments.of("NONE", "transfer", "250.00,250.00", "0.01", 422, "AM02"),
                Arguments.of("NONE", "withdraw", "0", "250.01", 422, "AM02"),
                Arguments.of("NONE", "withdraw", "200.00,200.00", "100.00", 201, null),
                Arguments.of("NONE", "withdraw", "200.00,200.00", "100.01", 422, "AM02"),
                Arguments.of("BASIC", "transfer", "0", "2500.00", 201, null),
                Arguments.of("BASIC", "transfer", "0", "2500.01", 422, "AM02"),
                Arguments.of("BASIC", "transfer", "2500.00,2500.00", "0.01", 422, "AM02"),
                Arguments.of("FULL", "transfer", "0", "9000.00", 201, null),
                Arguments.of("FULL", "withdraw", "5000.00,5000.00", "5000.00", 201, null));
    }

    @ParameterizedTest(name = "{0} {1} after [{2}] of {3} -> {4} {5}")
    @MethodSource("limits")
    void aLevelsLimitsDecideEachMovement(String level, String operation, String sentBefore, String amount,
                                        int status, String reasonCode) {
        User user = api.newCustomer();
        UUID account = user.openAccount("USD");
        UUID recipient = api.newCustomer().openAccount("USD");
        api.operator().deposit(account, "20000.00", "USD");
        setLevel(user, level);
        for (String sent : sentBefore.split(",")) {
            if (!sent.equals("0")) {
                move(user, operation, account, recipient, sent).expectStatus().isCreated();
            }
        }
        String before = ledger.snapshot();

        var response = move(user, operation, account, recipient, amount).expectStatus().isEqualTo(status);

        if (reasonCode != null) {
            response.expectBody().jsonPath("$.reason_code").isEqualTo(reasonCode)
                    .jsonPath("$.type").isEqualTo("https://paygate.dev/problems/limit-exceeded");
            assertThat(balance(user, account)).isEqualTo(balanceAfter("20000.00", sentBefore));
        } else {
            assertThat(ledger.snapshot()).isNotEqualTo(before);
        }
        ledger.assertInvariants();
    }

    @Test
    void aRecipientsLevelLimitsWhatItsAccountMayHold() {
        User small = api.newCustomer();
        UUID account = small.openAccount("EUR");
        setLevel(small, "NONE");

        api.operator().deposit(account, "1000.00", "EUR");
        api.operator().post("/accounts/" + account + "/deposit", Map.of("amount", "0.01", "currency", "EUR"))
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.reason_code").isEqualTo("AM02");

        assertThat(small.balance(account)).isEqualTo("1000.00");
    }

    @Test
    void theLimitsEndpointShowsEachLimitWithWhatIsUsed() {
        User user = api.newCustomer();
        UUID account = user.openAccount("USD");
        user.openAccount("JPY");
        api.operator().deposit(account, "900.00", "USD");
        setLevel(user, "NONE");
        user.transfer(account, api.newCustomer().openAccount("USD"), "120.50", "USD").expectStatus().isCreated();

        JsonNode limits = user.getJson("/users/" + user.id() + "/limits");

        assertThat(limits.get("level").asString()).isEqualTo("NONE");
        JsonNode jpy = limits.get("limits").get(0);
        JsonNode usd = limits.get("limits").get(1);
        assertThat(jpy.get("currency").asString()).isEqualTo("JPY");
        assertThat(jpy.get("daily_max").asString()).isEqualTo("500");
        assertThat(usd.get("balance_max").asString()).isEqualTo("1000.00");
        assertThat(usd.get("per_transfer_max").asString()).isEqualTo("250.00");
        assertThat(usd.get("daily_max").asString()).isEqualTo("500.00");
        assertThat(usd.get("payouts_allowed").asBoolean()).isFalse();
        assertThat(usd.get("daily_used").asString()).isEqualTo("120.50");
        assertThat(usd.get("daily_remaining").asString()).isEqualTo("379.50");
    }

    @Test
    void onlyStaffSetLevelsAndCustomersSeeOnlyTheirOwnLimits() {
        User alice = api.newCustomer();
        User eve = api.newCustomer();

        alice.put("/users/" + alice.id() + "/kyc", Map.of("level", "FULL")).expectStatus().isForbidden();
        eve.get("/users/" + alice.id() + "/limits").expectStatus().isNotFound();
        api.operator().put("/users/" + alice.id() + "/kyc", Map.of("level", "PLATINUM"))
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors.level").exists();
        api.operator().put("/users/" + alice.id() + "/kyc", Map.of("note", "no level"))
                .expectStatus().isBadRequest();
        JsonNode set = api.operator().client().put().uri("/users/" + alice.id() + "/kyc")
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("level", "BASIC", "note", "passport checked"))
                .exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(set.get("level").asString()).isEqualTo("BASIC");
        assertThat(set.get("updated_by").asString()).isEqualTo("operator-1");
        assertThat(alice.getJson("/users/" + alice.id() + "/kyc").get("level").asString()).isEqualTo("BASIC");
    }

    private void setLevel(User user, String level) {
        api.operator().put("/users/" + user.id() + "/kyc", Map.of("level", level)).expectStatus().isOk();
    }

    private static org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec move(
            User user, String operation, UUID account, UUID recipient, String amount) {
        return operation.equals("transfer")
                ? user.transfer(account, recipient, amount, "USD")
                : user.post("/accounts/" + account + "/withdraw", Map.of("amount", amount, "currency", "USD"));
    }

    private static String balance(User user, UUID account) {
        return user.balance(account);
    }

    private static String balanceAfter(String start, String sent) {
        java.math.BigDecimal left = new java.math.BigDecimal(start);
        for (String amount : sent.split(",")) {
            left = left.subtract(new java.math.BigDecimal(amount));
        }
        return left.setScale(2).toPlainString();
    }
}
