package dev.paygate.ledger;

import dev.paygate.common.IdempotencyKey;
import dev.paygate.common.Money;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One movement of money asked of the ledger. A {@code null} account is the system cash account
 * of the amount's currency (the other side of deposits and withdrawals).
 *
 * @param requiredOwner when set, {@code from} must belong to this user, else the account is "not found"
 */
public record LedgerCommand(
        UUID id,
        TransactionType type,
        @Nullable UUID from,
        @Nullable UUID to,
        Money amount,
        @Nullable String description,
        Map<String, String> metadata,
        @Nullable String requiredOwner,
        String createdBy,
        @Nullable IdempotencyKey idempotencyKey) {

    public LedgerCommand {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(amount, "amount");
        metadata = Map.copyOf(metadata);
        if (!amount.isPositive()) {
            throw new IllegalArgumentException("a ledger movement must be positive: " + amount);
        }
        if (from == null && to == null) {
            throw new IllegalArgumentException("a ledger movement needs at least one customer account");
        }
    }
}
