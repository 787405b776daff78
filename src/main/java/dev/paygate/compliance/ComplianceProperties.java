package dev.paygate.compliance;

import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * KYC levels and their limits, in major units of each currency ({@code 1000.00} is a thousand
 * dollars, or a thousand yen). A missing limit is unlimited.
 *
 * @param defaultLevel the level of a user nobody has set one for
 * @param levels       limits per level; levels left out get the defaults of {@link #defaults()}
 */
@ConfigurationProperties("paygate.compliance.kyc")
public record ComplianceProperties(
        @DefaultValue("FULL") KycLevel defaultLevel,
        @Nullable Map<KycLevel, LevelLimits> levels) {

    public ComplianceProperties {
        Map<KycLevel, LevelLimits> merged = new EnumMap<>(defaults());
        if (levels != null) {
            merged.putAll(levels);
        }
        levels = Map.copyOf(merged);
    }

    /** NONE: 1,000.00 held, 250.00 a transfer, 500.00 a day, no payouts; BASIC: 10,000 / 2,500 / 5,000; FULL: unlimited. */
    static Map<KycLevel, LevelLimits> defaults() {
        Map<KycLevel, LevelLimits> defaults = new EnumMap<>(KycLevel.class);
        defaults.put(KycLevel.NONE, new LevelLimits(new BigDecimal("1000.00"), new BigDecimal("250.00"),
                new BigDecimal("500.00"), false, null));
        defaults.put(KycLevel.BASIC, new LevelLimits(new BigDecimal("10000.00"), new BigDecimal("2500.00"),
                new BigDecimal("5000.00"), true, null));
        defaults.put(KycLevel.FULL, new LevelLimits(null, null, null, true, null));
        return defaults;
    }

    LevelLimits limitsOf(KycLevel level) {
        return levels.get(level);
    }

    /**
     * The limits of one level.
     *
     * @param balanceMax      the most one account may hold
     * @param perTransferMax  the most one transfer, withdrawal or payout may move
     * @param dailyMax        the most a user may send in a rolling 24 hours, per currency
     * @param payoutsAllowed  whether payouts to external banks are allowed at all
     * @param currencies      the same limits for particular currencies, where they differ
     */
    public record LevelLimits(
            @Nullable BigDecimal balanceMax,
            @Nullable BigDecimal perTransferMax,
            @Nullable BigDecimal dailyMax,
            boolean payoutsAllowed,
            @Nullable Map<String, CurrencyLimits> currencies) {

        public LevelLimits {
            requireNonNegative("balance-max", balanceMax);
            requireNonNegative("per-transfer-max", perTransferMax);
            requireNonNegative("daily-max", dailyMax);
            currencies = currencies == null ? Map.of() : Map.copyOf(currencies);
        }

        CurrencyLimits in(String currency) {
            CurrencyLimits special = currencies.get(currency);
            return special != null ? special : new CurrencyLimits(balanceMax, perTransferMax, dailyMax);
        }
    }

    /** Limits of a level in one currency. */
    public record CurrencyLimits(@Nullable BigDecimal balanceMax, @Nullable BigDecimal perTransferMax,
                                 @Nullable BigDecimal dailyMax) {

        public CurrencyLimits {
            requireNonNegative("balance-max", balanceMax);
            requireNonNegative("per-transfer-max", perTransferMax);
            requireNonNegative("daily-max", dailyMax);
        }
    }

    private static void requireNonNegative(String name, @Nullable BigDecimal value) {
        if (value != null && value.signum() < 0) {
            throw new IllegalArgumentException("paygate.compliance.kyc limit " + name + " must not be negative");
        }
    }
}
