package dev.paygate.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * When a stream gets heartbeat comments, on a virtual clock of the test's own: each quiet interval
 * ends with one. The clock is not installed for the whole JVM (as StepVerifier.withVirtualTime
 * does), because the shared contexts' background workers run in the same JVM: on a virtual clock
 * they could keep the test's time from ever advancing past them.
 */
class HeartbeatsTest {

    private static final Duration EVERY = Duration.ofSeconds(15);

    private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @Test
    void anIdleStreamGetsOneEachInterval() {
        Disposable stream = watch(Flux.never());

        clock.advanceTimeBy(Duration.ofSeconds(14));
        assertThat(seen).isEmpty();
        clock.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(seen).containsExactly("heartbeat");
        clock.advanceTimeBy(Duration.ofSeconds(30));
        assertThat(seen).containsExactly("heartbeat", "heartbeat", "heartbeat");
        stream.dispose();
    }

    @Test
    void aStreamWithEventsGetsNoneUntilAnIntervalPassesWithout() {
        // Events at 10 s, 20 s and 28 s: the ticks at 15 and 30 s follow intervals with events; the
        // one at 45 s follows a quiet interval. The stream is never silent for two intervals.
        Disposable stream = watch(Flux.concat(
                Mono.delay(Duration.ofSeconds(10), clock).map(tick -> event("at 10")),
                Mono.delay(Duration.ofSeconds(10), clock).map(tick -> event("at 20")),
                Mono.delay(Duration.ofSeconds(8), clock).map(tick -> event("at 28")),
                Flux.never()));

        clock.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(seen).containsExactly("at 10");
        clock.advanceTimeBy(Duration.ofSeconds(34));
        assertThat(seen).containsExactly("at 10", "at 20", "at 28");
        clock.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(seen).containsExactly("at 10", "at 20", "at 28", "heartbeat");
        stream.dispose();
    }

    @Test
    void theHeartbeatsEndWithTheEvents() {
        List<ServerSentEvent<Object>> frames = EventHandler.withHeartbeats(Flux.just(event("only")), EVERY)
                .collectList().block(Duration.ofSeconds(5));

        assertThat(frames).extracting(ServerSentEvent::data).containsExactly("only");
    }

    /** Subscribes to the frames with heartbeats on the test's clock; each frame is noted as its data or comment. */
    private Disposable watch(Flux<ServerSentEvent<Object>> events) {
        return EventHandler.withHeartbeats(events, EVERY, clock)
                .subscribe(frame -> seen.add(frame.data() != null ? String.valueOf(frame.data()) : frame.comment()));
    }

    private static ServerSentEvent<Object> event(String data) {
        return ServerSentEvent.<Object>builder(data).build();
    }
}
