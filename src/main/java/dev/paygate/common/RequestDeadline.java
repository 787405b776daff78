package dev.paygate.common;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
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
 * a transfer that happened: a client without a key would send it again. Under overload the two
 * can come at once, on two threads; whichever claims the exchange first is the one written.
 */
@Component
class RequestDeadline implements WebFilter, ProblemTranslator, Ordered {

    private static final int UNDECIDED = 0;
    private static final int ANSWER = 1;
    private static final int DEADLINE = 2;

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
        // The answer and the deadline race for one flag, so exactly one of them is ever written:
        // an answer that starts first is written to the end, and one that comes after the 503
        // writes nothing.
        AtomicInteger decided = new AtomicInteger(UNDECIDED);
        FirstAnswer answer = new FirstAnswer(exchange.getResponse(), decided);
        Mono<Long> expiry = Mono.delay(deadline)
                .flatMap(late -> decided.compareAndSet(UNDECIDED, DEADLINE)
                        ? answer.prepareDeadlineAnswer().thenReturn(late)
                        : Mono.never());
        // A chain that ends without writing (a status alone, or an error that ProblemResponses
        // writes on the exchange outside this filter) claims the exchange as it ends.
        return chain.filter(exchange.mutate().response(answer).build())
                .doOnTerminate(answer::claim)
                .timeout(expiry, Mono.error(DeadlineExceeded::new));
    }

    /**
     * A response that is written only if the deadline has not claimed the exchange first. Until it
     * claims, the answer's status, headers and before-commit actions stay here, apart from the
     * response the 503 may be written to on another thread: a late answer cannot change that 503
     * while it is being committed. Claiming hands them over; from then on this is a plain decorator.
     */
    private static final class FirstAnswer extends ServerHttpResponseDecorator {

        private final AtomicInteger decided;
        private final HttpHeaders headers;
        private final List<Supplier<? extends Mono<Void>>> commitActions = new CopyOnWriteArrayList<>();
        private @Nullable HttpStatusCode status;
        private volatile boolean handedOver;
        /** The thread running the answer's before-commit actions for the 503, while it does. */
        private volatile @Nullable Thread deadlineWriter;

        FirstAnswer(ServerHttpResponse response, AtomicInteger decided) {
            super(response);
            this.decided = decided;
            this.headers = HttpHeaders.copyOf(response.getHeaders());
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            return Mono.defer(() -> claim() ? super.writeWith(body) : Mono.empty());
        }

        @Override
        public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            return Mono.defer(() -> claim() ? super.writeAndFlushWith(body) : Mono.empty());
        }

        @Override
        public Mono<Void> setComplete() {
            return Mono.defer(() -> claim() ? super.setComplete() : Mono.empty());
        }

        /** True for the answer's writes, the first and any after it; false once the deadline has won. */
        boolean claim() {
            if (decided.compareAndSet(UNDECIDED, ANSWER)) {
                handOver();
                return true;
            }
            return decided.get() == ANSWER;
        }

        private void handOver() {
            ServerHttpResponse response = getDelegate();
            if (status != null) {
                response.setStatusCode(status);
            }
            HttpHeaders target = response.getHeaders();
            target.clear();
            target.putAll(headers);
            commitActions.forEach(response::beforeCommit);
            handedOver = true;
        }

        /**
         * Runs the answer's before-commit actions (Spring Security's headers among them) for the
         * 503. They read the headers through this response; on this thread, and only while they
         * run, those are the 503's. The late answer, on its own thread, still sees its own.
         */
        Mono<Void> prepareDeadlineAnswer() {
            return Mono.defer(() -> {
                deadlineWriter = Thread.currentThread();
                return Flux.fromIterable(commitActions).concatMap(Supplier::get).then();
            }).doFinally(signal -> deadlineWriter = null);
        }

        @Override
        public HttpHeaders getHeaders() {
            if (handedOver || Thread.currentThread() == deadlineWriter) {
                return getDelegate().getHeaders();
            }
            return headers;
        }

        @Override
        public boolean setStatusCode(@Nullable HttpStatusCode status) {
            if (handedOver) {
                return getDelegate().setStatusCode(status);
            }
            this.status = status;
            return true;
        }

        @Override
        public boolean setRawStatusCode(@Nullable Integer status) {
            return setStatusCode(status == null ? null : HttpStatusCode.valueOf(status));
        }

        @Override
        public @Nullable HttpStatusCode getStatusCode() {
            return handedOver || status == null ? getDelegate().getStatusCode() : status;
        }

        @Override
        public void beforeCommit(Supplier<? extends Mono<Void>> action) {
            if (handedOver) {
                getDelegate().beforeCommit(action);
            } else {
                commitActions.add(action);
            }
        }
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
