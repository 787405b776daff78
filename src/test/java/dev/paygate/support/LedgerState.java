package dev.paygate.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Reads the database behind the API to check what must always hold: money is neither made
 * nor lost, no customer is below its limit, and every balance is the replay of its history.
 */
public final class LedgerState {

    private final DatabaseClient db;

    public LedgerState(DatabaseClient db) {
        this.db = db;
    }

    /** Per currency, all balances (customers and the system accounts on the other side) sum to zero. */
    public void assertMoneyConserved() {
        List<Map<String, Object>> unbalanced = db.sql(
                        "SELECT currency, sum(balance) AS total FROM accounts GROUP BY currency HAVING sum(balance) <> 0")
                .fetch().all().collectList().block();
        assertThat(unbalanced).as("currencies whose balances do not sum to zero").isEmpty();
    }

    public void assertNoCustomerBeyondLimit() {
        Long beyond = db.sql("""
                        SELECT count(*) AS n FROM accounts
                        WHERE kind = 'CUSTOMER' AND balance - held + overdraft_limit < 0""")
                .map(row -> row.get("n", Long.class)).one().block();
        assertThat(beyond).as("customer accounts beyond their overdraft limit").isZero();
    }

    /** Each balance equals completed credits minus completed debits of its transactions. */
    public void assertBalancesReplayHistory() {
        List<Map<String, Object>> drifted = db.sql("""
                        SELECT a.id, a.balance, coalesce(moves.net, 0) AS replayed
                        FROM accounts a
                        LEFT JOIN (
                            SELECT account, sum(delta) AS net FROM (
                                SELECT to_account AS account, amount_minor AS delta
                                  FROM transactions WHERE status IN ('COMPLETED', 'REVERSED')
                                UNION ALL
                                SELECT from_account, -amount_minor
                                  FROM transactions WHERE status IN ('COMPLETED', 'REVERSED')
                            ) d GROUP BY account
                        ) moves ON moves.account = a.id
                        WHERE a.balance <> coalesce(moves.net, 0)""")
                .fetch().all().collectList().block();
        assertThat(drifted).as("accounts whose balance is not the replay of their transactions").isEmpty();
    }

    /** What an account holds is exactly what its pending payouts and reviewed transfers reserve. */
    public void assertHoldsMatchPendingTransactions() {
        List<Map<String, Object>> drifted = db.sql("""
                        SELECT a.id, a.held, coalesce(sum(t.held_minor), 0) AS reserved
                        FROM accounts a LEFT JOIN transactions t ON t.from_account = a.id
                        GROUP BY a.id, a.held
                        HAVING a.held <> coalesce(sum(t.held_minor), 0)""")
                .fetch().all().collectList().block();
        assertThat(drifted).as("accounts whose held differs from what their transactions reserve").isEmpty();
    }

    public void assertInvariants() {
        assertMoneyConserved();
        assertNoCustomerBeyondLimit();
        assertBalancesReplayHistory();
        assertHoldsMatchPendingTransactions();
    }

    /** A fingerprint of all money and history, to show that a refused request changed nothing. */
    public String snapshot() {
        return db.sql("""
                        SELECT (SELECT coalesce(string_agg(id || ':' || balance || ':' || held || ':' || status
                                                            || ':' || overdraft_limit || ':' || name, ',' ORDER BY id), '')
                                  FROM accounts)
                            || '|' || (SELECT count(*) FROM transactions)
                            || '|' || (SELECT count(*) FROM idempotency_keys) AS fingerprint""")
                .map(row -> row.get("fingerprint", String.class)).one().block();
    }
}
