package dev.paygate.common;

import java.util.Currency;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An ISO 4217 currency that money can be held in, with its minor-unit exponent (USD 2, JPY 0, BHD 3).
 * Codes without a minor unit (XAU, XDR, ...) are refused: they cannot be kept as integer minor units.
 */
public record CurrencyCode(String code, int exponent) {

    private static final Map<String, CurrencyCode> KNOWN = new ConcurrentHashMap<>();

    static {
        for (Currency currency : Currency.getAvailableCurrencies()) {
            int digits = currency.getDefaultFractionDigits();
            if (digits >= 0) {
                KNOWN.put(currency.getCurrencyCode(), new CurrencyCode(currency.getCurrencyCode(), digits));
            }
        }
    }

    public CurrencyCode {
        if (code == null || !code.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("currency code must be three upper-case letters");
        }
        if (exponent < 0 || exponent > 4) {
            throw new IllegalArgumentException("minor-unit exponent out of range: " + exponent);
        }
    }

    /** The currency for a code as clients send it; upper case only, as ISO 4217 writes it. */
    public static CurrencyCode of(String code) {
        CurrencyCode known = KNOWN.get(code);
        if (known == null) {
            throw new IllegalArgumentException("unknown ISO 4217 currency: " + code.toUpperCase(Locale.ROOT));
        }
        return known;
    }

    public static boolean isKnown(String code) {
        return KNOWN.containsKey(code);
    }

    @Override
    public String toString() {
        return code;
    }
}
