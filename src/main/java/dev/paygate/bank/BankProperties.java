package dev.paygate.bank;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * External banks: how credentials are kept, how transfers are dispatched, how calls are guarded.
 *
 * @param credentialsKey     base64 AES-256 key that encrypts bank credentials at rest (required in production)
 * @param credentialsKeyFile where the embedded default keeps a generated key when none is given
 * @param dispatch           the worker that sends transfers and settles them
 * @param resilience         the per-bank circuit breaker, time limit and bulkhead
 */
@ConfigurationProperties("paygate.banks")
public record BankProperties(
        @Nullable String credentialsKey,
        @DefaultValue("./data/bank-credentials.key") Path credentialsKeyFile,
        @DefaultValue Dispatch dispatch,
        @DefaultValue Resilience resilience) {

    /**
     * @param pollInterval   how often the worker looks for transfers to send or settle
     * @param batchMax       transfers taken per look
     * @param concurrencyMax bank calls in flight at once per instance
     * @param lease          how long a taken transfer is reserved for the instance that took it
     * @param deadline       the longest a transfer may take to reach COMPLETED or FAILED
     * @param backoffInitial wait before the first retry; it doubles each time, with jitter
     * @param backoffMax     the longest wait between tries
     * @param attemptsMax    bank calls per transfer before Paygate gives up on it (as at the deadline)
     * @param unansweredHoldMax how long past its deadline a payout the bank may have executed keeps its
     *                       money held while the bank does not answer; then it fails, and reconciliation
     *                       shows it if the bank had executed it
     */
    public record Dispatch(
            @DefaultValue("200ms") Duration pollInterval,
            @DefaultValue("50") int batchMax,
            @DefaultValue("32") int concurrencyMax,
            @DefaultValue("30s") Duration lease,
            @DefaultValue("2m") Duration deadline,
            @DefaultValue("500ms") Duration backoffInitial,
            @DefaultValue("10s") Duration backoffMax,
            @DefaultValue("20") int attemptsMax,
            @DefaultValue("24h") Duration unansweredHoldMax) {

        public Dispatch {
            if (batchMax < 1 || concurrencyMax < 1 || attemptsMax < 1) {
                throw new IllegalArgumentException(
                        "paygate.banks.dispatch batch-max, concurrency-max and attempts-max must be >= 1");
            }
            if (deadline.compareTo(backoffMax.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("paygate.banks.dispatch.deadline must allow a few retries");
            }
        }
    }

    /**
     * @param callTimeout            a bank call without an answer by then is an unknown outcome
     * @param slowCall               calls slower than this count as slow
     * @param failureRateThreshold   percent of failed calls that opens the circuit
     * @param slowCallRateThreshold  percent of slow calls that opens the circuit
     * @param windowSize             calls the rates are measured over
     * @param minimumCalls           calls before the rates count
     * @param waitInOpen             how long an open circuit waits before it tries again
     * @param halfOpenCalls          trial calls when it tries again
     * @param concurrentCallsMax     calls to one bank in flight at once (bulkhead)
     */
    public record Resilience(
            @DefaultValue("2s") Duration callTimeout,
            @DefaultValue("1s") Duration slowCall,
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("80") float slowCallRateThreshold,
            @DefaultValue("20") int windowSize,
            @DefaultValue("10") int minimumCalls,
            @DefaultValue("10s") Duration waitInOpen,
            @DefaultValue("3") int halfOpenCalls,
            @DefaultValue("16") int concurrentCallsMax) {
    }
}
