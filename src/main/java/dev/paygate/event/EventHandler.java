package dev.paygate.event;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.Callers;
import dev.paygate.common.RequestBodies;
import dev.paygate.common.Scopes;
import dev.paygate.ledger.Ledger;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Server-Sent Events: every event's {@code id} is its outbox position, so a client that
 * reconnects with {@code Last-Event-ID} gets exactly what it missed. Idle streams send a comment
 * every heartbeat interval so that proxies keep them open; busy ones need none.
 */
@Component
class EventHandler {

    private static final String LAST_EVENT_ID = "Last-Event-ID";
    /** Sent as the SSE {@code retry} of a stream the server ends: how long a client waits to reconnect. */
    static final Duration RECONNECT_AFTER = Duration.ofSeconds(1);
    private static final ServerSentEvent<Object> HEARTBEAT = ServerSentEvent.builder().comment("heartbeat").build();
    /** Marks the end of a stream's events inside it; never sent. */
    private static final ServerSentEvent<Object> END = ServerSentEvent.builder().comment("end").build();

    private final EventStreams streams;
    private final CloudEvents cloudEvents;
    private final Ledger ledger;
    private final Callers callers;
    private final Duration heartbeat;

    EventHandler(EventStreams streams, CloudEvents cloudEvents, Ledger ledger, Callers callers,
                 EventsProperties properties) {
        this.streams = streams;
        this.cloudEvents = cloudEvents;
        this.ledger = ledger;
        this.callers = callers;
        this.heartbeat = properties.sseHeartbeat();
    }

    /*
     * Both streams' handlers end in onTerminateDetach. The framework holds the answer's Mono
     * chain for as long as the body streams. Detached, the chain lets go of what built the
     * answer, the visibility query's R2DBC state among it, once the answer is out. That cut
     * the heap an open stream keeps from 40 to 33 KiB (bench/RESULTS.md).
     */
    Mono<ServerResponse> accountEvents(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_READ);
            UUID account = RequestBodies.pathId(request, "id");
            long after = lastEventId(request);
            return ledger.canSeeAccount(account, caller).flatMap(visible -> visible
                    ? stream(streams.account(account, after))
                    : Mono.error(ApiException.notFound(ApiProblem.ACCOUNT_NOT_FOUND, account)));
        }).onTerminateDetach();
    }

    Mono<ServerResponse> transferEvents(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.TRANSFERS_READ);
            UUID transaction = RequestBodies.pathId(request, "id");
            long after = lastEventId(request);
            return ledger.findVisible(transaction, caller)
                    .flatMap(visible -> stream(streams.transaction(transaction, after)));
        }).onTerminateDetach();
    }

    private Mono<ServerResponse> stream(Flux<PaygateEvent> events) {
        Flux<ServerSentEvent<Object>> frames = events
                // The envelope as JSON text, which the SSE writer sends as it is.
                .map(event -> ServerSentEvent.<Object>builder(cloudEvents.toTextForStreams(event))
                        .id(Long.toString(event.position()))
                        .event(event.type())
                        .build());
        Flux<ServerSentEvent<Object>> body = withHeartbeats(frames, heartbeat)
                .onErrorResume(EventBus.SlowSubscriberException.class, slow -> reconnect(slow.getMessage()))
                .onErrorResume(EventBus.ShuttingDownException.class, closing -> reconnect(closing.getMessage()))
                // Netty sends the status line and headers with the first frame: without this comment a
                // quiet stream would look unanswered to its client until the first heartbeat.
                .startWith(ServerSentEvent.<Object>builder().comment("stream open").build());
        return ServerResponse.ok()
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .header("Cache-Control", "no-store")
                .header("X-Accel-Buffering", "no")
                .body(body, ServerSentEvent.class);
    }

    /**
     * The frames with a heartbeat comment at every tick of the interval that follows a quiet one:
     * an idle stream gets one each interval, a stream with events none, and no stream is silent
     * for two intervals. Merged, not shared, so an open stream holds no queue of its own besides
     * the bus's; END marks where the frames end.
     */
    static Flux<ServerSentEvent<Object>> withHeartbeats(Flux<ServerSentEvent<Object>> frames, Duration heartbeat) {
        return withHeartbeats(frames, heartbeat, Schedulers.parallel());
    }

    /** The same on a given clock: tests pass their own virtual one instead of replacing the JVM's. */
    static Flux<ServerSentEvent<Object>> withHeartbeats(Flux<ServerSentEvent<Object>> frames, Duration heartbeat,
                                                        Scheduler clock) {
        return Flux.defer(() -> {
            AtomicBoolean sentSinceTick = new AtomicBoolean();
            return frames
                    .doOnNext(frame -> sentSinceTick.lazySet(true))
                    .concatWith(Flux.just(END))
                    .mergeWith(Flux.interval(heartbeat, clock)
                            .filter(tick -> !sentSinceTick.getAndSet(false))
                            .map(tick -> HEARTBEAT))
                    .takeWhile(frame -> frame != END);
        });
    }

    /** The last frame of a stream the server ends before its client is done with it. */
    private static Flux<ServerSentEvent<Object>> reconnect(String why) {
        return Flux.just(ServerSentEvent.<Object>builder().comment(why).retry(RECONNECT_AFTER).build());
    }

    private static long lastEventId(ServerRequest request) {
        String header = request.headers().firstHeader(LAST_EVENT_ID);
        if (header == null || header.isBlank()) {
            return -1;
        }
        try {
            long position = Long.parseLong(header.trim());
            if (position >= 0) {
                return position;
            }
        } catch (NumberFormatException notANumber) {
            // refused below
        }
        throw ApiException.invalid(LAST_EVENT_ID, "must be the id of an event this API sent");
    }
}
