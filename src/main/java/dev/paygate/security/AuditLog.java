package dev.paygate.security;

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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The append-only audit log (a trigger refuses UPDATE, DELETE and TRUNCATE). Money movements and
 * account changes write their rows in their own statements, in the same database transaction;
 * this repository writes the rest (refused access) and reads the log.
 */
@Repository
class AuditLog {

    private final DatabaseClient db;
    private final JsonMapper json;

    AuditLog(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    Mono<Void> record(String actor, String action, String resource, String outcome,
                      @Nullable String clientIp, @Nullable String traceId) {
        var spec = db.sql("""
                        INSERT INTO audit_log (id, actor, action, resource, outcome, client_ip, trace_id)
                        VALUES (:id, :actor, :action, :resource, :outcome, :ip, :trace)""")
                .bind("id", Ids.next())
                .bind("actor", actor)
                .bind("action", action)
                .bind("resource", resource)
                .bind("outcome", outcome);
        spec = clientIp == null ? spec.bindNull("ip", String.class) : spec.bind("ip", clientIp);
        spec = traceId == null ? spec.bindNull("trace", String.class) : spec.bind("trace", traceId);
        return spec.then();
    }

    /** Newest first, by keyset. */
    Flux<AuditEvent> page(@Nullable UUID before, @Nullable String actor, int limit) {
        StringBuilder sql = new StringBuilder("""
                SELECT id, actor, action, resource, outcome, details::text AS details, client_ip, trace_id, occurred_at
                FROM audit_log WHERE true""");
        if (before != null) {
            sql.append(" AND id < :before");
        }
        if (actor != null) {
            sql.append(" AND actor = :actor");
        }
        sql.append(" ORDER BY id DESC LIMIT :limit");
        var spec = db.sql(sql.toString()).bind("limit", limit);
        if (before != null) {
            spec = spec.bind("before", before);
        }
        if (actor != null) {
            spec = spec.bind("actor", actor);
        }
        return spec.map(this::event).all();
    }

    private AuditEvent event(Readable row) {
        OffsetDateTime at = row.get("occurred_at", OffsetDateTime.class);
        String details = row.get("details", String.class);
        return new AuditEvent(row.get("id", UUID.class), row.get("actor", String.class), row.get("action", String.class),
                row.get("resource", String.class), row.get("outcome", String.class),
                details == null ? null : json.readTree(details),
                row.get("client_ip", String.class), row.get("trace_id", String.class),
                at == null ? Instant.EPOCH : at.toInstant());
    }

    /** One audit row as the API shows it. */
    record AuditEvent(UUID id, String actor, String action, String resource, String outcome,
                      @Nullable JsonNode details, @Nullable String clientIp, @Nullable String traceId, Instant occurredAt) {
    }
}
