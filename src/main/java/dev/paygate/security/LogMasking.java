package dev.paygate.security;

import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a log line must never hold in full: bearer tokens and JWTs, secrets and passwords, IBANs
 * and long account or card numbers. Plain logs mask them with the same expressions in the console
 * pattern ({@code logging.pattern.console} in application.yml); JSON logs through
 * {@link MaskedStructuredLogs}. Masking is the second line: code does not log such values at all.
 */
public final class LogMasking {

    /** Each expression with its replacement; application.yml's console pattern repeats them in this order. */
    static final List<Rule> RULES = List.of(
            new Rule("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+", "$1***"),
            new Rule("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*", "***"),
            new Rule("(?i)((secret|password|access_token|credentials)\"?\\s*[:=]\\s*\"?)[^\\s\",&]+", "$1***"),
            new Rule("\\b([A-Z]{2}[0-9]{2})[A-Z0-9]{7,26}([A-Z0-9]{4})\\b", "$1****$2"),
            new Rule("\\b([0-9]{4})[0-9]{4,11}([0-9]{4})\\b", "$1****$2"));

    private LogMasking() {
    }

    public static @Nullable String mask(@Nullable String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String masked = text;
        for (Rule rule : RULES) {
            masked = rule.pattern().matcher(masked).replaceAll(rule.replacement());
        }
        return masked;
    }

    record Rule(Pattern pattern, String replacement) {
        Rule(String regex, String replacement) {
            this(Pattern.compile(regex), replacement);
        }
    }
}
