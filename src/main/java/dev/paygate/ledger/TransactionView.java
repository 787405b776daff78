package dev.paygate.ledger;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A transaction as the API shows it: amounts as exact decimal strings. */
public record TransactionView(
        UUID id,
        TransactionType type,
        UUID fromAccount,
        UUID toAccount,
        String amount,
        String currency,
        TransactionStatus status,
        @Nullable String failureReason,
        @Nullable String description,
        Map<String, String> metadata,
        @Nullable UUID bankId,
        @Nullable Map<String, String> counterparty,
        Instant createdAt,
        Instant updatedAt) {

    public static TransactionView of(Transaction transaction) {
        return new TransactionView(
                transaction.id(),
                transaction.type(),
                transaction.fromAccount(),
                transaction.toAccount(),
                transaction.amount().toDecimalString(),
                transaction.amount().currency().code(),
                transaction.status(),
                transaction.failureReason(),
                transaction.description(),
                transaction.metadata(),
                transaction.bankId(),
                transaction.counterparty().isEmpty() ? null : transaction.counterparty(),
                transaction.createdAt(),
                transaction.updatedAt());
    }
}
