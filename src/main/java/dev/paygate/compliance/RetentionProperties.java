package dev.paygate.compliance;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long personal data that no financial record needs is kept (idempotency keys have their own
 * setting, {@code paygate.idempotency.retention}; access log files {@code paygate.access-log.retention}).
 *
 * @param alerts            compliance alerts, counted from when they were raised; an alert still
 *                          holding a transaction for review is kept whatever its age
 * @param webhookDeliveries delivered or given-up webhook deliveries (their bodies copy transactions)
 * @param interval          how often the retention job runs
 * @param batchMax          rows deleted per statement, so that the job never holds long locks
 */
@ConfigurationProperties("paygate.compliance.retention")
public record RetentionProperties(
        @DefaultValue("1826d") Duration alerts,
        @DefaultValue("30d") Duration webhookDeliveries,
        @DefaultValue("1h") Duration interval,
        @DefaultValue("1000") int batchMax) {

    public RetentionProperties {
        if (alerts.compareTo(Duration.ofDays(1)) < 0 || webhookDeliveries.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException(
                    "paygate.compliance.retention: alerts must be kept at least 1d, webhook-deliveries at least 1h");
        }
        if (batchMax < 1) {
            throw new IllegalArgumentException("paygate.compliance.retention.batch-max must be at least 1");
        }
    }
}
