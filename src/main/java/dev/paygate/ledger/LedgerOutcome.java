package dev.paygate.ledger;

import org.jspecify.annotations.Nullable;

/**
 * What the ledger did with one command.
 *
 * @param transaction the recorded row: the movement, a FAILED refusal, or the original of a replay
 */
public record LedgerOutcome(Kind kind, @Nullable TransferRejection rejection, @Nullable Transaction transaction) {

    public enum Kind {
        /** Money moved; the transaction is COMPLETED. */
        APPLIED,
        /** Refused for {@code rejection}; nothing moved (a FAILED row records it where it can). */
        REJECTED,
        /** The idempotency key was seen with the same request: this is the first outcome again. */
        REPLAYED,
        /** The idempotency key was seen with a different request. */
        KEY_REUSED,
        /** A request with this idempotency key is being applied right now. */
        IN_FLIGHT
    }
}
