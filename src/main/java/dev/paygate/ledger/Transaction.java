package dev.paygate.ledger;

import dev.paygate.common.Money;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One row of the ledger: a movement of {@code amount} from one account to another, and its state. */
public record Transaction(
        UUID id,
        TransactionType type,
        UUID fromAccount,
        UUID toAccount,
        Money amount,
        TransactionStatus status,
        @Nullable String failureReason,
        @Nullable String description,
        Map<String, String> metadata,
        @Nullable UUID bankId,
        Map<String, String> counterparty,
        Instant createdAt,
        Instant updatedAt) {
}
