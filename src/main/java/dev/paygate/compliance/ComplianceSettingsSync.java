package dev.paygate.compliance;

import dev.paygate.common.CurrencyCode;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Currency;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Writes the configured KYC limits, the default level and the currencies' minor-unit exponents
 * into the database right after the migrations, before the gateway takes a request, so that
 * {@code ledger_apply} checks exactly what is configured. Every instance writes the same rows.
 */
@Component
class ComplianceSettingsSync implements Callback {

    private final ComplianceProperties properties;

    ComplianceSettingsSync(ComplianceProperties properties) {
        this.properties = properties;
    }

    @Override
    public boolean supports(Event event, @Nullable Context context) {
        return event == Event.AFTER_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, @Nullable Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        try {
            Connection connection = context.getConnection();
            writeExponents(connection);
            writeLimits(connection);
            try (PreparedStatement level = connection.prepareStatement(
                    "UPDATE compliance_settings SET default_kyc_level = ?")) {
                level.setString(1, properties.defaultLevel().name());
                level.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not write the compliance settings", e);
        }
    }

    @Override
    public String getCallbackName() {
        return "paygate-compliance-settings";
    }

    private static void writeExponents(Connection connection) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("""
                INSERT INTO currency_exponents (code, exponent) VALUES (?, ?)
                ON CONFLICT (code) DO UPDATE SET exponent = EXCLUDED.exponent""")) {
            for (Currency currency : Currency.getAvailableCurrencies()) {
                if (CurrencyCode.isKnown(currency.getCurrencyCode())) {
                    upsert.setString(1, currency.getCurrencyCode());
                    upsert.setInt(2, CurrencyCode.of(currency.getCurrencyCode()).exponent());
                    upsert.addBatch();
                }
            }
            upsert.executeBatch();
        }
    }

    private void writeLimits(Connection connection) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("""
                INSERT INTO kyc_limits (level, currency, balance_max, per_transfer_max, daily_max, payouts_allowed)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (level, currency) DO UPDATE SET balance_max = EXCLUDED.balance_max,
                    per_transfer_max = EXCLUDED.per_transfer_max, daily_max = EXCLUDED.daily_max,
                    payouts_allowed = EXCLUDED.payouts_allowed""")) {
            for (KycLevel level : KycLevel.values()) {
                ComplianceProperties.LevelLimits limits = properties.limitsOf(level);
                for (Currency currency : Currency.getAvailableCurrencies()) {
                    String code = currency.getCurrencyCode();
                    if (!CurrencyCode.isKnown(code)) {
                        continue;
                    }
                    ComplianceProperties.CurrencyLimits inCurrency = limits.in(code);
                    upsert.setString(1, level.name());
                    upsert.setString(2, code);
                    setAmount(upsert, 3, inCurrency.balanceMax());
                    setAmount(upsert, 4, inCurrency.perTransferMax());
                    setAmount(upsert, 5, inCurrency.dailyMax());
                    upsert.setBoolean(6, limits.payoutsAllowed());
                    upsert.addBatch();
                }
            }
            upsert.executeBatch();
        }
    }

    private static void setAmount(PreparedStatement statement, int index, @Nullable BigDecimal amount) throws SQLException {
        if (amount == null) {
            statement.setNull(index, Types.NUMERIC);
        } else {
            statement.setBigDecimal(index, amount);
        }
    }
}
