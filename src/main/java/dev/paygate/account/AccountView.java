package dev.paygate.account;

import dev.paygate.common.Money;
import java.time.Instant;
import java.util.UUID;

/** An account as the API shows it. */
record AccountView(
        UUID id,
        String userId,
        String name,
        String currency,
        String balance,
        String available,
        String held,
        String overdraftLimit,
        AccountStatus status,
        Instant createdAt,
        Instant updatedAt) {

    static AccountView of(Account account) {
        return new AccountView(
                account.id(),
                account.userId(),
                account.name(),
                account.currency().code(),
                Money.format(account.balanceMinor(), account.currency()),
                Money.format(account.availableMinor(), account.currency()),
                Money.format(account.heldMinor(), account.currency()),
                Money.format(account.overdraftLimitMinor(), account.currency()),
                account.status(),
                account.createdAt(),
                account.updatedAt());
    }
}
