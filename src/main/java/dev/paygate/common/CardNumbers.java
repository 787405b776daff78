package dev.paygate.common;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Paygate never stores card data (PCI DSS): free text that holds a primary account number, 13 to
 * 19 digits passing the Luhn check, possibly grouped by spaces or dashes, is refused.
 */
public final class CardNumbers {

    /** 13 to 19 digits, optionally grouped, not part of a longer number. */
    private static final Pattern DIGIT_RUN = Pattern.compile("(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d])");

    private CardNumbers() {
    }

    /** An error message when the text holds a card number, else {@code null}. */
    public static @Nullable String complaint(String text) {
        return containsCardNumber(text) ? "must not contain a card number" : null;
    }

    public static boolean containsCardNumber(String text) {
        Matcher run = DIGIT_RUN.matcher(text);
        while (run.find()) {
            String digits = run.group().replaceAll("[ -]", "");
            if (luhnValid(digits, 0, digits.length())) {
                return true;
            }
        }
        return false;
    }

    /**
     * For identifiers such as a token's subject, where dashes separate the parts of an id (a UUID's
     * groups must not read as a grouped card number): only digits in a row or grouped by spaces count.
     */
    public static boolean containsCardNumberInIdentifier(String text) {
        return containsCardNumber(text.replace('-', '/'));
    }

    static boolean luhnValid(String digits, int start, int end) {
        int sum = 0;
        boolean doubled = false;
        for (int i = end - 1; i >= start; i--) {
            int digit = digits.charAt(i) - '0';
            if (doubled) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }
}
