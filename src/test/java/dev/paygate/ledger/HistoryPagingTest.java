package dev.paygate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class HistoryPagingTest extends EndToEndTest {

    @Test
    void walkingEveryPageReturnsEachTransactionOnceNewestFirstWhileNewOnesArrive() throws Exception {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        UUID other = api.newCustomer().openAccount("USD");
        api.operator().deposit(account, "1000.00", "USD");
        for (int i = 0; i < 60; i++) {
            alice.transfer(account, other, "1.00", "USD").expectStatus().isCreated();
        }
        List<String> existing = ids(alice.getJson("/transactions?account_id=" + account + "&limit=1000"));
        assertThat(existing).hasSize(61);

        AtomicBoolean walking = new AtomicBoolean(true);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            while (walking.get()) {
                alice.transfer(account, other, "0.01", "USD").expectStatus().isCreated();
            }
        });
        List<String> walked = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = alice.getJson("/transactions?account_id=" + account + "&limit=7"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            walked.addAll(ids(page));
            cursor = page.get("has_more").asBoolean() ? page.get("next_cursor").asString() : null;
        } while (cursor != null);
        walking.set(false);
        writer.get();

        assertThat(walked).doesNotHaveDuplicates();
        assertThat(walked).containsAll(existing);
        List<String> newestFirst = new ArrayList<>(walked);
        newestFirst.sort((a, b) -> b.compareTo(a));
        assertThat(walked).containsExactlyElementsOf(newestFirst);
    }

    @Test
    void filtersNarrowTheHistory() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        UUID other = api.newCustomer().openAccount("USD");
        Instant start = Instant.now();
        api.operator().deposit(account, "10.00", "USD");
        alice.transfer(account, other, "4.00", "USD").expectStatus().isCreated();
        alice.transfer(account, other, "40.00", "USD").expectStatus().isEqualTo(422);
        alice.post("/accounts/" + account + "/withdraw", Map.of("amount", "1.00", "currency", "USD"))
                .expectStatus().isCreated();
        String base = "/transactions?account_id=" + account;

        assertThat(ids(alice.getJson(base))).hasSize(4);
        assertThat(types(alice.getJson(base + "&type=TRANSFER"))).containsOnly("TRANSFER").hasSize(2);
        assertThat(types(alice.getJson(base + "&status=FAILED"))).containsExactly("TRANSFER");
        assertThat(types(alice.getJson(base + "&type=DEPOSIT&status=COMPLETED"))).containsExactly("DEPOSIT");
        assertThat(ids(alice.getJson(base + "&currency=EUR"))).isEmpty();
        assertThat(ids(alice.getJson(base + "&created_from=" + start))).hasSize(4);
        assertThat(ids(alice.getJson(base + "&created_to=" + start))).isEmpty();
    }

    @Test
    void aCustomerSeesOnlyHistoryTouchingTheirOwnAccounts() {
        User alice = api.newCustomer();
        User eve = api.newCustomer();
        UUID account = alice.openAccount("USD");
        api.operator().deposit(account, "10.00", "USD");
        eve.openAccount("USD");

        eve.get("/transactions?account_id=" + account).expectStatus().isNotFound();
        assertThat(ids(eve.getJson("/transactions"))).isEmpty();
        assertThat(ids(alice.getJson("/transactions"))).hasSize(1);
        assertThat(ids(api.operator().getJson("/transactions?account_id=" + account))).hasSize(1);
    }

    @Test
    void badPagingParametersAreRefused() {
        User alice = api.newCustomer();
        for (String query : List.of("limit=0", "limit=1001", "limit=ten", "cursor=not-a-cursor", "type=GIFT",
                "status=DONE", "currency=usd", "created_from=yesterday", "account_id=42")) {
            alice.get("/transactions?" + query).expectStatus().isBadRequest()
                    .expectHeader().contentType("application/problem+json")
                    .expectBody().jsonPath("$.errors").exists();
        }
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("data").forEach(transaction -> ids.add(transaction.get("id").asString()));
        return ids;
    }

    private static List<String> types(JsonNode page) {
        List<String> types = new ArrayList<>();
        page.get("data").forEach(transaction -> types.add(transaction.get("type").asString()));
        return types;
    }
}
