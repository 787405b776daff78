package dev.paygate.common;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * An exact amount of one currency, kept as a count of minor units (cents for USD).
 * It is made only from text or numbers that it can represent exactly; an over-precise,
 * overflowing or unknown-currency amount never becomes a {@code Money}.
 */
public record Money(long amountMinor, CurrencyCode currency) {

    /** Digits left of the decimal point that a {@code long} count of minor units can ever hold. */
    private static final int INTEGER_DIGITS_MAX = 19;

    public Money {
        Objects.requireNonNull(currency, "currency");
    }

    public static Money ofMinor(long amountMinor, CurrencyCode currency) {
        return new Money(amountMinor, currency);
    }

    /**
     * Parses a decimal amount exactly. {@code 10.5}, {@code "10.50"} and {@code "10.500"} are all
     * ten dollars fifty; {@code "10.505"} is refused for USD because it is not a whole number of cents.
     */
    public static Money parse(BigDecimal amount, CurrencyCode currency) {
        Objects.requireNonNull(amount, "amount");
        // Check the size before any arithmetic: 1E+999999999 must not be expanded into a billion digits.
        if (amount.signum() != 0 && amount.precision() - amount.scale() > INTEGER_DIGITS_MAX) {
            throw new IllegalArgumentException("amount is too large");
        }
        BigDecimal minor = amount.movePointRight(currency.exponent());
        BigInteger whole;
        try {
            whole = minor.toBigIntegerExact();
        } catch (ArithmeticException notWhole) {
            throw new IllegalArgumentException(
                    "amount has more decimal places than " + currency.code() + " allows (" + currency.exponent() + ")");
        }
        if (whole.bitLength() > 63) {
            throw new IllegalArgumentException("amount is too large");
        }
        return new Money(whole.longValue(), currency);
    }

    /** Parses text such as {@code "100.00"}; see {@link #parse(BigDecimal, CurrencyCode)}. */
    public static Money parse(String amount, CurrencyCode currency) {
        Objects.requireNonNull(amount, "amount");
        if (amount.isEmpty() || amount.length() > 64 || !amount.matches("-?[0-9]+(\\.[0-9]+)?")) {
            throw new IllegalArgumentException("amount must be a decimal number such as \"100.00\"");
        }
        return parse(new BigDecimal(amount), currency);
    }

    public boolean isPositive() {
        return amountMinor > 0;
    }

    /** The amount as a plain decimal string with exactly the currency's minor-unit digits: {@code "100.00"}. */
    public String toDecimalString() {
        return BigDecimal.valueOf(amountMinor, currency.exponent()).toPlainString();
    }

    /** Formats a minor-unit count of a currency without building a {@code Money}. */
    public static String format(long amountMinor, CurrencyCode currency) {
        return BigDecimal.valueOf(amountMinor, currency.exponent()).toPlainString();
    }

    @Override
    public String toString() {
        return toDecimalString() + " " + currency.code();
    }
}
