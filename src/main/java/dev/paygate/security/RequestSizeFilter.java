package dev.paygate.security;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * 413 before a byte is read when {@code Content-Length} announces a body over the limit. Bodies
 * sent without a length are cut at the same limit while they are decoded.
 */
@Component
class RequestSizeFilter implements WebFilter, Ordered {

    private final long bodySizeMaxBytes;

    RequestSizeFilter(@Value("${spring.http.codecs.max-in-memory-size:64KB}") DataSize bodySizeMax) {
        this.bodySizeMaxBytes = bodySizeMax.toBytes();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long length = exchange.getRequest().getHeaders().getContentLength();
        if (length > bodySizeMaxBytes) {
            return Mono.error(new ApiException(ApiProblem.PAYLOAD_TOO_LARGE,
                    "The request body is " + length + " bytes; at most " + bodySizeMaxBytes + " are accepted."));
        }
        return chain.filter(exchange);
    }
}
