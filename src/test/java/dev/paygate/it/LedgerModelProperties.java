package dev.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.PaygateTest;
import dev.paygate.bank.BankRegistry;
import dev.paygate.bank.ExternalBanks.AuthMethod;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.Money;
import dev.paygate.support.Api;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.LedgerState;
import dev.paygate.support.SandboxBanks;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import net.jqwik.spring.JqwikSpringSupport;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * Model-based test: random sequences of account openings, deposits, withdrawals, transfers,
 * payouts through a sandbox bank, idempotent replays and reused keys run against the real gateway
 * and against a tiny in-memory ledger. Every answer and every balance must agree with the model,
 * and the ledger's invariants hold after every step, among them that what an account holds is
 * exactly the sum of its payouts still in flight.
 *
 * <p>Payouts settle on their own time (the bank worker), and the bank refuses some at random, so
 * the model does not know when or how each ends: it tracks each one's hold until the gateway says
 * it is {@code COMPLETED} (the hold becomes a debit) or {@code FAILED} (the hold is let go). Until
 * then an account's available money is known only within a range, from "none of its payouts
 * failed" to "all failed"; an amount inside that range may be accepted or refused, anything
 * outside it must be answered as the model says.
 */
@JqwikSpringSupport
@PaygateTest
class LedgerModelProperties {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LedgerModelProperties.class);

    private static final String[] CURRENCIES = {"USD", "USD", "USD", "EUR"};
    private static final int ACCOUNTS_AT_START = 2;
    private static final long FUNDING_MINOR = 200_000;
    /** Share of payouts the sandbox bank refuses (they end FAILED and release their hold). */
    private static final double BANK_REFUSE_RATE = 0.3;
    private static final int SNAPSHOT_ATTEMPTS_MAX = 20;
    /** Far above the bank worker's poll interval and the sandbox's latency. */
    private static final Duration SETTLE_MAX = Duration.ofSeconds(30);

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    BankRegistry registry;

    @LocalServerPort
    int port;

    sealed interface Action permits OpenAccount, Deposit, Withdraw, Transfer, Payout, Replay, ReuseKey {
    }

    /** Opens an account in a currency, for an existing owner or a new customer. */
    record OpenAccount(int currency, int owner, boolean newOwner) implements Action {
    }

    /** Account numbers are taken modulo the accounts open when the action runs. */
    record Deposit(int account, long amountMinor) implements Action {
    }

    record Withdraw(int account, long amountMinor) implements Action {
    }

    record Transfer(int from, int to, long amountMinor, int currencyOf) implements Action {
    }

    /** An outbound transfer to the sandbox bank: held at once, settled later. */
    record Payout(int account, long amountMinor) implements Action {
    }

    /** Sends an earlier keyed request again, unchanged. */
    record Replay(int earlier) implements Action {
    }

    /** Sends an earlier request's key with another amount. */
    record ReuseKey(int earlier) implements Action {
    }

    @Property(tries = 15)
    void theGatewayBehavesLikeTheModel(@ForAll("actions") @Size(min = 5, max = 30) List<Action> actions) {
        Api api = new Api(EndToEndTest.contracted(client));
        SandboxBanks banks = new SandboxBanks(registry, db, port);
        UUID bank = banks.register(AuthMethod.HMAC);
        api.admin().put("/external-banks/" + bank + "/sandbox-faults",
                Map.of("refuse_rate", BANK_REFUSE_RATE, "latency_ms", 5, "seed", 3)).expectStatus().isOk();
        Model model = new Model(api, new LedgerState(db), bank);
        for (int i = 0; i < ACCOUNTS_AT_START; i++) {
            model.open(new OpenAccount(i, 0, true));
            // Funded, so that payouts and withdrawals are mostly accepted rather than mostly refused.
            model.apply(new Deposit(i, FUNDING_MINOR));
        }
        for (Action action : actions) {
            model.apply(action);
            model.assertAgreesWithTheGateway(action.toString());
        }
        model.awaitEveryPayoutSettled();
        log.info("{} actions over {} accounts: {} payouts accepted, {} of them completed", actions.size(),
                model.accounts.size(), model.acceptedPayouts, model.completedPayouts.size());
        assertThat(banks.disagreements(bank)).as("payouts where Paygate and the bank disagree").isEmpty();
        assertThat(banks.bankSide(bank).keySet()).as("payouts the bank saw").containsAll(model.completedPayouts);
    }

    /** The in-memory ledger, and the requests it has sent to the gateway. */
    static final class Model {

        private final Api api;
        private final LedgerState ledger;
        private final UUID bank;
        private final List<User> owners = new ArrayList<>();
        private final List<Account> accounts = new ArrayList<>();
        private final List<Sent> sent = new ArrayList<>();
        /** Payouts the gateway accepted whose outcome the model has not seen yet, by id. */
        private final Map<String, InFlight> inFlight = new LinkedHashMap<>();
        private final List<String> completedPayouts = new ArrayList<>();
        private int acceptedPayouts;

        Model(Api api, LedgerState ledger, UUID bank) {
            this.api = api;
            this.ledger = ledger;
            this.bank = bank;
        }

        /** An account as the model knows it: its booked balance, payouts in flight aside. */
        static final class Account {
            final User owner;
            final UUID id;
            final String currency;
            long balance;

            Account(User owner, UUID id, String currency) {
                this.owner = owner;
                this.id = id;
                this.currency = currency;
            }
        }

        record InFlight(int account, long amountMinor) {
        }

        void apply(Action action) {
            if (action instanceof OpenAccount open) {
                open(open);
            } else if (action instanceof Deposit deposit) {
                deposit(deposit);
            } else if (action instanceof Withdraw withdraw) {
                withdraw(withdraw);
            } else if (action instanceof Transfer transfer) {
                transfer(transfer);
            } else if (action instanceof Payout payout) {
                payout(payout);
            } else if (action instanceof Replay replay) {
                replay(replay);
            } else if (action instanceof ReuseKey reuse) {
                reuse(reuse);
            }
        }

        void open(OpenAccount open) {
            User owner = open.newOwner() || owners.isEmpty() ? api.newCustomer() : owners.get(open.owner() % owners.size());
            if (!owners.contains(owner)) {
                owners.add(owner);
            }
            String currency = CURRENCIES[open.currency() % CURRENCIES.length];
            accounts.add(new Account(owner, owner.openAccount(currency), currency));
        }

        private void deposit(Deposit deposit) {
            Account account = account(deposit.account());
            send(new Request(api.operator(), "/accounts/" + account.id + "/deposit",
                    body(deposit.amountMinor(), account.currency)), Set.of(201));
            account.balance += deposit.amountMinor();
        }

        private void withdraw(Withdraw withdraw) {
            Account account = account(withdraw.account());
            int status = send(new Request(account.owner, "/accounts/" + account.id + "/withdraw",
                    body(withdraw.amountMinor(), account.currency)),
                    debitAnswers(withdraw.account(), withdraw.amountMinor(), 201)).getStatus().value();
            if (status == 201) {
                account.balance -= withdraw.amountMinor();
            }
        }

        private void transfer(Transfer transfer) {
            Account from = account(transfer.from());
            Account to = account(transfer.to());
            String currency = account(transfer.currencyOf()).currency;
            Map<String, Object> body = body(transfer.amountMinor(), currency);
            body.put("from_account", from.id.toString());
            body.put("to_account", to.id.toString());
            boolean possible = from != to && currency.equals(from.currency) && currency.equals(to.currency);
            int status = send(new Request(from.owner, "/transfers", body),
                    possible ? debitAnswers(transfer.from(), transfer.amountMinor(), 201) : Set.of(422)).getStatus().value();
            if (status == 201) {
                from.balance -= transfer.amountMinor();
                to.balance += transfer.amountMinor();
            }
        }

        private void payout(Payout payout) {
            Account account = account(payout.account());
            Map<String, Object> body = body(payout.amountMinor(), account.currency);
            body.put("account_id", account.id.toString());
            body.put("direction", "OUTBOUND");
            body.put("counterparty", Map.of("name", "Jane Doe", "iban", "DE89370400440532013000"));
            EntityExchangeResult<String> answer = send(new Request(account.owner, "/external-banks/" + bank + "/transfers", body),
                    debitAnswers(payout.account(), payout.amountMinor(), 202));
            if (answer.getStatus().value() == 202) {
                acceptedPayouts++;
                inFlight.put(json(answer).get("id").asString(),
                        new InFlight(accounts.indexOf(account), payout.amountMinor()));
            }
        }

        private void replay(Replay replay) {
            if (!sent.isEmpty()) {
                Sent earlier = sent.get(replay.earlier() % sent.size());
                assertThat(earlier.request().send(earlier.key()).getStatus().value()).as("replay of %s", earlier)
                        .isEqualTo(earlier.status());
            }
        }

        private void reuse(ReuseKey reuse) {
            if (!sent.isEmpty()) {
                Sent earlier = sent.get(reuse.earlier() % sent.size());
                Request changed = earlier.request().withAmount(
                        new BigDecimal((String) earlier.request().body().get("amount")).add(BigDecimal.ONE).toPlainString());
                assertThat(changed.send(earlier.key()).getStatus().value()).as("key of %s reused", earlier).isEqualTo(422);
            }
        }

        /**
         * What a request taking {@code amount} from an account may be answered: {@code accepted} when
         * it is covered even if none of the account's payouts in flight fails, 422 when not even all
         * of them failing would cover it, either in between.
         */
        private Set<Integer> debitAnswers(int index, long amountMinor, int accepted) {
            Account account = account(index);
            long availableAtLeast = account.balance - held(accounts.indexOf(account));
            if (amountMinor <= availableAtLeast) {
                return Set.of(accepted);
            }
            return amountMinor > account.balance ? Set.of(422) : Set.of(accepted, 422);
        }

        /** Sends the request with a fresh key; its answer must be one of {@code expected}. */
        private EntityExchangeResult<String> send(Request request, Set<Integer> expected) {
            String key = UUID.randomUUID().toString();
            EntityExchangeResult<String> answer = request.send(key);
            int status = answer.getStatus().value();
            assertThat(status).as("%s %s: %s", request.path(), request.body(), answer.getResponseBody()).isIn(expected);
            sent.add(new Sent(request, key, status));
            return answer;
        }

        /**
         * Every balance and hold as the model has them, and the ledger's invariants. Payouts settle
         * meanwhile, so the statuses of those in flight are read before and after the balances, until
         * no payout moved in between: the balances then belong to exactly those statuses.
         */
        void assertAgreesWithTheGateway(String after) {
            for (int attempt = 1; ; attempt++) {
                Map<String, String> before = inFlightStatuses();
                List<JsonNode> balances = accounts.stream()
                        .map(account -> account.owner.getJson("/accounts/" + account.id + "/balance")).toList();
                if (before.equals(inFlightStatuses())) {
                    settle(before);
                    assertBalances(balances, after);
                    break;
                }
                assertThat(attempt).as("attempts at a snapshot with no payout settling").isLessThan(SNAPSHOT_ATTEMPTS_MAX);
            }
            ledger.assertInvariants();
        }

        private Map<String, String> inFlightStatuses() {
            Map<String, String> statuses = new HashMap<>();
            inFlight.forEach((id, payout) -> statuses.put(id,
                    accounts.get(payout.account()).owner.getJson("/transfers/" + id + "/status").get("status").asString()));
            return statuses;
        }

        /** A completed payout's hold becomes a debit; a failed one's is let go. */
        private void settle(Map<String, String> statuses) {
            statuses.forEach((id, status) -> {
                assertThat(status).as("payout %s", id).isIn("PENDING", "PROCESSING", "COMPLETED", "FAILED");
                if (status.equals("COMPLETED") || status.equals("FAILED")) {
                    InFlight payout = inFlight.remove(id);
                    if (status.equals("COMPLETED")) {
                        accounts.get(payout.account()).balance -= payout.amountMinor();
                        completedPayouts.add(id);
                    }
                }
            });
        }

        private void assertBalances(List<JsonNode> balances, String after) {
            for (int i = 0; i < accounts.size(); i++) {
                Account account = accounts.get(i);
                CurrencyCode currency = CurrencyCode.of(account.currency);
                assertThat(balances.get(i).get("balance").asString()).as("balance of account %d after %s", i, after)
                        .isEqualTo(Money.format(account.balance, currency));
                assertThat(balances.get(i).get("held").asString())
                        .as("held on account %d after %s: the sum of its payouts in flight", i, after)
                        .isEqualTo(Money.format(held(i), currency));
            }
        }

        void awaitEveryPayoutSettled() {
            Instant deadline = Instant.now().plus(SETTLE_MAX);
            while (!inFlight.isEmpty() && Instant.now().isBefore(deadline)) {
                sleep(Duration.ofMillis(100));
                assertAgreesWithTheGateway("waiting for payouts to settle");
            }
            assertThat(inFlight).as("payouts still in flight after %s", SETTLE_MAX).isEmpty();
        }

        private long held(int account) {
            return inFlight.values().stream().filter(payout -> payout.account() == account)
                    .mapToLong(InFlight::amountMinor).sum();
        }

        private Account account(int index) {
            return accounts.get(index % accounts.size());
        }
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        // Taken modulo the accounts open: low numbers favour the first, funded accounts.
        Arbitrary<Integer> account = Arbitraries.integers().between(0, 60).edgeCases(edges -> edges.includeOnly(0, 1));
        Arbitrary<Long> amount = Arbitraries.longs().between(1, 100_000);
        Arbitrary<Action> open = Combinators.combine(Arbitraries.integers().between(0, CURRENCIES.length - 1),
                Arbitraries.integers().between(0, 20), Arbitraries.of(true, false)).as(OpenAccount::new);
        Arbitrary<Action> deposit = Combinators.combine(account, amount).as(Deposit::new);
        Arbitrary<Action> withdraw = Combinators.combine(account, amount).as(Withdraw::new);
        Arbitrary<Action> transfer = Combinators.combine(account, account, amount, account).as(Transfer::new);
        Arbitrary<Action> payout = Combinators.combine(account, amount).as(Payout::new);
        Arbitrary<Action> replay = Arbitraries.integers().between(0, 100).map(Replay::new);
        Arbitrary<Action> reuse = Arbitraries.integers().between(0, 100).map(ReuseKey::new);
        return Arbitraries.frequencyOf(Tuple.of(1, open), Tuple.of(3, deposit), Tuple.of(2, withdraw),
                Tuple.of(4, transfer), Tuple.of(3, payout), Tuple.of(1, replay), Tuple.of(1, reuse)).list();
    }

    private static Map<String, Object> body(long amountMinor, String currency) {
        Map<String, Object> body = new HashMap<>();
        body.put("amount", Money.format(amountMinor, CurrencyCode.of(currency)));
        body.put("currency", currency);
        return body;
    }

    private static JsonNode json(EntityExchangeResult<String> answer) {
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(answer.getResponseBody());
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A request as a caller sends it, before a key is put on it. */
    record Request(User caller, String path, Map<String, Object> body) {

        EntityExchangeResult<String> send(String key) {
            return caller.post(path, body, key).expectBody(String.class).returnResult();
        }

        Request withAmount(String amount) {
            Map<String, Object> changed = new HashMap<>(body);
            changed.put("amount", amount);
            return new Request(caller, path, changed);
        }
    }

    /** A keyed request as sent, and the status it first got. */
    record Sent(Request request, String key, int status) {
    }
}
