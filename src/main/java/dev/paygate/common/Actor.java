package dev.paygate.common;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

/** Who did something, as the audit log records it: the user, where the request came from, its trace. */
public record Actor(String userId, @Nullable String clientIp, @Nullable String traceId) {

    /** The statement with {@code :ip} and {@code :trace} bound to this actor's, NULL where unknown. */
    public GenericExecuteSpec bindAddressAndTrace(GenericExecuteSpec spec) {
        spec = clientIp == null ? spec.bindNull("ip", String.class) : spec.bind("ip", clientIp);
        return traceId == null ? spec.bindNull("trace", String.class) : spec.bind("trace", traceId);
    }
}
