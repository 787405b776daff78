package dev.paygate.event;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One event as the gateway passes it around: an outbox row, rendered.
 *
 * @param position    the outbox position: the SSE event id, increasing in commit order per account
 * @param accounts    the customer accounts it concerns (a transaction's sides), the Kafka keys
 * @param data        the CloudEvent's {@code data}: the transaction as the API shows it, or the payload
 */
public record PaygateEvent(
        long position,
        UUID eventId,
        String type,
        String subject,
        Instant time,
        List<UUID> accounts,
        @Nullable UUID transactionId,
        @Nullable String transactionStatus,
        Object data) {

    public PaygateEvent {
        accounts = List.copyOf(accounts);
    }

    public boolean isTransactionEvent() {
        return transactionId != null;
    }

    /** A transaction event whose transaction has reached its outcome. */
    public boolean isTerminal() {
        return "COMPLETED".equals(transactionStatus) || "FAILED".equals(transactionStatus)
                || "REVERSED".equals(transactionStatus);
    }
}
