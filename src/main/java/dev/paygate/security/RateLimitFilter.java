package dev.paygate.security;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * 429 with {@code Retry-After} for a client over its limit. Runs inside the security chain, after
 * authentication, so the client is the token's subject; requests without a token are counted by
 * address. Health, metrics and the dev token endpoint are never limited. Not a bean: a WebFilter
 * bean would also run outside the security chain, where no caller is known.
 */
class RateLimitFilter implements WebFilter {

    private final RateLimits limits;
    private final ProblemAuthenticationEntryPoint writer;

    RateLimitFilter(RateLimits limits, ProblemAuthenticationEntryPoint writer) {
        this.limits = limits;
        this.writer = writer;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        if (path.startsWith("/actuator/") || path.equals("/dev/tokens")) {
            return chain.filter(exchange);
        }
        return ReactiveSecurityContextHolder.getContext()
                .map(SecurityContext::getAuthentication)
                .filter(authentication -> authentication.isAuthenticated())
                .map(authentication -> Optional.of(authentication.getName()))
                .defaultIfEmpty(Optional.empty())
                .flatMap(subject -> {
                    subject.ifPresent(user -> exchange.getAttributes().put(AccessLog.CALLER, user));
                    boolean permitted = subject.isPresent()
                            ? limits.tryAcquire(subject.get(), true)
                            : limits.tryAcquire(ClientAddresses.of(exchange), false);
                    return permitted ? chain.filter(exchange) : tooMany(exchange);
                });
    }

    Mono<Void> tooMany(ServerWebExchange exchange) {
        ApiException problem = new ApiException(ApiProblem.RATE_LIMITED,
                "Too many requests from this client; retry after the Retry-After seconds.")
                .withHeader(HttpHeaders.RETRY_AFTER, Long.toString(limits.retryAfterSeconds()));
        return writer.write(exchange.getResponse(), problem, exchange.getRequest().getPath().value());
    }
}
