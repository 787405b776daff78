package dev.paygate.compliance;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.paygate.common.Actor;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Compliance alerts, and the review decisions that settle transactions held for them. */
@Repository
class Alerts {

    private final DatabaseClient db;
    private final JsonMapper json;

    Alerts(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    /** Newest first, by keyset. */
    Flux<AlertView> page(@Nullable String status, @Nullable String rule, @Nullable UUID accountId,
                         @Nullable UUID before, int limit) {
        StringBuilder sql = new StringBuilder("""
                SELECT id, rule_id, action, status, transaction_id, account_id, user_id, details::text AS details,
                       created_at, resolved_at, resolved_by, resolution
                FROM compliance_alerts WHERE true""");
        if (status != null) {
            sql.append(" AND status = :status");
        }
        if (rule != null) {
            sql.append(" AND rule_id = :rule");
        }
        if (accountId != null) {
            sql.append(" AND account_id = :account");
        }
        if (before != null) {
            sql.append(" AND id < :before");
        }
        sql.append(" ORDER BY id DESC LIMIT :limit");
        var spec = db.sql(sql.toString()).bind("limit", limit);
        if (status != null) {
            spec = spec.bind("status", status);
        }
        if (rule != null) {
            spec = spec.bind("rule", rule);
        }
        if (accountId != null) {
            spec = spec.bind("account", accountId);
        }
        if (before != null) {
            spec = spec.bind("before", before);
        }
        return spec.map(this::alert).all();
    }

    /** Approves or rejects a held transaction; empty when it was not on hold. */
    Mono<UUID> review(UUID transactionId, boolean approve, @Nullable String reason, Actor actor) {
        var spec = db.sql("SELECT id FROM compliance_review(:id, :approve, :reason, :actor, :ip, :trace)")
                .bind("id", transactionId).bind("approve", approve).bind("actor", actor.userId());
        spec = reason == null ? spec.bindNull("reason", String.class) : spec.bind("reason", reason);
        spec = actor.bindAddressAndTrace(spec);
        return spec.map(row -> row.get("id", UUID.class)).one();
    }

    private AlertView alert(Readable row) {
        OffsetDateTime resolved = row.get("resolved_at", OffsetDateTime.class);
        OffsetDateTime created = row.get("created_at", OffsetDateTime.class);
        return new AlertView(row.get("id", UUID.class), row.get("rule_id", String.class), row.get("action", String.class),
                row.get("status", String.class), row.get("transaction_id", UUID.class), row.get("account_id", UUID.class),
                row.get("user_id", String.class), json.readTree(row.get("details", String.class)),
                created == null ? Instant.EPOCH : created.toInstant(), resolved == null ? null : resolved.toInstant(),
                row.get("resolved_by", String.class), row.get("resolution", String.class));
    }

    /** An alert as the API shows it. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record AlertView(UUID id, String rule, String action, String status, UUID transactionId, UUID accountId,
                     @Nullable String userId, JsonNode details, Instant createdAt, @Nullable Instant resolvedAt,
                     @Nullable String resolvedBy, @Nullable String resolution) {
    }
}
