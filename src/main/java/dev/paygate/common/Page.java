package dev.paygate.common;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** One page of a keyset-paged list: {@code {"data": [...], "next_cursor": "...", "has_more": true}}. */
public record Page<T>(List<T> data, @Nullable String nextCursor, boolean hasMore) {

    /**
     * Builds a page from up to {@code limit + 1} rows: the extra row only tells that more exist.
     */
    public static <R, T> Page<T> of(List<R> rows, int limit, Function<R, UUID> idOf, Function<R, T> view) {
        boolean hasMore = rows.size() > limit;
        List<R> shown = hasMore ? rows.subList(0, limit) : rows;
        String next = hasMore ? PageCursor.encode(idOf.apply(shown.get(shown.size() - 1))) : null;
        return new Page<>(shown.stream().map(view).toList(), next, hasMore);
    }
}
