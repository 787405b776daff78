package dev.paygate.common;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * A bound on every request but event streams. A database that stops answering without closing its
 * connections (frozen, or cut off by a network partition) leaves a query waiting on an open
 * connection for as long as the outage lasts: the pool's acquire timeout never fires for it. Past
 * the deadline the request gets a 503 instead of hanging; its outcome may be unknown, so the client
 * retries with the same Idempotency-Key, which replays the outcome if there was one.
 *
 * <p>The deadline ends once the answer starts being written. By then the outcome is decided (a
 * transfer has committed), and cutting the write off would leave the client without the 201 of
 * a transfer that happened: a client without a key would send it again.
 */
@Component
class RequestDeadline implements WebFilter, ProblemTranslator, Ordered {

    private final Duration deadline;

    RequestDeadline(@Value("${paygate.http.request-deadline:5s}") Duration deadline) {
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("paygate.http.request-deadline must be positive");
        }
        this.deadline = deadline;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (isEventStream(exchange)) {
            return chain.filter(exchange);
        }
        AtomicBoolean answering = new AtomicBoolean();
        exchange.getResponse().beforeCommit(() -> {
            answering.set(true);
            return Mono.empty();
        });
        Mono<Long> expiry = Mono.delay(deadline).flatMap(late -> answering.get() ? Mono.never() : Mono.just(late));
        return chain.filter(exchange).timeout(expiry, Mono.error(DeadlineExceeded::new));
    }

    @Override
    public @Nullable ApiException translate(Throwable error) {
        if (!(error instanceof DeadlineExceeded)) {
            return null;
        }
        return new ApiException(ApiProblem.SERVICE_UNAVAILABLE,
                "The request did not complete in time. Retry shortly; a retry with the same Idempotency-Key never applies a request twice.")
                .withHeader("Retry-After", "1");
    }

    private static boolean isEventStream(ServerWebExchange exchange) {
        return exchange.getRequest().getPath().value().endsWith("/events")
                || exchange.getRequest().getHeaders().getAccept().contains(MediaType.TEXT_EVENT_STREAM);
    }

    private static final class DeadlineExceeded extends RuntimeException {
        DeadlineExceeded() {
            super("request deadline exceeded", null, false, false);
        }
    }
}
