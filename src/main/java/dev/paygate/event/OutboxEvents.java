package dev.paygate.event;

import dev.paygate.ledger.Transaction;
import dev.paygate.ledger.TransactionView;
import dev.paygate.ledger.Transactions;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The outbox, read as events. A transaction event takes the transaction's unchanging fields from
 * its row, its status from the event type and its time from the outbox row, so it shows the
 * transaction exactly as it was at that change.
 */
@Repository
class OutboxEvents {

    private static final String EVENT_COLUMNS = """
            o.position, o.event_id, o.type AS event_type, o.subject, o.partition_key, o.payload::text AS payload,
            o.created_at AS event_time, o.transaction_id,
            t.id, t.type, t.from_account, t.to_account, t.amount_minor, t.currency,
            upper(substr(o.type, length('paygate.transaction.') + 1)) AS status,
            CASE WHEN o.type = 'paygate.transaction.failed' THEN t.failure_reason END AS failure_reason,
            t.description, t.metadata::text AS metadata, t.bank_id, t.counterparty::text AS counterparty,
            t.created_at, o.created_at AS updated_at,
            ARRAY(SELECT a.id FROM accounts a WHERE a.id IN (t.from_account, t.to_account)
                  AND a.kind = 'CUSTOMER' ORDER BY a.id) AS accounts""";

    /** Claimed rows stay locked until the relay's database transaction ends. */
    private static final String CLAIM = "SELECT " + EVENT_COLUMNS + """

            FROM outbox o LEFT JOIN transactions t ON t.id = o.transaction_id
            WHERE o.published_at IS NULL
            ORDER BY o.position
            LIMIT :batch
            FOR UPDATE OF o SKIP LOCKED""";

    private final DatabaseClient db;
    private final Transactions transactions;
    private final JsonMapper json;

    OutboxEvents(DatabaseClient db, Transactions transactions, JsonMapper json) {
        this.db = db;
        this.transactions = transactions;
        this.json = json;
    }

    /** One relay round may run at a time across all instances; others skip theirs. */
    Mono<Boolean> tryLeadRelayRound() {
        return db.sql("SELECT pg_try_advisory_xact_lock(7341) AS leading")
                .map(row -> Boolean.TRUE.equals(row.get("leading", Boolean.class))).one();
    }

    Flux<PaygateEvent> claimUnpublished(int batchMax) {
        return db.sql(CLAIM).bind("batch", batchMax).map(this::event).all();
    }

    Mono<Long> markPublished(List<Long> positions) {
        return db.sql("UPDATE outbox SET published_at = now() WHERE position = ANY(:positions)")
                .bind("positions", positions.toArray(Long[]::new))
                .fetch().rowsUpdated();
    }

    /** Events of an account's transactions after a position, in order: what a reconnecting client missed. */
    Flux<PaygateEvent> afterForAccount(UUID account, long after) {
        return db.sql("SELECT " + EVENT_COLUMNS + """

                        FROM transactions t JOIN outbox o ON o.transaction_id = t.id
                        WHERE (t.from_account = :account OR t.to_account = :account) AND o.position > :after
                        ORDER BY o.position""")
                .bind("account", account).bind("after", after)
                .map(this::event).all();
    }

    /** Events of one transaction after a position, in order. */
    Flux<PaygateEvent> afterForTransaction(UUID transaction, long after) {
        return db.sql("SELECT " + EVENT_COLUMNS + """

                        FROM outbox o JOIN transactions t ON t.id = o.transaction_id
                        WHERE o.transaction_id = :transaction AND o.position > :after
                        ORDER BY o.position""")
                .bind("transaction", transaction).bind("after", after)
                .map(this::event).all();
    }

    /** The latest event of a transaction: its current state, with the position a stream resumes from. */
    Mono<PaygateEvent> latestForTransaction(UUID transaction) {
        return db.sql("SELECT " + EVENT_COLUMNS + """

                        FROM outbox o JOIN transactions t ON t.id = o.transaction_id
                        WHERE o.transaction_id = :transaction
                        ORDER BY o.position DESC LIMIT 1""")
                .bind("transaction", transaction)
                .map(this::event).one();
    }

    /** Seconds since the oldest event still waiting to be published was written (0 when none waits). */
    Mono<Double> lagSeconds() {
        return db.sql("""
                        SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS lag
                        FROM outbox WHERE published_at IS NULL""")
                .map(row -> row.get("lag", Double.class)).one();
    }

    /** Deletes published events older than the cutoff, at most {@code batchMax} of them. */
    Mono<Long> deletePublishedBefore(Instant cutoff, int batchMax) {
        return db.sql("""
                        DELETE FROM outbox WHERE position IN (
                            SELECT position FROM outbox
                            WHERE published_at IS NOT NULL AND created_at < :cutoff
                            ORDER BY position LIMIT :batch)""")
                .bind("cutoff", OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC)).bind("batch", batchMax)
                .fetch().rowsUpdated();
    }

    private PaygateEvent event(Readable row) {
        UUID transactionId = row.get("transaction_id", UUID.class);
        String type = row.get("event_type", String.class);
        OffsetDateTime time = row.get("event_time", OffsetDateTime.class);
        Object data;
        List<UUID> accounts;
        String status = null;
        if (transactionId != null) {
            Transaction transaction = transactions.transaction(row);
            data = TransactionView.of(transaction);
            status = transaction.status().name();
            UUID[] touched = row.get("accounts", UUID[].class);
            accounts = touched == null ? List.of() : Arrays.asList(touched);
        } else {
            String payload = row.get("payload", String.class);
            data = payload == null ? json.createObjectNode() : json.readTree(payload);
            accounts = accountKey(row.get("partition_key", String.class));
        }
        return new PaygateEvent(row.get("position", Long.class), row.get("event_id", UUID.class), type,
                row.get("subject", String.class), time == null ? Instant.now() : time.toInstant(), accounts,
                transactionId, status, data);
    }

    /** Other events keyed by an account (compliance alerts) reach that account's webhooks too. */
    private static List<UUID> accountKey(@Nullable String partitionKey) {
        if (partitionKey == null || partitionKey.length() != 36) {
            return List.of();
        }
        try {
            return List.of(UUID.fromString(partitionKey));
        } catch (IllegalArgumentException notAnAccount) {
            return List.of();
        }
    }
}
