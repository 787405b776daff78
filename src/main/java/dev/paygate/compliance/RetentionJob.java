package dev.paygate.compliance;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deletes alert data and webhook deliveries past their retention, in bounded batches. Safe on
 * every instance at once: a row another instance deleted first is simply gone.
 */
@Component
class RetentionJob {

    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

    /** An alert that holds a transaction for review is evidence of an open case, whatever its age. */
    private static final String DELETE_ALERTS = """
            DELETE FROM compliance_alerts WHERE id IN (
                SELECT id FROM compliance_alerts
                WHERE created_at < :cutoff AND NOT (action = 'HOLD' AND status = 'OPEN')
                LIMIT :batch)""";

    private static final String DELETE_DELIVERIES = """
            DELETE FROM webhook_deliveries WHERE id IN (
                SELECT id FROM webhook_deliveries
                WHERE created_at < :cutoff AND status <> 'PENDING'
                LIMIT :batch)""";

    private final DatabaseClient db;
    private final RetentionProperties properties;

    RetentionJob(DatabaseClient db, RetentionProperties properties) {
        this.db = db;
        this.properties = properties;
    }

    @Scheduled(fixedDelayString = "${paygate.compliance.retention.interval:1h}", initialDelayString = "1m")
    Mono<Void> run() {
        return runAt(Instant.now()).then();
    }

    /** Deletes what is past its retention at {@code now}, and answers how many rows went. */
    Mono<Removed> runAt(Instant now) {
        return Mono.zip(
                        deleteAll("compliance alerts", DELETE_ALERTS, now.minus(properties.alerts()), properties.alerts()),
                        deleteAll("webhook deliveries", DELETE_DELIVERIES, now.minus(properties.webhookDeliveries()),
                                properties.webhookDeliveries()))
                .map(counts -> new Removed(counts.getT1(), counts.getT2()));
    }

    private Mono<Long> deleteAll(String what, String statement, Instant cutoff, Duration retention) {
        OffsetDateTime at = OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC);
        return deleteBatch(statement, at)
                .expand(deleted -> deleted == properties.batchMax() ? deleteBatch(statement, at) : Flux.empty())
                .reduce(0L, Long::sum)
                .doOnNext(deleted -> {
                    if (deleted > 0) {
                        log.info("Deleted {} {} older than {}", deleted, what, retention);
                    }
                });
    }

    private Mono<Long> deleteBatch(String statement, OffsetDateTime cutoff) {
        return db.sql(statement).bind("cutoff", cutoff).bind("batch", properties.batchMax()).fetch().rowsUpdated();
    }

    /** Rows deleted by one run. */
    record Removed(long alerts, long webhookDeliveries) {
    }
}
