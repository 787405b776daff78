package dev.paygate.security;

import dev.paygate.common.TraceIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * One line per API call on the {@code dev.paygate.access} logger: method, route, status, duration,
 * caller, client address and trace id. No bodies, headers or tokens, and the route pattern rather
 * than the path, so user ids in paths stay out of it. It runs before security, so refusals by
 * authentication and rate limits are logged too; the caller is noted by {@link RateLimitFilter}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
@ConditionalOnProperty(name = "paygate.access-log.enabled", havingValue = "true", matchIfMissing = true)
class AccessLog implements WebFilter {

    /** Exchange attribute holding the authenticated caller's user id. */
    static final String CALLER = AccessLog.class.getName() + ".caller";

    private static final Logger log = LoggerFactory.getLogger(AccessLogFiles.LOGGER);

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getRequest().getPath().value().startsWith("/actuator/") || !log.isInfoEnabled()) {
            return chain.filter(exchange);
        }
        long startedNanos = System.nanoTime();
        return chain.filter(exchange).doFinally(signal -> write(exchange, signal, startedNanos));
    }

    private static void write(ServerWebExchange exchange, SignalType signal, long startedNanos) {
        long durationMs = (System.nanoTime() - startedNanos) / 1_000_000;
        String method = exchange.getRequest().getMethod().name();
        Object pattern = exchange.getAttribute(RouterFunctions.MATCHING_PATTERN_ATTRIBUTE);
        String route = pattern instanceof PathPattern path ? path.getPatternString() : "(no route)";
        HttpStatusCode code = exchange.getResponse().getStatusCode();
        // A client that hung up before the answer was written: nginx's 499, so it cannot pass for a 200.
        int status = signal == SignalType.CANCEL ? 499 : code == null ? 200 : code.value();
        String caller = exchange.getAttributeOrDefault(CALLER, "-");
        String clientIp = ClientAddresses.of(exchange);
        String traceId = TraceIds.of(exchange);
        log.atInfo()
                .addKeyValue("http_method", method).addKeyValue("route", route).addKeyValue("status", status)
                .addKeyValue("duration_ms", durationMs).addKeyValue("caller", caller)
                .addKeyValue("client_ip", clientIp).addKeyValue("trace_id", traceId == null ? "-" : traceId)
                .log("{} {} {} {}ms caller={} ip={} trace={}", method, route, status, durationMs, caller, clientIp,
                        traceId == null ? "-" : traceId);
    }
}
