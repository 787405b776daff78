package dev.paygate.common;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Collects what is wrong with a request, field by field, so the client hears of every bad
 * field at once; {@link #throwIfAny()} ends validation with one 400.
 *
 * <p>Each check returns the parsed value, or {@code null} when the field is bad or absent.
 */
public final class FieldErrors {

    private final Map<String, String> errors = new LinkedHashMap<>();
    private final Function<String, @Nullable String> textScreen;

    /** @param textScreen a check for free text (e.g. refusing card numbers); returns an error or null */
    public FieldErrors(Function<String, @Nullable String> textScreen) {
        this.textScreen = textScreen;
    }

    public FieldErrors() {
        this(text -> null);
    }

    public void add(String field, String message) {
        errors.putIfAbsent(field, message);
    }

    public boolean has(String field) {
        return errors.containsKey(field);
    }

    public @Nullable UUID uuid(String field, @Nullable String value, boolean required) {
        if (value == null) {
            if (required) {
                add(field, "is required");
            }
            return null;
        }
        UUID id = Ids.parseOrNull(value);
        if (id == null) {
            add(field, "must be a UUID");
        }
        return id;
    }

    public @Nullable CurrencyCode currency(String field, @Nullable String value) {
        if (value == null) {
            add(field, "is required");
            return null;
        }
        if (!CurrencyCode.isKnown(value)) {
            add(field, "must be an ISO 4217 currency code such as USD");
            return null;
        }
        return CurrencyCode.of(value);
    }

    /** A strictly positive amount, exact in the currency's minor units. */
    public @Nullable Money positiveAmount(String field, @Nullable BigDecimal value, @Nullable CurrencyCode currency) {
        Money money = amount(field, value, currency);
        if (money != null && !money.isPositive()) {
            add(field, "must be greater than zero");
            return null;
        }
        return money;
    }

    /** A zero or positive amount, exact in the currency's minor units. */
    public @Nullable Money nonNegativeAmount(String field, @Nullable BigDecimal value, @Nullable CurrencyCode currency) {
        Money money = amount(field, value, currency);
        if (money != null && money.amountMinor() < 0) {
            add(field, "must not be negative");
            return null;
        }
        return money;
    }

    private @Nullable Money amount(String field, @Nullable BigDecimal value, @Nullable CurrencyCode currency) {
        if (value == null) {
            add(field, "is required");
            return null;
        }
        if (currency == null) {
            return null;
        }
        try {
            return Money.parse(value, currency);
        } catch (IllegalArgumentException e) {
            add(field, e.getMessage());
            return null;
        }
    }

    /** Optional free text: trimmed, at most {@code lengthMax} characters, no control characters. */
    public @Nullable String text(String field, @Nullable String value, int lengthMax, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                add(field, "is required");
            }
            return null;
        }
        String text = value.strip();
        if (text.codePointCount(0, text.length()) > lengthMax) {
            add(field, "must be at most " + lengthMax + " characters");
            return null;
        }
        if (text.codePoints().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
            add(field, "must not contain control characters");
            return null;
        }
        String screened = textScreen.apply(text);
        if (screened != null) {
            add(field, screened);
            return null;
        }
        return text;
    }

    /** String-to-string metadata, as Stripe keeps it: a few short keys with short values. */
    public Map<String, String> metadata(String field, @Nullable Map<String, String> value) {
        if (value == null) {
            return Map.of();
        }
        if (value.size() > 20) {
            add(field, "must have at most 20 keys");
            return Map.of();
        }
        Map<String, String> clean = new LinkedHashMap<>();
        for (var entry : value.entrySet()) {
            String key = entry.getKey();
            if (key.isEmpty() || key.length() > 40) {
                add(field, "keys must be 1 to 40 characters");
                return Map.of();
            }
            String text = text(field + "." + key, entry.getValue(), 500, true);
            if (text != null) {
                clean.put(key, text);
            }
        }
        return clean;
    }

    public <E extends Enum<E>> @Nullable E oneOf(String field, @Nullable String value, Class<E> type) {
        if (value == null) {
            return null;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(value)) {
                return constant;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            allowed.append(allowed.isEmpty() ? "" : ", ").append(constant.name());
        }
        add(field, "must be one of " + allowed);
        return null;
    }

    public void throwIfAny() {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }
}
