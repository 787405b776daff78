package dev.paygate.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The accounts and tokens one simulation sets up for itself over the API before its load starts.
 * Customers own {@code accountsPerCustomer} accounts each and hold one token each; an operator
 * token funds them (deposits are staff-only). While the gateway has no {@code /dev/tokens} yet,
 * every call goes without a token, and the gateway treats it as its local administrator.
 */
final class Fixture {

    static final String CURRENCY = "USD";
    /** Funds per account: enough that no transfer of {@link #TRANSFER_AMOUNT} is ever refused. */
    static final String FUNDING_AMOUNT = "1000000.00";
    static final String TRANSFER_AMOUNT = "0.01";

    private static final List<String> CUSTOMER_SCOPES = List.of(
            "accounts:read", "accounts:write", "transfers:read", "transfers:write", "banks:read");
    private static final List<String> STAFF_SCOPES = List.of(
            "accounts:read", "accounts:write", "transfers:read", "transfers:write", "banks:read", "banks:write");

    /** One account, the user owning it, and that user's token ({@code null} without tokens). */
    record Account(String id, String owner, String token) {
    }

    private final LoadSettings settings;
    private final SetupClient client;
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private final String operatorToken;
    private final String adminToken;
    private volatile Account[] accounts = new Account[0];
    private volatile Account merchant;

    Fixture(LoadSettings settings) {
        this.settings = settings;
        this.client = new SetupClient(settings);
        Optional<String> operator = client.devToken("load-operator-" + runId, "OPERATOR", STAFF_SCOPES);
        this.operatorToken = operator.orElse(null);
        this.adminToken = operator.isPresent()
                ? client.devToken("load-admin-" + runId, "ADMIN", STAFF_SCOPES).orElseThrow()
                : null;
        System.out.println("[setup] " + settings.baseUrl() + ": " + (usesTokens()
                ? "dev tokens available, every request carries a bearer token"
                : "POST /dev/tokens answered 404, requests carry no token"));
    }

    boolean usesTokens() {
        return operatorToken != null;
    }

    SetupClient client() {
        return client;
    }

    String operatorToken() {
        return operatorToken;
    }

    String adminToken() {
        return adminToken;
    }

    /** Opens and funds {@code count} customer accounts, {@code accountsPerCustomer} per customer. */
    void openAccounts(int count) {
        long started = System.nanoTime();
        int perCustomer = settings.accountsPerCustomer();
        int customers = (count + perCustomer - 1) / perCustomer;
        List<String> owners = new ArrayList<>(customers);
        for (int c = 0; c < customers; c++) {
            owners.add("load-" + runId + "-c" + c);
        }
        List<String> tokens = client.inParallel(customers, c -> usesTokens()
                ? client.devTokenAsync(owners.get(c), "CUSTOMER", CUSTOMER_SCOPES).thenApply(Optional::orElseThrow)
                : CompletableFuture.completedFuture(null));
        List<Account> opened = client.inParallel(count, i -> {
            int c = i / perCustomer;
            return open(owners.get(c), tokens.get(c), "load " + i)
                    .thenCompose(account -> fund(account).thenApply(ignored -> account));
        });
        accounts = opened.toArray(Account[]::new);
        System.out.printf("[setup] opened and funded %d accounts for %d customers in %.1f s%n",
                count, customers, (System.nanoTime() - started) / 1e9);
    }

    /** One more account, owned by a merchant, that only receives. */
    void openMerchant() {
        String owner = "load-" + runId + "-merchant";
        String token = usesTokens() ? client.devToken(owner, "CUSTOMER", CUSTOMER_SCOPES).orElseThrow() : null;
        merchant = open(owner, token, "merchant").join();
    }

    /** An unfunded account of its own customer, for asking whether an endpoint exists at all. */
    Account openProbeAccount() {
        String owner = "load-" + runId + "-probe";
        String token = usesTokens() ? client.devToken(owner, "CUSTOMER", CUSTOMER_SCOPES).orElseThrow() : null;
        return open(owner, token, "probe").join();
    }

    Account merchant() {
        if (merchant == null) {
            throw new IllegalStateException("openMerchant() was not called");
        }
        return merchant;
    }

    Account[] accounts() {
        return accounts;
    }

    Account randomAccount() {
        Account[] all = accounts;
        return all[ThreadLocalRandom.current().nextInt(all.length)];
    }

    /** Two distinct accounts, uniformly at random. */
    Account[] randomPair() {
        Account[] all = accounts;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int from = random.nextInt(all.length);
        int to = (from + 1 + random.nextInt(all.length - 1)) % all.length;
        return new Account[] {all[from], all[to]};
    }

    /** Session attributes a transfer request reads: sender, receiver and the sender's token. */
    static Map<String, Object> transferAttributes(Account from, Account to) {
        return Map.of("from", from.id(), "to", to.id(), "token", tokenOrBlank(from));
    }

    static String tokenOrBlank(Account account) {
        return account.token() == null ? "" : account.token();
    }

    /** A transfer made during setup (not measured), answering its id. */
    String transfer(Account from, Account to) {
        return client.expect(201, "POST", "/transfers", from.token(), transferBody(from.id(), to.id())).field("id");
    }

    static String transferBody(String from, String to) {
        return "{\"from_account\":\"" + from + "\",\"to_account\":\"" + to + "\",\"amount\":\"" + TRANSFER_AMOUNT
                + "\",\"currency\":\"" + CURRENCY + "\",\"description\":\"load test\"}";
    }

    private CompletableFuture<Account> open(String owner, String token, String name) {
        String body = "{\"currency\":\"" + CURRENCY + "\",\"name\":\"" + name + "\"}";
        return SetupClient.expecting(201, "POST", "/accounts", client.send("POST", "/accounts", token, body))
                .thenApply(reply -> new Account(reply.field("id"), owner, token));
    }

    private CompletableFuture<SetupClient.Reply> fund(Account account) {
        String path = "/accounts/" + account.id() + "/deposit";
        String body = "{\"amount\":\"" + FUNDING_AMOUNT + "\",\"currency\":\"" + CURRENCY
                + "\",\"description\":\"load test funding\"}";
        return SetupClient.expecting(201, "POST", path, client.send("POST", path, operatorToken, body));
    }
}
