package dev.paygate.sandbox;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The built-in sandbox bank.
 *
 * @param enabled        serve it and register it as a bank (on in the embedded default, off with {@code prod})
 * @param stall          how long a "time out" fault keeps a call waiting (longer than the call timeout)
 * @param faults         the fault knobs a sandbox bank starts with
 * @param replayWindow   how old a signed request may be; a signature seen before within it is a replay
 */
@ConfigurationProperties("paygate.sandbox")
public record SandboxProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("5s") Duration stall,
        @DefaultValue Faults faults,
        @DefaultValue("5m") Duration replayWindow) {

    /** Shares of calls (0 to 1) and a latency; a seed makes a run repeatable. */
    public record Faults(
            @DefaultValue("0") int latencyMs,
            @DefaultValue("0") double errorRate,
            @DefaultValue("0") double timeoutRate,
            @DefaultValue("0") double executeThenTimeoutRate,
            @DefaultValue("0") double refuseRate,
            @DefaultValue("42") long seed) {
    }
}
