package dev.paygate.account;

import dev.paygate.common.Actor;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.Ids;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Customer accounts. Balances are never written here: only the ledger moves money. Every change is audited. */
@Repository
class Accounts {

    private static final String COLUMNS = """
            id, user_id, name, currency, balance, held, overdraft_limit, status, created_at, updated_at""";

    /**
     * The first account in a currency also makes that currency's system cash account; the audit
     * row is written by the same statement, so an account never exists without it.
     */
    private static final String CREATE = """
            WITH cash AS (
                INSERT INTO accounts (id, kind, name, currency)
                VALUES (:cashId, 'SYSTEM_CASH', 'System cash ' || :currency, :currency)
                ON CONFLICT (currency) WHERE kind = 'SYSTEM_CASH' DO NOTHING
            ), created AS (
                INSERT INTO accounts (id, kind, user_id, name, currency)
                VALUES (:id, 'CUSTOMER', :userId, :name, :currency)
                RETURNING *
            ), audit AS (
                INSERT INTO audit_log (id, actor, action, resource, outcome, details, client_ip, trace_id)
                SELECT uuid_v7(), :actor, 'ACCOUNT_OPENED', 'account:' || id, 'OK',
                       jsonb_build_object('user_id', user_id, 'currency', currency), :ip, :trace
                FROM created
            )
            SELECT\s""" + COLUMNS + " FROM created";

    /**
     * One conditional update: a closed account never changes, an account is closed only when empty,
     * and a lower overdraft limit must still cover what the account already owes.
     */
    private static final String UPDATE = """
            WITH changed AS (
                UPDATE accounts SET
                    name = COALESCE(:name, name),
                    status = COALESCE(:status, status),
                    overdraft_limit = COALESCE(:overdraft, overdraft_limit),
                    updated_at = now()
                WHERE id = :id AND kind = 'CUSTOMER' AND status <> 'CLOSED'
                  AND (COALESCE(:status, status) <> 'CLOSED' OR (balance = 0 AND held = 0))
                  AND balance - held + COALESCE(:overdraft, overdraft_limit) >= 0
                RETURNING *
            ), audit AS (
                INSERT INTO audit_log (id, actor, action, resource, outcome, details, client_ip, trace_id)
                SELECT uuid_v7(), :actor, 'ACCOUNT_CHANGED', 'account:' || id, 'OK',
                       jsonb_strip_nulls(jsonb_build_object('name', CAST(:name AS text), 'status', CAST(:status AS text),
                                                            'overdraft_limit_minor', CAST(:overdraft AS bigint))),
                       :ip, :trace
                FROM changed
            )
            SELECT\s""" + COLUMNS + " FROM changed";

    private final DatabaseClient db;

    Accounts(DatabaseClient db) {
        this.db = db;
    }

    Mono<Account> create(String userId, String name, CurrencyCode currency, Actor actor) {
        var spec = db.sql(CREATE)
                .bind("cashId", Ids.next())
                .bind("id", Ids.next())
                .bind("userId", userId)
                .bind("name", name)
                .bind("currency", currency.code())
                .bind("actor", actor.userId());
        spec = actor.bindAddressAndTrace(spec);
        return spec.map(Accounts::account).one();
    }

    /** A customer account, if it exists and {@code owner} (when given) owns it. */
    Mono<Account> find(UUID id, @Nullable String owner) {
        String sql = "SELECT " + COLUMNS + " FROM accounts WHERE id = :id AND kind = 'CUSTOMER'"
                + (owner == null ? "" : " AND user_id = :owner");
        var spec = db.sql(sql).bind("id", id);
        if (owner != null) {
            spec = spec.bind("owner", owner);
        }
        return spec.map(Accounts::account).one();
    }

    /** Accounts in id order after {@code after}; {@code owner} null lists every customer's. */
    Flux<Account> page(@Nullable String owner, @Nullable UUID after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM accounts WHERE kind = 'CUSTOMER'");
        if (owner != null) {
            sql.append(" AND user_id = :owner");
        }
        if (after != null) {
            sql.append(" AND id > :after");
        }
        sql.append(" ORDER BY id LIMIT :limit");
        var spec = db.sql(sql.toString()).bind("limit", limit);
        if (owner != null) {
            spec = spec.bind("owner", owner);
        }
        if (after != null) {
            spec = spec.bind("after", after);
        }
        return spec.map(Accounts::account).all();
    }

    Mono<Account> update(UUID id, @Nullable String name, @Nullable AccountStatus status, @Nullable Long overdraftMinor,
                         Actor actor) {
        var spec = db.sql(UPDATE).bind("id", id).bind("actor", actor.userId());
        spec = actor.bindAddressAndTrace(spec);
        spec = name == null ? spec.bindNull("name", String.class) : spec.bind("name", name);
        spec = status == null ? spec.bindNull("status", String.class) : spec.bind("status", status.name());
        spec = overdraftMinor == null ? spec.bindNull("overdraft", Long.class) : spec.bind("overdraft", overdraftMinor);
        return spec.map(Accounts::account).one();
    }

    private static Account account(Readable row) {
        return new Account(
                row.get("id", UUID.class),
                row.get("user_id", String.class),
                row.get("name", String.class),
                CurrencyCode.of(row.get("currency", String.class)),
                row.get("balance", Long.class),
                row.get("held", Long.class),
                row.get("overdraft_limit", Long.class),
                AccountStatus.valueOf(row.get("status", String.class)),
                instant(row, "created_at"),
                instant(row, "updated_at"));
    }

    private static Instant instant(Readable row, String column) {
        OffsetDateTime value = row.get(column, OffsetDateTime.class);
        if (value == null) {
            throw new IllegalStateException("column " + column + " is NULL");
        }
        return value.toInstant();
    }
}
