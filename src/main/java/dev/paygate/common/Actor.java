package dev.paygate.common;

import org.jspecify.annotations.Nullable;

/** Who did something, as the audit log records it: the user, where the request came from, its trace. */
public record Actor(String userId, @Nullable String clientIp, @Nullable String traceId) {
}
