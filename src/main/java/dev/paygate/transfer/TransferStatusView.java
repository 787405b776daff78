package dev.paygate.transfer;

import dev.paygate.ledger.Transaction;
import dev.paygate.ledger.TransactionStatus;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** The short answer to "where is my transfer?". */
record TransferStatusView(UUID id, TransactionStatus status, @Nullable String failureReason, Instant updatedAt) {

    static TransferStatusView of(Transaction transaction) {
        return new TransferStatusView(transaction.id(), transaction.status(), transaction.failureReason(),
                transaction.updatedAt());
    }
}
