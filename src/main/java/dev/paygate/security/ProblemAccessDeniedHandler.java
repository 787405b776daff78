package dev.paygate.security;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** 403 as problem+json when the security filter chain itself refuses an authenticated caller. */
@Component
class ProblemAccessDeniedHandler implements ServerAccessDeniedHandler {

    private final ProblemAuthenticationEntryPoint writer;

    ProblemAccessDeniedHandler(ProblemAuthenticationEntryPoint writer) {
        this.writer = writer;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
        ApiException problem = new ApiException(ApiProblem.FORBIDDEN, "This token may not do this.");
        return writer.write(exchange.getResponse(), problem, exchange.getRequest().getPath().value());
    }
}
