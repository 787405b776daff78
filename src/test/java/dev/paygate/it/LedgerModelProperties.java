package dev.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.PaygateTest;
import dev.paygate.support.Api;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.LedgerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.spring.JqwikSpringSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * Model-based test: random sequences of deposits, withdrawals, transfers, idempotent replays and
 * reused keys run against the real gateway and against a tiny in-memory ledger. Every answer and
 * every balance must agree with the model, and the ledger's invariants hold after every step.
 */
@JqwikSpringSupport
@PaygateTest
class LedgerModelProperties {

    private static final String[] CURRENCIES = {"USD", "USD", "USD", "EUR"};

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    sealed interface Action permits Deposit, Withdraw, Transfer, Replay, ReuseKey {
    }

    record Deposit(int account, long amountMinor) implements Action {
    }

    record Withdraw(int account, long amountMinor) implements Action {
    }

    record Transfer(int from, int to, long amountMinor, int currencyOf) implements Action {
    }

    /** Sends an earlier keyed request again, unchanged. */
    record Replay(int earlier) implements Action {
    }

    /** Sends an earlier request's key with another amount. */
    record ReuseKey(int earlier) implements Action {
    }

    @Property(tries = 15)
    void theGatewayBehavesLikeTheModel(@ForAll("actions") @Size(min = 1, max = 30) List<Action> actions) {
        Api api = new Api(EndToEndTest.contracted(client));
        LedgerState ledger = new LedgerState(db);
        List<User> owners = new ArrayList<>();
        List<UUID> accounts = new ArrayList<>();
        long[] balances = new long[CURRENCIES.length];
        for (String currency : CURRENCIES) {
            User owner = api.newCustomer();
            owners.add(owner);
            accounts.add(owner.openAccount(currency));
        }
        List<Sent> sent = new ArrayList<>();

        for (Action action : actions) {
            if (action instanceof Replay replay && !sent.isEmpty()) {
                Sent earlier = sent.get(replay.earlier() % sent.size());
                assertThat(earlier.send(api).getStatus().value()).as("replay of %s", earlier).isEqualTo(earlier.status());
            } else if (action instanceof ReuseKey reuse && !sent.isEmpty()) {
                Sent earlier = sent.get(reuse.earlier() % sent.size());
                Sent changed = earlier.withAmount(new java.math.BigDecimal(earlier.body().get("amount")).add(java.math.BigDecimal.ONE).toPlainString());
                assertThat(changed.send(api).getStatus().value()).as("key reused by %s", changed).isEqualTo(422);
            } else if (action instanceof Deposit deposit) {
                Sent request = new Sent(api.operator(), "/accounts/" + accounts.get(deposit.account()) + "/deposit",
                        body(deposit.amountMinor(), CURRENCIES[deposit.account()]), UUID.randomUUID().toString(), 201);
                balances[deposit.account()] += deposit.amountMinor();
                sent.add(request.expectFrom(api));
            } else if (action instanceof Withdraw withdraw) {
                boolean covered = balances[withdraw.account()] >= withdraw.amountMinor();
                Sent request = new Sent(owners.get(withdraw.account()), "/accounts/" + accounts.get(withdraw.account()) + "/withdraw",
                        body(withdraw.amountMinor(), CURRENCIES[withdraw.account()]), UUID.randomUUID().toString(),
                        covered ? 201 : 422);
                if (covered) {
                    balances[withdraw.account()] -= withdraw.amountMinor();
                }
                sent.add(request.expectFrom(api));
            } else if (action instanceof Transfer transfer) {
                String currency = CURRENCIES[transfer.currencyOf()];
                boolean valid = transfer.from() != transfer.to()
                        && currency.equals(CURRENCIES[transfer.from()]) && currency.equals(CURRENCIES[transfer.to()])
                        && balances[transfer.from()] >= transfer.amountMinor();
                Map<String, String> body = body(transfer.amountMinor(), currency);
                body.put("from_account", accounts.get(transfer.from()).toString());
                body.put("to_account", accounts.get(transfer.to()).toString());
                Sent request = new Sent(owners.get(transfer.from()), "/transfers", body, UUID.randomUUID().toString(),
                        valid ? 201 : 422);
                if (valid) {
                    balances[transfer.from()] -= transfer.amountMinor();
                    balances[transfer.to()] += transfer.amountMinor();
                }
                sent.add(request.expectFrom(api));
            }
            for (int i = 0; i < accounts.size(); i++) {
                JsonNode balance = owners.get(i).getJson("/accounts/" + accounts.get(i) + "/balance");
                assertThat(balance.get("balance").asString()).as("balance of account %d after %s", i, action)
                        .isEqualTo(dev.paygate.common.Money.format(balances[i],
                                dev.paygate.common.CurrencyCode.of(CURRENCIES[i])));
            }
        }
        ledger.assertInvariants();
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Integer> account = Arbitraries.integers().between(0, CURRENCIES.length - 1);
        Arbitrary<Long> amount = Arbitraries.longs().between(1, 100_000);
        Arbitrary<Action> deposit = Combinators.combine(account, amount).as(Deposit::new);
        Arbitrary<Action> withdraw = Combinators.combine(account, amount).as(Withdraw::new);
        Arbitrary<Action> transfer = Combinators.combine(account, account, amount, account).as(Transfer::new);
        Arbitrary<Action> replay = Arbitraries.integers().between(0, 100).map(Replay::new);
        Arbitrary<Action> reuse = Arbitraries.integers().between(0, 100).map(ReuseKey::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, deposit), net.jqwik.api.Tuple.of(2, withdraw),
                net.jqwik.api.Tuple.of(5, transfer), net.jqwik.api.Tuple.of(1, replay), net.jqwik.api.Tuple.of(1, reuse))
                .list();
    }

    private static Map<String, String> body(long amountMinor, String currency) {
        Map<String, String> body = new HashMap<>();
        body.put("amount", dev.paygate.common.Money.format(amountMinor, dev.paygate.common.CurrencyCode.of(currency)));
        body.put("currency", currency);
        return body;
    }

    /** A keyed request as sent, and the status it first got. */
    record Sent(User caller, String path, Map<String, String> body, String key, int status) {

        Sent expectFrom(Api api) {
            assertThat(send(api).getStatus().value()).as("%s %s", path, body).isEqualTo(status);
            return this;
        }

        org.springframework.test.web.reactive.server.EntityExchangeResult<String> send(Api api) {
            return caller.post(path, body, key).expectBody(String.class).returnResult();
        }

        Sent withAmount(String amount) {
            Map<String, String> changed = new HashMap<>(body);
            changed.put("amount", amount);
            return new Sent(caller, path, changed, key, status);
        }
    }
}
