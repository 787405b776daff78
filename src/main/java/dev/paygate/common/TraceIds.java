package dev.paygate.common;

import io.micrometer.tracing.handler.TracingObservationHandler;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/**
 * The trace id of a request, for problem details and the audit log. Read from the request's
 * observation, which the exchange carries; thread-locals are not reliable on an event loop.
 */
public final class TraceIds {

    private TraceIds() {
    }

    public static @Nullable String of(ServerWebExchange exchange) {
        return ServerRequestObservationContext.findCurrent(exchange.getAttributes())
                .map(context -> (TracingObservationHandler.TracingContext) context.get(TracingObservationHandler.TracingContext.class))
                .map(tracing -> tracing.getSpan())
                .map(span -> span.context().traceId())
                .filter(id -> !id.isBlank())
                .orElse(null);
    }
}
