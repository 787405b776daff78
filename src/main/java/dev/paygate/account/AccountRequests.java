package dev.paygate.account;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/** The request bodies of the account endpoints, exactly as clients send them (validated later). */
final class AccountRequests {

    private AccountRequests() {
    }

    record CreateAccount(@Nullable String currency, @Nullable String name, @Nullable String userId) {
    }

    record UpdateAccount(@Nullable String name, @Nullable String status, @Nullable BigDecimal overdraftLimit) {
    }

    record MoveMoney(@Nullable BigDecimal amount, @Nullable String currency, @Nullable String description) {
    }
}
