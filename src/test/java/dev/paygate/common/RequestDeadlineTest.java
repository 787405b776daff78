package dev.paygate.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.mock.web.server.MockServerWebExchange;
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
                    return answered.getResponse().writeWith(Mono.just(
                            answered.getResponse().bufferFactory().wrap("{\"status\":\"COMPLETED\"}".getBytes(StandardCharsets.UTF_8))));
                }))
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(written.get()).isEqualTo("{\"status\":\"COMPLETED\"}");
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
}
