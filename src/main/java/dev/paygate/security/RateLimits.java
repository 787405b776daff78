package dev.paygate.security;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * One resilience4j rate limiter per client, made on first use and dropped when idle, so that a
 * stream of new clients cannot grow memory without bound.
 */
@Component
class RateLimits {

    private final RateLimitProperties properties;
    private final Map<String, Entry> limiters = new ConcurrentHashMap<>();
    private final RateLimiterConfig authenticated;
    private final RateLimiterConfig anonymous;
    private final Counter rejections;

    RateLimits(RateLimitProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.authenticated = config(properties.requestsPerPeriod(), properties.period());
        this.anonymous = config(properties.anonymousRequestsPerPeriod(), properties.period());
        this.rejections = Counter.builder("paygate.rate_limit.rejections")
                .description("Requests refused with 429 because their client was over its limit")
                .register(meters);
    }

    /** Takes a permit for the client; false means the client is over its limit. */
    boolean tryAcquire(String client, boolean isAuthenticated) {
        if (!properties.enabled()) {
            return true;
        }
        String key = (isAuthenticated ? "sub:" : "ip:") + client;
        Entry entry = limiters.computeIfAbsent(key, k -> new Entry(RateLimiter.of(k, isAuthenticated ? authenticated : anonymous)));
        entry.lastUsedNanos = System.nanoTime();
        boolean permitted = entry.limiter.acquirePermission();
        if (!permitted) {
            rejections.increment();
        }
        return permitted;
    }

    /** Seconds until the client's limit refills, for {@code Retry-After}. */
    long retryAfterSeconds() {
        return Math.max(1, (properties.period().toMillis() + 999) / 1000);
    }

    @Scheduled(fixedDelayString = "${paygate.rate-limit.idle-eviction:10m}")
    void evictIdle() {
        long cutoff = System.nanoTime() - properties.idleEviction().toNanos();
        limiters.values().removeIf(entry -> entry.lastUsedNanos < cutoff);
    }

    int clientsTracked() {
        return limiters.size();
    }

    private static RateLimiterConfig config(int permits, Duration period) {
        return RateLimiterConfig.custom()
                .limitForPeriod(permits)
                .limitRefreshPeriod(period)
                .timeoutDuration(Duration.ZERO)
                .build();
    }

    private static final class Entry {
        private final RateLimiter limiter;
        private volatile long lastUsedNanos;

        Entry(RateLimiter limiter) {
            this.limiter = limiter;
        }
    }
}
