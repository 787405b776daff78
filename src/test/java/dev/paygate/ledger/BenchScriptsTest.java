package dev.paygate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api;
import dev.paygate.support.EndToEndTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;

/**
 * bench/run.sh measures PostgreSQL's own limit by running {@code bench/ledger_apply_*.sql} in
 * pgbench: "the very statement the gateway sends for one transfer". When {@code ledger_apply}
 * gains an argument, those scripts break only in the bench, minutes into a run. This runs each
 * script's statement as pgbench would (its {@code \set} variables replaced by account numbers,
 * {@code bench.accounts} filled with real accounts, as run.sh does) against the test database,
 * inside a transaction that is rolled back, and checks that it applies the transfer.
 */
class BenchScriptsTest extends EndToEndTest {

    private static final Path BENCH = Path.of("bench");
    /** A pgbench variable: {@code :name}, but not the second colon of a {@code ::type} cast. */
    private static final Pattern VARIABLE = Pattern.compile("(?<![:\\w]):([A-Za-z_]\\w*)");
    private static final Pattern SET = Pattern.compile("^\\\\set\\s+(\\w+)\\s+.*$");
    /** What run.sh passes with {@code pgbench -D}. */
    private static final Set<String> DEFINED_BY_RUN_SH = Set.of("accounts");

    @Autowired
    TransactionalOperator transactional;

    @ParameterizedTest
    @ValueSource(strings = {"ledger_apply_uniform.sql", "ledger_apply_hot.sql"})
    void theBenchScriptAppliesOneTransferWithTheLedgersSignature(String script) throws IOException {
        Api.User customer = api.newCustomer();
        UUID first = customer.openAccount("USD");
        UUID second = customer.openAccount("USD");
        UUID merchant = api.newCustomer().openAccount("USD");
        api.admin().deposit(first, "10.00", "USD");
        api.admin().deposit(second, "10.00", "USD");

        List<String> sets = new ArrayList<>();
        String statement = statementOf(Files.readString(BENCH.resolve(script)), sets);
        // The random picks, made deterministic: account 1 pays account 2 (uniform) or the merchant (hot).
        Map<String, String> values = Map.of("a", "1", "b", "2", "accounts", "2");
        Set<String> used = variablesIn(statement);
        assertThat(used).as("variables the statement reads").isSubsetOf(values.keySet());
        for (String variable : used) {
            assertThat(sets.contains(variable) || DEFINED_BY_RUN_SH.contains(variable))
                    .as(":%s is set by the script or by run.sh's pgbench -D", variable).isTrue();
        }
        String sql = substitute(statement, values);

        List<Map<String, Object>> rows = transactional.execute(status -> {
            status.setRollbackOnly();
            return db.sql("CREATE SCHEMA bench").then()
                    .then(db.sql("CREATE TABLE bench.accounts (n int PRIMARY KEY, id uuid NOT NULL)").then())
                    .then(db.sql("INSERT INTO bench.accounts (n, id) VALUES (0, :merchant), (1, :first), (2, :second)")
                            .bind("merchant", merchant).bind("first", first).bind("second", second).then())
                    .thenMany(Flux.defer(() -> db.sql(sql).fetch().all()));
        }).collectList().block();

        assertThat(rows).as("one outcome for the one transfer").hasSize(1);
        Map<String, Object> outcome = rows.get(0);
        assertThat(outcome.get("outcome")).isEqualTo("APPLIED");
        assertThat(outcome.get("rejection")).isNull();
        assertThat(outcome.get("from_account")).isEqualTo(first);
        assertThat(outcome.get("to_account")).isEqualTo(script.contains("hot") ? merchant : second);
        assertThat(outcome.get("amount_minor")).isEqualTo(1L);
        // Rolled back: the balances are as they were.
        assertThat(api.admin().balance(first)).isEqualTo("10.00");
        ledger.assertInvariants();
    }

    @Test
    void theHistoryScriptAppliesABatchOfTransfersBetweenTheBenchsAccounts() throws IOException {
        UUID first = api.newCustomer().openAccount("USD");
        UUID second = api.newCustomer().openAccount("USD");
        api.admin().deposit(first, "10.00", "USD");
        api.admin().deposit(second, "10.00", "USD");
        List<String> sets = new ArrayList<>();
        String statement = statementOf(Files.readString(BENCH.resolve("ledger_apply_history.sql")), sets);
        assertThat(variablesIn(statement)).as("variables the statement reads").isSubsetOf(DEFINED_BY_RUN_SH);
        String sql = substitute(statement, Map.of("accounts", "2"));

        List<Map<String, Object>> rows = transactional.execute(status -> {
            status.setRollbackOnly();
            return db.sql("CREATE SCHEMA bench").then()
                    .then(db.sql("CREATE TABLE bench.accounts (n int PRIMARY KEY, id uuid NOT NULL)").then())
                    .then(db.sql("INSERT INTO bench.accounts (n, id) VALUES (1, :first), (2, :second)")
                            .bind("first", first).bind("second", second).then())
                    .thenMany(Flux.defer(() -> db.sql(sql).fetch().all()));
        }).collectList().block();

        assertThat(rows).singleElement().satisfies(outcome -> {
            assertThat(outcome.get("movements")).isEqualTo(64L);
            assertThat(outcome.get("applied")).isEqualTo(64L);
        });
        assertThat(api.admin().balance(first)).isEqualTo("10.00");
        ledger.assertInvariants();
    }

    /** The script without its comments and meta-commands; the names its {@code \set} lines assign go to {@code sets}. */
    private static String statementOf(String script, List<String> sets) {
        StringBuilder statement = new StringBuilder();
        for (String line : script.split("\n")) {
            String code = line.replaceFirst("--.*$", "").strip();
            Matcher set = SET.matcher(code);
            if (set.matches()) {
                sets.add(set.group(1));
            } else if (code.startsWith("\\")) {
                throw new AssertionError("a pgbench meta-command this test does not know: " + code);
            } else if (!code.isEmpty()) {
                statement.append(code).append('\n');
            }
        }
        String sql = statement.toString().strip();
        assertThat(sql).as("one statement").startsWith("SELECT").endsWith(";").doesNotContain(";\n");
        return sql.substring(0, sql.length() - 1);
    }

    private static Set<String> variablesIn(String sql) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = VARIABLE.matcher(sql);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    private static String substitute(String sql, Map<String, String> values) {
        return VARIABLE.matcher(sql).replaceAll(match -> values.get(match.group(1)));
    }
}
