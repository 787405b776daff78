package dev.paygate.ledger;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long idempotency keys are kept, and how the cleanup job removes older ones.
 *
 * @param retention       keys younger than this are always honoured (at least 24 h)
 * @param cleanupInterval how often the cleanup job runs
 * @param cleanupBatchMax rows deleted per statement, so a large backlog never holds long locks
 */
@ConfigurationProperties("paygate.idempotency")
public record IdempotencyProperties(
        @DefaultValue("24h") Duration retention,
        @DefaultValue("15m") Duration cleanupInterval,
        @DefaultValue("10000") int cleanupBatchMax) {

    public IdempotencyProperties {
        if (retention.compareTo(Duration.ofHours(24)) < 0) {
            throw new IllegalArgumentException("paygate.idempotency.retention must be at least 24h: clients retry for a day");
        }
        if (cleanupInterval.isNegative() || cleanupInterval.isZero()) {
            throw new IllegalArgumentException("paygate.idempotency.cleanup-interval must be positive");
        }
        if (cleanupBatchMax < 1 || cleanupBatchMax > 1_000_000) {
            throw new IllegalArgumentException("paygate.idempotency.cleanup-batch-max must be 1..1000000");
        }
    }
}
