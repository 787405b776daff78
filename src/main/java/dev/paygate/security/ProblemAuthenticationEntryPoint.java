package dev.paygate.security;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.ProblemResponses;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** 401 as problem+json, with the {@code WWW-Authenticate} challenge of RFC 6750; recorded in the audit log. */
@Component
class ProblemAuthenticationEntryPoint implements ServerAuthenticationEntryPoint {

    private final JsonMapper json;
    private final SecurityAudit audit;
    private final RateLimits limits;

    ProblemAuthenticationEntryPoint(JsonMapper json, SecurityAudit audit, RateLimits limits) {
        this.json = json;
        this.audit = audit;
        this.limits = limits;
    }

    @Override
    public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException failure) {
        boolean badToken = failure instanceof InvalidBearerTokenException
                || exchange.getRequest().getHeaders().containsHeader(HttpHeaders.AUTHORIZATION);
        String detail = badToken
                ? "The bearer token is invalid, expired or not meant for this API."
                : "A bearer token is required: send Authorization: Bearer <token>.";
        String challenge = badToken ? "Bearer error=\"invalid_token\"" : "Bearer";
        ApiException problem = new ApiException(ApiProblem.UNAUTHENTICATED, detail)
                .withHeader(HttpHeaders.WWW_AUTHENTICATE, challenge);
        String path = exchange.getRequest().getPath().value();
        // Bad tokens are counted by address too: a flood of them gets 429 and no audit rows,
        // so it cannot turn into a flood of database writes.
        if (!limits.tryAcquire(ClientAddresses.of(exchange), false)) {
            ApiException tooMany = new ApiException(ApiProblem.RATE_LIMITED,
                    "Too many requests from this address; retry after the Retry-After seconds.")
                    .withHeader(HttpHeaders.RETRY_AFTER, Long.toString(limits.retryAfterSeconds()));
            return write(exchange.getResponse(), tooMany, path);
        }
        return audit.denied(exchange, "anonymous", "UNAUTHENTICATED")
                .then(write(exchange.getResponse(), problem, path));
    }

    Mono<Void> write(ServerHttpResponse response, ApiException problem, String instance) {
        response.setStatusCode(problem.kind().status());
        response.getHeaders().setContentType(ProblemResponses.PROBLEM_JSON);
        problem.headers().forEach(response.getHeaders()::set);
        byte[] body = json.writeValueAsBytes(ProblemResponses.body(problem, instance));
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
