package dev.paygate.compliance;

import dev.paygate.common.CurrencyCode;
import dev.paygate.common.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The request and response bodies of the KYC endpoints. */
final class KycRecords {

    private KycRecords() {
    }

    record SetLevel(@Nullable String level, @Nullable String note) {
    }

    record LevelView(String userId, KycLevel level, @Nullable String note, @Nullable String updatedBy,
                     @Nullable Instant updatedAt) {
    }

    /** A user's limits in every currency they hold an account in; {@code null} means unlimited. */
    record LimitsView(String userId, KycLevel level, List<CurrencyLimitView> limits) {
    }

    record CurrencyLimitView(
            String currency,
            @Nullable String balanceMax,
            @Nullable String perTransferMax,
            @Nullable String dailyMax,
            boolean payoutsAllowed,
            String dailyUsed,
            @Nullable String dailyRemaining) {

        static CurrencyLimitView of(String currencyCode, @Nullable BigDecimal balanceMax, @Nullable BigDecimal perTransferMax,
                                    @Nullable BigDecimal dailyMax, boolean payoutsAllowed, long usedMinor) {
            CurrencyCode currency = CurrencyCode.of(currencyCode);
            String remaining = null;
            if (dailyMax != null) {
                long maxMinor = Money.parse(dailyMax.setScale(currency.exponent(), java.math.RoundingMode.DOWN), currency)
                        .amountMinor();
                remaining = Money.format(Math.max(0, maxMinor - usedMinor), currency);
            }
            return new CurrencyLimitView(currencyCode, major(balanceMax, currency), major(perTransferMax, currency),
                    major(dailyMax, currency), payoutsAllowed, Money.format(usedMinor, currency), remaining);
        }

        private static @Nullable String major(@Nullable BigDecimal amount, CurrencyCode currency) {
            return amount == null ? null
                    : amount.setScale(currency.exponent(), java.math.RoundingMode.DOWN).toPlainString();
        }
    }
}
