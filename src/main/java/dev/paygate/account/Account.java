package dev.paygate.account;

import dev.paygate.common.CurrencyCode;
import java.time.Instant;
import java.util.UUID;

/** A customer account, amounts in minor units of its currency. */
public record Account(
        UUID id,
        String userId,
        String name,
        CurrencyCode currency,
        long balanceMinor,
        long heldMinor,
        long overdraftLimitMinor,
        AccountStatus status,
        Instant createdAt,
        Instant updatedAt) {

    /** What can be spent now: the balance, less what is held for payouts in flight, plus the overdraft. */
    public long availableMinor() {
        return balanceMinor - heldMinor + overdraftLimitMinor;
    }
}
