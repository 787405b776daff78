package dev.paygate.ledger;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a transaction: {@code PENDING -> PROCESSING -> COMPLETED | FAILED}, {@code ON_HOLD}
 * while compliance reviews it, {@code REVERSED} for a completed one undone. A change of state is
 * one conditional UPDATE naming the expected old state, so two workers can never both move it.
 */
public enum TransactionStatus {
    PENDING, ON_HOLD, PROCESSING, COMPLETED, FAILED, REVERSED;

    public Set<TransactionStatus> next() {
        return switch (this) {
            case PENDING -> EnumSet.of(PROCESSING, ON_HOLD, FAILED);
            case ON_HOLD -> EnumSet.of(PENDING, PROCESSING, COMPLETED, FAILED);
            case PROCESSING -> EnumSet.of(COMPLETED, FAILED);
            case COMPLETED -> EnumSet.of(REVERSED);
            case FAILED, REVERSED -> EnumSet.noneOf(TransactionStatus.class);
        };
    }

    public boolean canBecome(TransactionStatus target) {
        return next().contains(target);
    }

    /** Settled: the outcome is known. Only a reversal can follow a completed transaction. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == REVERSED;
    }
}
