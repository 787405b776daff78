package dev.paygate.event;

import dev.paygate.common.Ids;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Webhooks and their deliveries. */
@Repository
class Webhooks {

    private static final String COLUMNS = "id, owner, all_accounts, url, event_types, description, active, created_at";

    /** Which active webhooks may see an event: subscribed to its type, owner of one of its accounts (or seeing all). */
    private static final String SUBSCRIBED = """
            w.active AND (e.event_type = ANY(w.event_types) OR '*' = ANY(w.event_types))
            AND (w.all_accounts OR EXISTS (
                SELECT 1 FROM accounts a
                WHERE a.user_id = w.owner AND a.id::text = ANY(string_to_array(e.accounts, ','))))""";

    /** The positions (from 1) of the events of a batch that some webhook is owed. */
    private static final String OWED = """
            SELECT e.ord FROM unnest(:types::text[], :accounts::text[]) WITH ORDINALITY AS e(event_type, accounts, ord)
            WHERE EXISTS (SELECT 1 FROM webhooks w WHERE\s""" + SUBSCRIBED + ")";

    /** The deliveries owed for a batch of events, in one statement. */
    private static final String ENQUEUE = """
            INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, body)
            SELECT uuid_v7(), w.id, e.event_id, e.event_type, e.body
            FROM unnest(:eventIds::uuid[], :types::text[], :bodies::text[], :accounts::text[])
                 AS e(event_id, event_type, body, accounts)
            JOIN webhooks w ON\s""" + SUBSCRIBED + """

            ON CONFLICT (webhook_id, event_id) DO NOTHING""";

    private final DatabaseClient db;

    Webhooks(DatabaseClient db) {
        this.db = db;
    }

    Mono<WebhookView> create(String owner, boolean allAccounts, String url, List<String> eventTypes,
                             @Nullable String description, String secret) {
        var spec = db.sql("INSERT INTO webhooks (id, owner, all_accounts, url, event_types, secret, description) "
                        + "VALUES (:id, :owner, :all, :url, :types, :secret, :description) RETURNING " + COLUMNS)
                .bind("id", Ids.next()).bind("owner", owner).bind("all", allAccounts).bind("url", url)
                .bind("types", eventTypes.toArray(String[]::new)).bind("secret", secret);
        spec = description == null ? spec.bindNull("description", String.class) : spec.bind("description", description);
        return spec.map(Webhooks::webhook).one();
    }

    /** The webhook, if {@code owner} (null: any) owns it. */
    Mono<WebhookView> find(UUID id, @Nullable String owner) {
        var spec = db.sql("SELECT " + COLUMNS + " FROM webhooks WHERE id = :id" + (owner == null ? "" : " AND owner = :owner"))
                .bind("id", id);
        if (owner != null) {
            spec = spec.bind("owner", owner);
        }
        return spec.map(Webhooks::webhook).one();
    }

    Flux<WebhookView> list(@Nullable String owner) {
        var spec = db.sql("SELECT " + COLUMNS + " FROM webhooks WHERE active"
                + (owner == null ? "" : " AND owner = :owner") + " ORDER BY id");
        if (owner != null) {
            spec = spec.bind("owner", owner);
        }
        return spec.map(Webhooks::webhook).all();
    }

    Mono<Long> deactivate(UUID id) {
        return db.sql("UPDATE webhooks SET active = false WHERE id = :id AND active").bind("id", id)
                .fetch().rowsUpdated();
    }

    Mono<Long> enqueue(List<PaygateEvent> events, CloudEvents cloudEvents) {
        String[] types = events.stream().map(PaygateEvent::type).toArray(String[]::new);
        String[] accounts = events.stream()
                .map(event -> String.join(",", event.accounts().stream().map(UUID::toString).toList()))
                .toArray(String[]::new);
        // Most events are owed to no webhook. Asking which are first spares serialising every event
        // into a body and sending them all to the database for nothing. A webhook committed between
        // the two statements raced the events either way, as it would against one statement's snapshot.
        return db.sql(OWED).bind("types", types).bind("accounts", accounts)
                .map(row -> row.get(0, Long.class).intValue() - 1).all().collectList()
                .flatMap(owed -> owed.isEmpty() ? Mono.just(0L) : insertDeliveries(events, types, accounts, owed, cloudEvents));
    }

    /** The deliveries of the events at the {@code owed} positions (from 0) of the batch. */
    private Mono<Long> insertDeliveries(List<PaygateEvent> events, String[] types, String[] accounts, List<Integer> owed,
                                        CloudEvents cloudEvents) {
        UUID[] owedIds = new UUID[owed.size()];
        String[] owedTypes = new String[owed.size()];
        String[] owedBodies = new String[owed.size()];
        String[] owedAccounts = new String[owed.size()];
        for (int i = 0; i < owed.size(); i++) {
            int position = owed.get(i);
            owedIds[i] = events.get(position).eventId();
            owedTypes[i] = types[position];
            owedBodies[i] = cloudEvents.toText(events.get(position));
            owedAccounts[i] = accounts[position];
        }
        return db.sql(ENQUEUE).bind("eventIds", owedIds).bind("types", owedTypes).bind("bodies", owedBodies)
                .bind("accounts", owedAccounts).fetch().rowsUpdated();
    }

    /** Due deliveries, reserved for this instance for the lease so no other instance sends them meanwhile. */
    Flux<Due> claimDue(int batchMax, java.time.Duration lease) {
        return db.sql("""
                        UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => :lease)
                        FROM webhooks w
                        WHERE w.id = d.webhook_id AND d.id IN (
                            SELECT id FROM webhook_deliveries
                            WHERE status = 'PENDING' AND next_attempt_at <= now()
                            ORDER BY next_attempt_at LIMIT :batch
                            FOR UPDATE SKIP LOCKED)
                        RETURNING d.id, d.webhook_id, d.body, d.attempts, w.url, w.secret, w.active""")
                .bind("lease", (double) lease.toSeconds()).bind("batch", batchMax)
                .map(row -> new Due(row.get("id", UUID.class), row.get("webhook_id", UUID.class),
                        row.get("body", String.class), row.get("attempts", Integer.class), row.get("url", String.class),
                        row.get("secret", String.class), Boolean.TRUE.equals(row.get("active", Boolean.class))))
                .all();
    }

    Mono<Long> recordAttempt(UUID delivery, @Nullable Integer statusCode, @Nullable String error, long durationMs,
                             boolean delivered, boolean givenUp, java.time.Duration retryIn) {
        var spec = db.sql("""
                        UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = :code,
                            last_error = :error, last_duration_ms = :duration,
                            status = CASE WHEN :delivered THEN 'DELIVERED' WHEN :givenUp THEN 'FAILED' ELSE 'PENDING' END,
                            delivered_at = CASE WHEN :delivered THEN now() END,
                            next_attempt_at = now() + make_interval(secs => :retry)
                        WHERE id = :id""")
                .bind("id", delivery).bind("duration", (int) Math.min(durationMs, Integer.MAX_VALUE))
                .bind("delivered", delivered).bind("givenUp", givenUp).bind("retry", retryIn.toMillis() / 1000.0);
        spec = statusCode == null ? spec.bindNull("code", Integer.class) : spec.bind("code", statusCode);
        spec = error == null ? spec.bindNull("error", String.class) : spec.bind("error", error);
        return spec.fetch().rowsUpdated();
    }

    Flux<DeliveryView> deliveries(UUID webhook, @Nullable UUID before, int limit) {
        var spec = db.sql("""
                        SELECT id, event_id, event_type, status, attempts, last_status_code, last_error,
                               last_duration_ms, created_at, delivered_at, next_attempt_at
                        FROM webhook_deliveries WHERE webhook_id = :webhook"""
                        + (before == null ? "" : " AND id < :before") + " ORDER BY id DESC LIMIT :limit")
                .bind("webhook", webhook).bind("limit", limit);
        if (before != null) {
            spec = spec.bind("before", before);
        }
        return spec.map(row -> new DeliveryView(row.get("id", UUID.class), row.get("event_id", UUID.class),
                row.get("event_type", String.class), row.get("status", String.class), row.get("attempts", Integer.class),
                row.get("last_status_code", Integer.class), row.get("last_error", String.class),
                row.get("last_duration_ms", Integer.class), instant(row, "created_at"), instant(row, "delivered_at"),
                instant(row, "next_attempt_at"))).all();
    }

    private static WebhookView webhook(Readable row) {
        String[] types = row.get("event_types", String[].class);
        return new WebhookView(row.get("id", UUID.class), row.get("owner", String.class),
                Boolean.TRUE.equals(row.get("all_accounts", Boolean.class)), row.get("url", String.class),
                types == null ? List.of() : Arrays.asList(types), row.get("description", String.class),
                Boolean.TRUE.equals(row.get("active", Boolean.class)), instant(row, "created_at"), null);
    }

    private static @Nullable Instant instant(Readable row, String column) {
        OffsetDateTime value = row.get(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** A delivery to make now. */
    record Due(UUID id, UUID webhookId, String body, int attempts, String url, String secret, boolean active) {
    }

    /** A webhook as the API shows it; the secret only once, at creation. */
    record WebhookView(UUID id, String owner, boolean allAccounts, String url, List<String> eventTypes,
                       @Nullable String description, boolean active, @Nullable Instant createdAt,
                       @Nullable String secret) {

        WebhookView withSecret(String secret) {
            return new WebhookView(id, owner, allAccounts, url, eventTypes, description, active, createdAt, secret);
        }
    }

    /** One delivery with its latest attempt. */
    record DeliveryView(UUID id, UUID eventId, String eventType, String status, int attempts,
                        @Nullable Integer lastStatusCode, @Nullable String lastError, @Nullable Integer lastDurationMs,
                        @Nullable Instant createdAt, @Nullable Instant deliveredAt, @Nullable Instant nextAttemptAt) {
    }

}
