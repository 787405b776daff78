package dev.paygate.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * An {@code Idempotency-Key} as one client sent it, with a hash of the request it came with.
 * The same key with the same request replays the first outcome; with another request it is refused.
 */
public record IdempotencyKey(String clientId, String key, String requestHash) {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final int KEY_LENGTH_MAX = 255;

    /**
     * The key of a request, or {@code null} when it carries none.
     *
     * @param canonicalRequest the request in a normal form (parsed values, not raw bytes), so
     *                         that {@code 100} and {@code "100.00"} are the same request
     */
    public static @Nullable IdempotencyKey of(String clientId, @Nullable String header, String canonicalRequest) {
        if (header == null) {
            return null;
        }
        if (header.isEmpty() || header.length() > KEY_LENGTH_MAX || !header.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
            throw ApiException.invalid(HEADER, "must be 1 to " + KEY_LENGTH_MAX + " printable ASCII characters");
        }
        return new IdempotencyKey(clientId, header, sha256(canonicalRequest));
    }

    private static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
