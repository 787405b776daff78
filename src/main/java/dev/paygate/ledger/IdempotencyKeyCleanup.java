package dev.paygate.ledger;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Deletes idempotency keys past their retention, in bounded batches. Safe on every instance at
 * once: each batch deletes what it finds, and a key another instance deleted first is simply gone.
 */
@Component
class IdempotencyKeyCleanup {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyCleanup.class);

    private static final String DELETE_BATCH = """
            DELETE FROM idempotency_keys WHERE (client_id, key) IN (
                SELECT client_id, key FROM idempotency_keys WHERE created_at < :cutoff LIMIT :batch)""";

    private final DatabaseClient db;
    private final IdempotencyProperties properties;

    IdempotencyKeyCleanup(DatabaseClient db, IdempotencyProperties properties) {
        this.db = db;
        this.properties = properties;
    }

    @Scheduled(fixedDelayString = "${paygate.idempotency.cleanup-interval:15m}",
            initialDelayString = "${paygate.idempotency.cleanup-interval:15m}")
    Mono<Long> run() {
        return deleteOlderThan(Instant.now().minus(properties.retention()))
                .doOnNext(deleted -> {
                    if (deleted > 0) {
                        log.info("Deleted {} idempotency keys older than {}", deleted, properties.retention());
                    }
                });
    }

    /** Deletes keys created before the cutoff, batch after batch, and answers how many went. */
    Mono<Long> deleteOlderThan(Instant cutoff) {
        OffsetDateTime at = OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC);
        return deleteBatch(at)
                .expand(deleted -> deleted == properties.cleanupBatchMax() ? deleteBatch(at) : Mono.empty())
                .reduce(0L, Long::sum);
    }

    private Mono<Long> deleteBatch(OffsetDateTime cutoff) {
        return db.sql(DELETE_BATCH).bind("cutoff", cutoff).bind("batch", properties.cleanupBatchMax())
                .fetch().rowsUpdated();
    }
}
