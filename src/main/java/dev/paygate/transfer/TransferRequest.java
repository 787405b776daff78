package dev.paygate.transfer;

import java.math.BigDecimal;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The body of {@code POST /transfers}, as the client sent it. */
record TransferRequest(
        @Nullable String fromAccount,
        @Nullable String toAccount,
        @Nullable BigDecimal amount,
        @Nullable String currency,
        @Nullable String description,
        @Nullable Map<String, String> metadata) {
}
