package dev.paygate.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** When a stream gets heartbeat comments, on virtual time: each quiet interval ends with one. */
class HeartbeatsTest {

    private static final Duration EVERY = Duration.ofSeconds(15);

    @Test
    void anIdleStreamGetsOneEachInterval() {
        StepVerifier.withVirtualTime(() -> EventHandler.withHeartbeats(Flux.never(), EVERY).take(3))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(15))
                .assertNext(frame -> assertThat(frame.comment()).isEqualTo("heartbeat"))
                .expectNoEvent(Duration.ofSeconds(15))
                .assertNext(frame -> assertThat(frame.comment()).isEqualTo("heartbeat"))
                .thenAwait(Duration.ofSeconds(15))
                .assertNext(frame -> assertThat(frame.comment()).isEqualTo("heartbeat"))
                .verifyComplete();
    }

    @Test
    void aStreamWithEventsGetsNoneUntilAnIntervalPassesWithout() {
        // Events at 10 s, 20 s and 28 s: the ticks at 15 and 30 s follow intervals with events; the
        // one at 45 s follows a quiet interval. The stream is never silent for two intervals.
        Flux<ServerSentEvent<Object>> events = Flux.concat(
                Mono.delay(Duration.ofSeconds(10)).map(tick -> event("at 10")),
                Mono.delay(Duration.ofSeconds(10)).map(tick -> event("at 20")),
                Mono.delay(Duration.ofSeconds(8)).map(tick -> event("at 28")),
                Flux.never());

        StepVerifier.withVirtualTime(() -> EventHandler.withHeartbeats(events, EVERY).take(4))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(10))
                .assertNext(frame -> assertThat(frame.data()).isEqualTo("at 10"))
                .expectNoEvent(Duration.ofSeconds(10))
                .assertNext(frame -> assertThat(frame.data()).isEqualTo("at 20"))
                .expectNoEvent(Duration.ofSeconds(8))
                .assertNext(frame -> assertThat(frame.data()).isEqualTo("at 28"))
                .expectNoEvent(Duration.ofSeconds(17))
                .assertNext(frame -> assertThat(frame.comment()).isEqualTo("heartbeat"))
                .verifyComplete();
    }

    @Test
    void theHeartbeatsEndWithTheEvents() {
        List<ServerSentEvent<Object>> frames = EventHandler.withHeartbeats(Flux.just(event("only")), EVERY)
                .collectList().block(Duration.ofSeconds(5));

        assertThat(frames).extracting(ServerSentEvent::data).containsExactly("only");
    }

    private static ServerSentEvent<Object> event(String data) {
        return ServerSentEvent.<Object>builder(data).build();
    }
}
