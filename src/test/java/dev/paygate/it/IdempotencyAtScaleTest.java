package dev.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.SecondInstance;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

/**
 * A thousand idempotency keys, each sent ten times at once, the copies spread over two instances
 * on one database: one transfer per key, every copy answered with the first response or told the
 * first is still in flight (409), and no money moved twice.
 */
class IdempotencyAtScaleTest extends EndToEndTest {

    private static final int KEYS = 1_000;
    private static final int COPIES = 10;
    private static final int ACCOUNTS = 8;
    private static final int IN_FLIGHT_MAX = 64;

    /** One answer to one copy. */
    private record Answer(int status, JsonNode body, boolean replayed) {
    }

    @Test
    void eachKeyMovesMoneyOnceHoweverManyCopiesReachWhicheverInstance() {
        try (ConfigurableApplicationContext second = SecondInstance.start()) {
            awaitReady(SecondInstance.clientOf(second));
            User onFirst = api.newCustomer();
            User onSecond = new Api(SecondInstance.clientOf(second)).user(onFirst.id(), "CUSTOMER");
            List<UUID> accounts = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) {
                accounts.add(onFirst.openAccount("USD"));
                api.operator().deposit(accounts.get(i), "1000.00", "USD");
            }
            String run = UUID.randomUUID().toString();
            Map<Integer, List<Answer>> answers = new ConcurrentHashMap<>();

            // Copies of one key stand next to each other, so they are in flight at the same time.
            Flux.range(0, KEYS * COPIES).parallel(IN_FLIGHT_MAX).runOn(Schedulers.boundedElastic())
                    .doOnNext(i -> {
                        int key = i / COPIES;
                        Answer answer = send(i % 2 == 0 ? onFirst : onSecond, run + "-" + key, body(key, accounts));
                        answers.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>())).add(answer);
                    })
                    .sequential().blockLast();

            assertThat(answers).hasSize(KEYS);
            answers.forEach((key, copies) -> assertOneTransferAnsweredAlike(key, copies));
            assertThat(answers.values().stream().flatMap(List::stream).filter(Answer::replayed).count())
                    .as("copies answered with the stored response").isPositive();
            long transfers = db.sql("SELECT count(*) AS n FROM transactions WHERE type = 'TRANSFER' AND created_by = :user")
                    .bind("user", onFirst.id()).map(row -> row.get("n", Long.class)).one().block();
            assertThat(transfers).as("transfers made").isEqualTo(KEYS);
            expectedBalances(accounts).forEach((account, balance) ->
                    assertThat(new BigDecimal(onFirst.balance(account))).as("balance of %s", account).isEqualByComparingTo(balance));
            ledger.assertInvariants();
        }
    }

    private static Answer send(User user, String key, Map<String, Object> body) {
        var result = user.client().post().uri("/transfers").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", key).bodyValue(body).exchange()
                .expectBody(JsonNode.class).returnResult();
        return new Answer(result.getStatus().value(), result.getResponseBody(),
                "true".equals(result.getResponseHeaders().getFirst("Idempotent-Replayed")));
    }

    /** Every 201 for a key is the same transfer, byte for byte the first answer; the rest are 409 in flight. */
    private static void assertOneTransferAnsweredAlike(int key, List<Answer> copies) {
        assertThat(copies).as("copies of key %d", key).hasSize(COPIES);
        assertThat(copies).extracting(Answer::status).as("statuses for key %d", key)
                .allSatisfy(status -> assertThat(status).isIn(201, 409)).contains(201);
        List<JsonNode> created = copies.stream().filter(answer -> answer.status() == 201).map(Answer::body).distinct().toList();
        assertThat(created).as("distinct 201 answers for key %d", key).hasSize(1);
        assertThat(copies.stream().filter(answer -> answer.status() == 201 && !answer.replayed()))
                .as("first (not replayed) answers for key %d", key).hasSize(1);
        copies.stream().filter(answer -> answer.status() == 409).forEach(answer ->
                assertThat(answer.body().get("type").asString()).endsWith("/idempotency-request-in-flight"));
    }

    /** Key {@code k} moves 0.01 to 0.09 from account k mod 8 to the next one. */
    private static Map<String, Object> body(int key, List<UUID> accounts) {
        return Map.of("from_account", accounts.get(key % ACCOUNTS).toString(),
                "to_account", accounts.get((key + 1) % ACCOUNTS).toString(),
                "amount", amount(key).toPlainString(), "currency", "USD");
    }

    private static BigDecimal amount(int key) {
        return BigDecimal.valueOf(1 + key % 9, 2);
    }

    /** What each account holds if every key moved its amount exactly once. */
    private static Map<UUID, BigDecimal> expectedBalances(List<UUID> accounts) {
        Map<UUID, BigDecimal> balances = new HashMap<>();
        accounts.forEach(account -> balances.put(account, new BigDecimal("1000.00")));
        for (int key = 0; key < KEYS; key++) {
            balances.merge(accounts.get(key % ACCOUNTS), amount(key).negate(), BigDecimal::add);
            balances.merge(accounts.get((key + 1) % ACCOUNTS), amount(key), BigDecimal::add);
        }
        return balances;
    }
}
