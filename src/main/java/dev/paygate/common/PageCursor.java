package dev.paygate.common;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The opaque {@code cursor} of a paged list: the id of the last row seen. Clients pass it back
 * unchanged; its form may change between versions, hence the prefix.
 */
public final class PageCursor {

    private static final String VERSION = "v1:";
    public static final int LIMIT_DEFAULT = 50;
    public static final int LIMIT_MAX = 1000;

    private PageCursor() {
    }

    public static String encode(UUID lastId) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((VERSION + lastId).getBytes(StandardCharsets.US_ASCII));
    }

    /** The id a cursor stands for; a cursor that was not made here is a 400 on {@code cursor}. */
    public static @Nullable UUID decode(@Nullable String cursor, FieldErrors errors) {
        if (cursor == null) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (text.startsWith(VERSION)) {
                UUID id = Ids.parseOrNull(text.substring(VERSION.length()));
                if (id != null) {
                    return id;
                }
            }
        } catch (IllegalArgumentException notBase64) {
            // reported below
        }
        errors.add("cursor", "is not a cursor returned by this API");
        return null;
    }

    /** The {@code limit} query parameter: 1..1000, default 50. */
    public static int limit(@Nullable String value, FieldErrors errors) {
        if (value == null) {
            return LIMIT_DEFAULT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= LIMIT_MAX) {
                return limit;
            }
        } catch (NumberFormatException notNumber) {
            // reported below
        }
        errors.add("limit", "must be a whole number from 1 to " + LIMIT_MAX);
        return LIMIT_DEFAULT;
    }
}
