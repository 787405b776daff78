package dev.paygate.bank;

import java.math.BigDecimal;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Request bodies of the external-bank endpoints, as clients send them. */
final class BankRequests {

    private BankRequests() {
    }

    record RegisterBank(@Nullable String name, @Nullable String apiUrl, @Nullable String protocol,
                        @Nullable String authMethod, @Nullable Map<String, String> credentials) {
    }

    record ExternalTransfer(@Nullable String accountId, @Nullable String direction, @Nullable BigDecimal amount,
                            @Nullable String currency, @Nullable Counterparty counterparty,
                            @Nullable String description) {
    }

    record Counterparty(@Nullable String name, @Nullable String iban, @Nullable String accountNumber) {
    }
}
