package dev.paygate.common;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UUIDv7 identifiers (RFC 9562): time-ordered, so ids made later sort later and index
 * pages stay dense. Within one JVM they are strictly increasing, even within one millisecond.
 */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int COUNTER_BITS = 12;

    /** Unix milliseconds shifted left by 12, plus a 12-bit counter for ids made in the same millisecond. */
    private static final AtomicLong LAST_STAMP = new AtomicLong();

    private Ids() {
    }

    public static UUID next() {
        long now = System.currentTimeMillis() << COUNTER_BITS;
        long stamp = LAST_STAMP.updateAndGet(last -> Math.max(last + 1, now));
        long millis = stamp >>> COUNTER_BITS;
        long counter = stamp & ((1L << COUNTER_BITS) - 1);
        long mostSignificant = (millis << 16) | 0x7000L | counter;
        long leastSignificant = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(mostSignificant, leastSignificant);
    }

    /** Parses a client-supplied id, or returns {@code null} when it is not a UUID in canonical form. */
    public static @org.jspecify.annotations.Nullable UUID parseOrNull(String text) {
        if (text.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException notUuid) {
            return null;
        }
    }
}
