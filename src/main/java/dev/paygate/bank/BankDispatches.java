package dev.paygate.bank;

import dev.paygate.common.CurrencyCode;
import dev.paygate.common.Money;
import io.r2dbc.spi.Readable;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dispatcher's work: external transfers not yet settled, each leased to the instance that
 * takes it, with where its bank call stands. Several instances may take work at once; a transfer
 * is taken by one ({@code FOR UPDATE SKIP LOCKED}) and reserved for the lease.
 */
@Repository
class BankDispatches {

    private static final TypeReference<Map<String, String>> COUNTERPARTY = new TypeReference<>() { };

    private static final String TAKE = """
            WITH due AS (
                SELECT t.id, t.bank_id, t.type, t.status, t.amount_minor, t.currency, t.from_account, t.to_account,
                       t.counterparty::text AS counterparty
                FROM transactions t LEFT JOIN bank_dispatch d ON d.transaction_id = t.id
                WHERE t.type IN ('EXTERNAL_OUTBOUND', 'EXTERNAL_INBOUND') AND t.status IN ('PENDING', 'PROCESSING')
                  AND (d.transaction_id IS NULL OR d.next_attempt_at <= now())
                ORDER BY t.id
                LIMIT :batch
                FOR UPDATE OF t SKIP LOCKED
            ), leased AS (
                INSERT INTO bank_dispatch (transaction_id, bank_id, call, next_attempt_at, deadline_at)
                -- The deadline runs from the first dispatch, not from creation: a payout that waited
                -- ON_HOLD for a reviewer gets its full time at the bank once approved.
                SELECT id, bank_id, 'NONE', now() + make_interval(secs => :lease),
                       now() + make_interval(secs => :deadline)
                FROM due
                -- The row lock on the transaction does not cover the lease: another instance may have
                -- renewed the lease since this statement's snapshot. Renew only a lease that is due.
                ON CONFLICT (transaction_id) DO UPDATE
                    SET next_attempt_at = now() + make_interval(secs => :lease), updated_at = now()
                    WHERE bank_dispatch.next_attempt_at <= now()
                RETURNING transaction_id, call, attempts, deadline_at
            )
            SELECT due.*, leased.call, leased.attempts, leased.deadline_at
            FROM due JOIN leased ON leased.transaction_id = due.id""";

    private final DatabaseClient db;
    private final JsonMapper json;

    BankDispatches(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    Flux<Work> take(int batchMax, Duration lease, Duration deadline) {
        return db.sql(TAKE).bind("batch", batchMax).bind("lease", (double) lease.toSeconds())
                .bind("deadline", (double) deadline.toSeconds())
                .map(this::work).all();
    }

    /** Records an attempt and when to look at the transfer again. */
    Mono<Long> reschedule(UUID transaction, Call call, boolean attempted, Duration retryIn, @Nullable String error,
                          @Nullable String bankReference) {
        var spec = db.sql("""
                        UPDATE bank_dispatch SET call = :call, attempts = attempts + :attempted,
                            next_attempt_at = now() + make_interval(secs => :retry), last_error = :error,
                            bank_reference = coalesce(:reference, bank_reference), updated_at = now()
                        WHERE transaction_id = :id""")
                .bind("id", transaction).bind("call", call.name()).bind("attempted", attempted ? 1 : 0)
                .bind("retry", retryIn.toMillis() / 1000.0);
        spec = error == null ? spec.bindNull("error", String.class) : spec.bind("error", error);
        spec = bankReference == null ? spec.bindNull("reference", String.class) : spec.bind("reference", bankReference);
        return spec.fetch().rowsUpdated();
    }

    /**
     * Records, before the first call leaves, that the bank may now have the transfer. Were this
     * written only after the answer, an instance killed mid-call would leave NONE behind, and the
     * next one, finding it past its deadline, would fail a payout the bank had executed.
     */
    Mono<Long> markMaybeSent(UUID transaction) {
        return db.sql("UPDATE bank_dispatch SET call = 'UNKNOWN', updated_at = now() WHERE transaction_id = :id AND call = 'NONE'")
                .bind("id", transaction).fetch().rowsUpdated();
    }

    /** Looks at the transfer again later, leaving where its bank call stands as it is. */
    Mono<Long> retryLater(UUID transaction, Duration retryIn, String error) {
        return db.sql("""
                        UPDATE bank_dispatch SET next_attempt_at = now() + make_interval(secs => :retry),
                            last_error = :error, updated_at = now()
                        WHERE transaction_id = :id""")
                .bind("id", transaction).bind("retry", retryIn.toMillis() / 1000.0).bind("error", error)
                .fetch().rowsUpdated();
    }

    /** All banks' transfers still waiting for an answer, and how many of them are past their deadline. */
    Mono<Backlog> backlog() {
        return db.sql("""
                        SELECT count(*) AS waiting, count(*) FILTER (WHERE d.deadline_at < now()) AS overdue
                        FROM transactions t LEFT JOIN bank_dispatch d ON d.transaction_id = t.id
                        WHERE t.type IN ('EXTERNAL_OUTBOUND', 'EXTERNAL_INBOUND') AND t.status IN ('PENDING', 'PROCESSING')""")
                .map(row -> new Backlog(row.get("waiting", Long.class), row.get("overdue", Long.class))).one();
    }

    record Backlog(long waiting, long overdue) {
    }

    /** Transfers of a bank still waiting for it (not those a reviewer holds). */
    Mono<Long> inFlight(UUID bank) {
        return db.sql("""
                        SELECT count(*) AS n FROM transactions
                        WHERE bank_id = :bank AND type IN ('EXTERNAL_OUTBOUND', 'EXTERNAL_INBOUND')
                          AND status IN ('PENDING', 'PROCESSING')""")
                .bind("bank", bank).map(row -> row.get("n", Long.class)).one();
    }

    private Work work(Readable row) {
        String counterparty = row.get("counterparty", String.class);
        OffsetDateTime deadline = row.get("deadline_at", OffsetDateTime.class);
        return new Work(row.get("id", UUID.class), row.get("bank_id", UUID.class),
                "EXTERNAL_OUTBOUND".equals(row.get("type", String.class)) ? "OUTBOUND" : "INBOUND",
                row.get("status", String.class),
                Money.ofMinor(row.get("amount_minor", Long.class), CurrencyCode.of(row.get("currency", String.class))),
                "EXTERNAL_OUTBOUND".equals(row.get("type", String.class))
                        ? row.get("from_account", UUID.class) : row.get("to_account", UUID.class),
                counterparty == null ? Map.of() : json.readValue(counterparty, COUNTERPARTY),
                Call.valueOf(row.get("call", String.class)), row.get("attempts", Integer.class),
                deadline == null ? Instant.now() : deadline.toInstant());
    }

    /** Where a transfer's bank call stands. */
    enum Call {
        /** Never sent: nothing can have happened at the bank. */
        NONE,
        /** Sent and answered "pending": ask again. */
        SENT,
        /** Sent without an answer (a timeout, a lost connection): the bank may or may not have executed it. */
        UNKNOWN
    }

    /** One transfer to send or settle. {@code account} is the customer side. */
    record Work(UUID transactionId, UUID bankId, String direction, String status, Money amount, UUID account,
                Map<String, String> counterparty, Call call, int attempts, Instant deadline) {
    }
}
