package dev.paygate.account;

import dev.paygate.common.Money;
import java.time.Instant;
import java.util.UUID;

/** An account's balance at one instant. */
record BalanceView(UUID accountId, String currency, String balance, String available, String held, Instant asOf) {

    static BalanceView of(Account account, Instant asOf) {
        return new BalanceView(account.id(), account.currency().code(),
                Money.format(account.balanceMinor(), account.currency()),
                Money.format(account.availableMinor(), account.currency()),
                Money.format(account.heldMinor(), account.currency()),
                asOf);
    }
}
