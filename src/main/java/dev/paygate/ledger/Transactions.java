package dev.paygate.ledger;

import dev.paygate.common.Actor;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.IdempotencyKey;
import dev.paygate.common.Money;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The ledger's rows: the one statement that moves money, and the queries over its history. */
@Repository
public class Transactions {

    private static final String APPLY = """
            SELECT * FROM ledger_apply($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
            """;

    /** The columns a transaction is read from, by name. */
    public static final String COLUMNS = """
            id, type, from_account, to_account, amount_minor, currency, status, failure_reason,
            description, metadata::text AS metadata, bank_id, counterparty::text AS counterparty, created_at, updated_at""";

    private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() { };

    private final DatabaseClient db;
    private final JsonMapper json;

    public Transactions(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    /**
     * Applies the commands in order, in one database transaction and one round trip, and answers
     * one outcome per command, in the same order.
     */
    public Flux<LedgerOutcome> applyInOrder(List<LedgerCommand> commands) {
        int count = commands.size();
        UUID[] ids = new UUID[count];
        String[] types = new String[count];
        String[] modes = new String[count];
        UUID[] from = new UUID[count];
        UUID[] to = new UUID[count];
        Long[] amounts = new Long[count];
        String[] currencies = new String[count];
        String[] descriptions = new String[count];
        String[] metadata = new String[count];
        UUID[] banks = new UUID[count];
        String[] counterparties = new String[count];
        String[] owners = new String[count];
        String[] actors = new String[count];
        String[] clientIps = new String[count];
        String[] traceIds = new String[count];
        String[] clients = new String[count];
        String[] keys = new String[count];
        String[] hashes = new String[count];
        String[] reviews = new String[count];
        for (int i = 0; i < count; i++) {
            LedgerCommand command = commands.get(i);
            ids[i] = command.id();
            types[i] = command.type().name();
            modes[i] = command.mode().name();
            from[i] = command.from();
            to[i] = command.to();
            amounts[i] = command.amount().amountMinor();
            currencies[i] = command.amount().currency().code();
            descriptions[i] = command.description();
            metadata[i] = command.metadata().isEmpty() ? null : json.writeValueAsString(command.metadata());
            banks[i] = command.bankId();
            counterparties[i] = command.counterparty().isEmpty() ? null : json.writeValueAsString(command.counterparty());
            owners[i] = command.requiredOwner();
            actors[i] = command.actor().userId();
            clientIps[i] = command.actor().clientIp();
            traceIds[i] = command.actor().traceId();
            IdempotencyKey key = command.idempotencyKey();
            clients[i] = key == null ? null : key.clientId();
            keys[i] = key == null ? null : key.key();
            hashes[i] = key == null ? null : key.requestHash();
            reviews[i] = command.review().isEmpty() ? null : json.writeValueAsString(command.review());
        }
        return db.sql(APPLY)
                .bind(0, ids).bind(1, types).bind(2, modes).bind(3, from).bind(4, to).bind(5, amounts)
                .bind(6, currencies).bind(7, descriptions).bind(8, metadata).bind(9, banks).bind(10, counterparties)
                .bind(11, owners).bind(12, actors).bind(13, clientIps).bind(14, traceIds)
                .bind(15, clients).bind(16, keys).bind(17, hashes).bind(18, reviews)
                .map(this::outcome)
                .all();
    }

    /**
     * Moves a transaction from the expected state to the target, with the money that goes with it
     * (see {@code ledger_transition}); empty when it was not in the expected state.
     */
    public Mono<Transaction> transition(UUID id, TransactionStatus expected, TransactionStatus target,
                                        @Nullable String failureReason, Actor actor) {
        var spec = db.sql("SELECT " + COLUMNS + " FROM ledger_transition(:id, :expected, :target, :reason, :actor, :ip, :trace)")
                .bind("id", id)
                .bind("expected", expected.name())
                .bind("target", target.name())
                .bind("actor", actor.userId());
        spec = failureReason == null ? spec.bindNull("reason", String.class) : spec.bind("reason", failureReason);
        spec = actor.bindAddressAndTrace(spec);
        return spec.map(this::transaction).one();
    }

    /** The transaction; with {@code visibleTo}, only if it touches an account that user owns. */
    public Mono<Transaction> findById(UUID id, @Nullable String visibleTo) {
        String sql = "SELECT " + COLUMNS + " FROM transactions t WHERE t.id = :id"
                + (visibleTo == null ? "" : " AND " + touchesAccountOf("t"));
        var spec = db.sql(sql).bind("id", id);
        if (visibleTo != null) {
            spec = spec.bind("user", visibleTo);
        }
        return spec.map(this::transaction).one();
    }

    /**
     * One page of history, newest first, by keyset: every page is an index range scan, whatever
     * its depth. An account's page merges its debit and credit index scans.
     */
    public Flux<Transaction> page(TransactionQuery query) {
        Map<String, Object> binds = new LinkedHashMap<>();
        List<String> conditions = new ArrayList<>();
        if (query.type() != null) {
            conditions.add("type = :type");
            binds.put("type", query.type().name());
        }
        if (query.status() != null) {
            conditions.add("status = :status");
            binds.put("status", query.status().name());
        }
        if (query.currency() != null) {
            conditions.add("currency = :currency");
            binds.put("currency", query.currency());
        }
        if (query.createdFrom() != null) {
            conditions.add("created_at >= :createdFrom");
            binds.put("createdFrom", OffsetDateTime.ofInstant(query.createdFrom(), java.time.ZoneOffset.UTC));
        }
        if (query.createdTo() != null) {
            conditions.add("created_at < :createdTo");
            binds.put("createdTo", OffsetDateTime.ofInstant(query.createdTo(), java.time.ZoneOffset.UTC));
        }
        if (query.before() != null) {
            conditions.add("id < :before");
            binds.put("before", query.before());
        }
        binds.put("limit", query.limit());
        String sql;
        if (query.accountId() != null) {
            binds.put("account", query.accountId());
            String filter = conditions.stream().map(c -> " AND " + c).reduce("", String::concat);
            sql = "SELECT " + COLUMNS + " FROM ("
                    + "(SELECT * FROM transactions WHERE from_account = :account" + filter + " ORDER BY id DESC LIMIT :limit)"
                    + " UNION ALL "
                    + "(SELECT * FROM transactions WHERE to_account = :account" + filter + " ORDER BY id DESC LIMIT :limit)"
                    + ") t ORDER BY id DESC LIMIT :limit";
        } else {
            if (query.visibleTo() != null) {
                conditions.add(touchesAccountOf("t"));
                binds.put("user", query.visibleTo());
            }
            String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
            sql = "SELECT " + COLUMNS + " FROM transactions t" + where + " ORDER BY id DESC LIMIT :limit";
        }
        var spec = db.sql(sql);
        for (var bind : binds.entrySet()) {
            spec = spec.bind(bind.getKey(), bind.getValue());
        }
        return spec.map(this::transaction).all();
    }

    private static String touchesAccountOf(String alias) {
        return "EXISTS (SELECT 1 FROM accounts a WHERE a.id IN (" + alias + ".from_account, " + alias
                + ".to_account) AND a.user_id = :user)";
    }

    private LedgerOutcome outcome(Readable row) {
        LedgerOutcome.Kind kind = LedgerOutcome.Kind.valueOf(row.get("outcome", String.class));
        String rejection = row.get("rejection", String.class);
        Transaction transaction = row.get("id", UUID.class) == null ? null : transaction(row);
        return new LedgerOutcome(kind, rejection == null ? null : TransferRejection.valueOf(rejection), transaction);
    }

    /**
     * A transaction from a row that has the columns of {@link #COLUMNS} (other queries, such as the
     * event relay's, select them under the same names).
     */
    public Transaction transaction(Readable row) {
        String metadata = row.get("metadata", String.class);
        String counterparty = row.get("counterparty", String.class);
        return new Transaction(
                row.get("id", UUID.class),
                TransactionType.valueOf(row.get("type", String.class)),
                row.get("from_account", UUID.class),
                row.get("to_account", UUID.class),
                Money.ofMinor(row.get("amount_minor", Long.class), CurrencyCode.of(row.get("currency", String.class))),
                TransactionStatus.valueOf(row.get("status", String.class)),
                row.get("failure_reason", String.class),
                row.get("description", String.class),
                metadata == null ? Map.of() : json.readValue(metadata, METADATA),
                row.get("bank_id", UUID.class),
                counterparty == null ? Map.of() : json.readValue(counterparty, METADATA),
                instant(row, "created_at"),
                instant(row, "updated_at"));
    }

    static Instant instant(Readable row, String column) {
        OffsetDateTime value = row.get(column, OffsetDateTime.class);
        if (value == null) {
            throw new IllegalStateException("column " + column + " is NULL");
        }
        return value.toInstant();
    }
}
