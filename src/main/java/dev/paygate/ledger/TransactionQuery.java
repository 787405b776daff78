package dev.paygate.ledger;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A filter over the ledger's history, newest first.
 *
 * @param before    keyset cursor: only transactions with an id below this one
 * @param visibleTo when set, only transactions touching an account this user owns
 */
public record TransactionQuery(
        @Nullable UUID accountId,
        @Nullable TransactionType type,
        @Nullable TransactionStatus status,
        @Nullable String currency,
        @Nullable Instant createdFrom,
        @Nullable Instant createdTo,
        @Nullable UUID before,
        int limit,
        @Nullable String visibleTo) {
}
