package dev.paygate.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Requests each client may make. A client is a token's subject; requests that carry no valid
 * token are counted by address, with a lower limit.
 *
 * @param requestsPerPeriod           requests one authenticated client may make per period
 * @param anonymousRequestsPerPeriod  requests one address may make per period without a valid token
 * @param period                      the window the counts refill in
 * @param idleEviction                how long a client's counter is kept after its last request
 */
@ConfigurationProperties("paygate.rate-limit")
public record RateLimitProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("200") int requestsPerPeriod,
        @DefaultValue("20") int anonymousRequestsPerPeriod,
        @DefaultValue("1s") Duration period,
        @DefaultValue("10m") Duration idleEviction) {

    public RateLimitProperties {
        if (requestsPerPeriod < 1 || anonymousRequestsPerPeriod < 1) {
            throw new IllegalArgumentException("paygate.rate-limit request counts must be positive");
        }
        if (period.isNegative() || period.isZero() || period.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("paygate.rate-limit.period must be within (0, 1h]");
        }
    }
}
