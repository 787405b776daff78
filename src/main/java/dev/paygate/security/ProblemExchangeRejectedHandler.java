package dev.paygate.security;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * 400 as problem+json when Spring Security's firewall refuses a request before any route sees it
 * (an encoded percent, slash or NUL in the path, say); without this it is a 400 with no body at all.
 */
@Component
class ProblemExchangeRejectedHandler implements ServerExchangeRejectedHandler {

    private final ProblemAuthenticationEntryPoint writer;

    ProblemExchangeRejectedHandler(ProblemAuthenticationEntryPoint writer) {
        this.writer = writer;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, ServerExchangeRejectedException rejected) {
        // The firewall's own message quotes the offending text; clients get a fixed sentence.
        ApiException problem = new ApiException(ApiProblem.MALFORMED_REQUEST,
                "The request URL contains characters that are not allowed, such as an encoded percent, slash or NUL.");
        return writer.write(exchange.getResponse(), problem, exchange.getRequest().getPath().value());
    }
}
