package dev.paygate.event;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhook deliveries.
 *
 * @param pollInterval        how often due deliveries are looked for
 * @param batchMax            deliveries claimed per look
 * @param concurrencyMax      deliveries in flight at once per instance
 * @param timeout             how long one delivery may take
 * @param attemptsMax         attempts before a delivery is given up as FAILED
 * @param backoffInitial      wait before the second attempt; it doubles each time, with jitter
 * @param backoffMax          the longest wait between attempts
 * @param lease               how long a claimed delivery is reserved for the instance that took it
 * @param allowPrivateTargets whether URLs may point at loopback or private addresses (off in production)
 */
@ConfigurationProperties("paygate.webhooks")
public record WebhookProperties(
        @DefaultValue("200ms") Duration pollInterval,
        @DefaultValue("50") int batchMax,
        @DefaultValue("16") int concurrencyMax,
        @DefaultValue("5s") Duration timeout,
        @DefaultValue("8") int attemptsMax,
        @DefaultValue("1s") Duration backoffInitial,
        @DefaultValue("1h") Duration backoffMax,
        @DefaultValue("1m") Duration lease,
        @DefaultValue("true") boolean allowPrivateTargets) {

    public WebhookProperties {
        if (batchMax < 1 || concurrencyMax < 1 || attemptsMax < 1 || attemptsMax > 50) {
            throw new IllegalArgumentException("paygate.webhooks: batch-max and concurrency-max >= 1, attempts-max 1..50");
        }
        if (lease.compareTo(timeout.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("paygate.webhooks.lease must be at least twice the timeout");
        }
    }
}
