package dev.paygate.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class RequestDeadlineTest {

    private final RequestDeadline deadline = new RequestDeadline(Duration.ofMillis(100));

    @Test
    void aRequestStillUnansweredAtItsDeadlineIsA503ToRetry() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/transfers"));

        StepVerifier.create(deadline.filter(exchange, stuck -> Mono.never()))
                .expectErrorSatisfies(error -> {
                    ApiException problem = deadline.translate(error);
                    assertThat(problem).isNotNull();
                    assertThat(problem.kind().status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(problem.headers()).containsEntry("Retry-After", "1");
                })
                .verify(Duration.ofSeconds(5));
    }

    /** Under overload the deadline can pass while a committed transfer's 201 is on its way out. */
    @Test
    void anAnswerBeingWrittenWhenTheDeadlinePassesIsWrittenToTheEnd() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/transfers"));
        MockServerHttpResponse response = exchange.getResponse();
        AtomicReference<String> written = new AtomicReference<>();
        // Writing takes three times the whole deadline, as it can on a saturated machine.
        response.setWriteHandler(body -> DataBufferUtils.join(body)
                .doOnNext(buffer -> written.set(buffer.toString(StandardCharsets.UTF_8)))
                .then(Mono.delay(Duration.ofMillis(300)))
                .then());

        StepVerifier.create(deadline.filter(exchange, answered -> {
                    answered.getResponse().setStatusCode(HttpStatus.CREATED);
                    answered.getResponse().getHeaders().setContentType(MediaType.APPLICATION_JSON);
                    return answered.getResponse().writeWith(Mono.just(
                            answered.getResponse().bufferFactory().wrap("{\"status\":\"COMPLETED\"}".getBytes(StandardCharsets.UTF_8))));
                }))
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
        assertThat(written.get()).isEqualTo("{\"status\":\"COMPLETED\"}");
    }

    /**
     * The other order: the 503 is being written when the answer, still running on its own thread,
     * sets its status and headers and tries to write. None of it may reach the 503.
     */
    @Test
    void anAnswerThatComesAfterTheDeadlineLeavesThe503Alone() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/transfers"));
        exchange.getResponse().getHeaders().set("X-Request-Id", "r-1");
        AtomicReference<ServerWebExchange> late = new AtomicReference<>();
        AtomicReference<String> written = new AtomicReference<>();
        exchange.getResponse().setWriteHandler(body -> DataBufferUtils.join(body)
                .doOnNext(buffer -> written.set(buffer.toString(StandardCharsets.UTF_8)))
                .then());

        StepVerifier.create(deadline.filter(exchange, answered -> {
                    late.set(answered);
                    // What Spring Security's header writer does, at whichever commit comes.
                    answered.getResponse().beforeCommit(() -> Mono.fromRunnable(
                            () -> answered.getResponse().getHeaders().setCacheControl("no-store")));
                    return Mono.never();
                }))
                .expectError()
                .verify(Duration.ofSeconds(5));

        ServerHttpResponse lateResponse = late.get().getResponse();
        lateResponse.setStatusCode(HttpStatus.CREATED);
        lateResponse.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        lateResponse.getHeaders().setLocation(URI.create("/transfers/1"));
        lateResponse.writeWith(Mono.just(lateResponse.bufferFactory().wrap("{}".getBytes(StandardCharsets.UTF_8))))
                .block(Duration.ofSeconds(5));

        MockServerHttpResponse response = exchange.getResponse();
        assertThat(response.getStatusCode()).isNull();
        assertThat(response.getHeaders().getContentType()).isNull();
        assertThat(response.getHeaders().getLocation()).isNull();
        assertThat(written.get()).isNull();
        // Headers from before the deadline's filter, and the answer's before-commit actions, are the 503's too.
        assertThat(response.getHeaders().getFirst("X-Request-Id")).isEqualTo("r-1");
        assertThat(response.getHeaders().getCacheControl()).isEqualTo("no-store");
    }

    /** An error answer is written by ProblemResponses on the exchange itself: it gets what the chain set. */
    @Test
    void whatAChainSetBeforeItEndedWithoutWritingReachesTheResponse() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/transfers"));
        AtomicReference<ServerWebExchange> seen = new AtomicReference<>();

        StepVerifier.create(deadline.filter(exchange, answered -> {
                    seen.set(answered);
                    answered.getResponse().getHeaders().set("X-Rate-Limit-Remaining", "9");
                    answered.getResponse().beforeCommit(() -> Mono.fromRunnable(
                            () -> answered.getResponse().getHeaders().setCacheControl("no-store")));
                    return Mono.error(new ApiException(ApiProblem.MALFORMED_REQUEST, "bad"));
                }))
                .expectError(ApiException.class)
                .verify(Duration.ofSeconds(5));

        MockServerHttpResponse response = exchange.getResponse();
        assertThat(response.getHeaders().getFirst("X-Rate-Limit-Remaining")).isEqualTo("9");
        response.setStatusCode(HttpStatus.BAD_REQUEST);
        response.setComplete().block(Duration.ofSeconds(5));
        assertThat(response.getHeaders().getCacheControl()).isEqualTo("no-store");
        assertThat(seen.get().getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    }

    @Test
    void aQuickAnswerIsUntouched() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/transfers"));

        StepVerifier.create(deadline.filter(exchange, answered -> {
                    answered.getResponse().setStatusCode(HttpStatus.CREATED);
                    return answered.getResponse().setComplete();
                }))
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.CREATED);
    }

    /** A handler may set a status and end without writing; the server completes the response after. */
    @Test
    void aStatusSetWithoutWritingReachesTheResponse() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.delete("/webhooks/1"));

        StepVerifier.create(deadline.filter(exchange, answered -> {
                    answered.getResponse().setStatusCode(HttpStatus.NO_CONTENT);
                    return Mono.empty();
                }))
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
    }
}
