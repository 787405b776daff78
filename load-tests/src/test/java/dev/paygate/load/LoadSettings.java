package dev.paygate.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;

import io.gatling.javaapi.core.OpenInjectionStep;
import java.net.URI;
import java.util.List;

/**
 * What every simulation is told on the command line ({@code -Dname=value}), with defaults small
 * enough for a quick look on a laptop. Load is an open arrival rate: each arrival is one new
 * client request, whether or not earlier ones were answered, so a slow gateway shows up as
 * latency instead of being hidden by clients that politely wait (coordinated omission).
 *
 * @param baseUrl              the gateway, e.g. {@code http://localhost:8080}; loopback only
 * @param ratePerSecond        arrivals per second once ramped up
 * @param durationSeconds      how long the rate is held
 * @param rampSeconds          how long the rate climbs from 1/s to {@code ratePerSecond} first
 * @param accounts             customer accounts each simulation opens for itself
 * @param accountsPerCustomer  accounts owned by one customer (one token per customer)
 * @param setupParallelism     HTTP calls in flight while setting up
 */
record LoadSettings(
        URI baseUrl,
        double ratePerSecond,
        int durationSeconds,
        int rampSeconds,
        int accounts,
        int accountsPerCustomer,
        int setupParallelism) {

    static final int ACCOUNTS_MAX = 1_000_000;
    static final int DURATION_SECONDS_MAX = 24 * 3600;

    LoadSettings {
        if (!List.of("localhost", "127.0.0.1", "[::1]").contains(baseUrl.getHost())
                && !Boolean.getBoolean("allowRemoteTarget")) {
            // Load is only ever sent to a gateway on this machine unless someone says otherwise on purpose.
            throw new IllegalArgumentException("baseUrl " + baseUrl + " is not loopback; pass -DallowRemoteTarget=true"
                    + " if you really mean to load another host");
        }
        require(ratePerSecond > 0, "rate must be > 0");
        require(durationSeconds > 0 && durationSeconds <= DURATION_SECONDS_MAX, "duration must be 1.." + DURATION_SECONDS_MAX);
        require(rampSeconds >= 0 && rampSeconds <= DURATION_SECONDS_MAX, "rampSeconds must be 0.." + DURATION_SECONDS_MAX);
        require(accounts >= 2 && accounts <= ACCOUNTS_MAX, "accounts must be 2.." + ACCOUNTS_MAX);
        require(accountsPerCustomer >= 1, "accountsPerCustomer must be >= 1");
        require(setupParallelism >= 1 && setupParallelism <= 512, "setupParallelism must be 1..512");
    }

    static LoadSettings fromSystemProperties() {
        int duration = Integer.getInteger("duration", 30);
        return new LoadSettings(
                URI.create(System.getProperty("baseUrl", "http://localhost:8080").replaceAll("/+$", "")),
                Double.parseDouble(System.getProperty("rate", "50")),
                duration,
                Integer.getInteger("rampSeconds", Math.min(10, Math.max(1, duration / 10))),
                Integer.getInteger("accounts", 10_000),
                Integer.getInteger("accountsPerCustomer", 100),
                Integer.getInteger("setupParallelism", 32));
    }

    /** Ramp up, then hold the rate: the open workload model every simulation uses by default. */
    OpenInjectionStep[] openArrivals() {
        return openArrivals(ratePerSecond);
    }

    OpenInjectionStep[] openArrivals(double rate) {
        OpenInjectionStep hold = constantUsersPerSec(rate).during(durationSeconds);
        if (rampSeconds == 0) {
            return new OpenInjectionStep[] {hold};
        }
        return new OpenInjectionStep[] {rampUsersPerSec(1).to(rate).during(rampSeconds), hold};
    }

    int totalSeconds() {
        return rampSeconds + durationSeconds;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
