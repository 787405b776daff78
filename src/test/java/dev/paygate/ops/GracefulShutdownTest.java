package dev.paygate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.common.PollingWorker;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.SecondInstance;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An instance closed while a client streams events and another's request is still arriving: the
 * stream's last frame tells its client to reconnect, the request is answered, the workers stop
 * after their round, and the instance is gone in seconds, far inside the shutdown phase timeout.
 */
class GracefulShutdownTest extends EndToEndTest {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() { };
    private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void closingAnInstanceFinishesItsRequestsAndSendsStreamsToReconnect() throws Exception {
        ConfigurableApplicationContext instance = SecondInstance.start(
                "--spring.lifecycle.timeout-per-shutdown-phase=" + PHASE_TIMEOUT.toSeconds() + "s");
        CompletableFuture<Void> closed = null;
        try {
            awaitReady(SecondInstance.clientOf(instance));
            MeterRegistry meters = instance.getBean(MeterRegistry.class);
            // The outbox relay, the bank dispatcher and the webhook deliveries.
            Map<String, PollingWorker> workers = instance.getBeansOfType(PollingWorker.class);
            assertThat(workers).hasSize(3);
            User alice = api.newCustomer();
            UUID account = alice.openAccount("USD");
            WebClient http = WebClient.builder()
                    .baseUrl("http://localhost:" + instance.getEnvironment().getProperty("local.server.port"))
                    .defaultHeader(HttpHeaders.AUTHORIZATION,
                            "Bearer " + api.token(alice.id(), List.of("CUSTOMER"), null))
                    .build();

            CompletableFuture<List<ServerSentEvent<String>>> stream = http.get().uri("/accounts/{id}/events", account)
                    .accept(MediaType.TEXT_EVENT_STREAM).retrieve().bodyToFlux(SSE)
                    .collectList().timeout(Duration.ofSeconds(30)).toFuture();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("paygate.sse.subscribers").gauge().value() >= 1);

            // A request whose body is still on its way: in flight until the test sends the rest.
            CompletableFuture<Void> restOfBody = new CompletableFuture<>();
            CompletableFuture<ResponseEntity<Map<String, Object>>> opening = http.post().uri("/accounts")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(BodyInserters.fromDataBuffers(Flux.concat(Mono.just(buffer("{\"currency\":\"USD\",")),
                            Mono.fromFuture(restOfBody).then(Mono.fromCallable(() -> buffer("\"name\":\"Opened while closing\"}"))))))
                    .retrieve().toEntity(new ParameterizedTypeReference<Map<String, Object>>() { })
                    .timeout(Duration.ofSeconds(30)).toFuture();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> activeRequests(meters) >= 2);

            long closing = System.nanoTime();
            closed = CompletableFuture.runAsync(instance::close);

            List<ServerSentEvent<String>> frames = stream.get(10, TimeUnit.SECONDS);
            ServerSentEvent<String> last = frames.get(frames.size() - 1);
            assertThat(last.retry()).as("the stream's last frame says when to reconnect").isNotNull();
            assertThat(last.comment()).contains("reconnect with Last-Event-ID");

            Thread.sleep(500);
            assertThat(closed).as("the instance waits for the request in flight").isNotDone();
            restOfBody.complete(null);
            ResponseEntity<Map<String, Object>> opened = opening.get(10, TimeUnit.SECONDS);
            assertThat(opened.getStatusCode().value()).isEqualTo(201);
            assertThat(opened.getBody()).containsEntry("name", "Opened while closing");

            closed.get(PHASE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(PHASE_TIMEOUT.dividedBy(2));
            workers.forEach((name, worker) -> assertThat(worker.hasEnded()).as(name).isTrue());
        } finally {
            if (closed == null) {
                instance.close();
            }
        }
    }

    private static DataBuffer buffer(String text) {
        return DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static double activeRequests(MeterRegistry meters) {
        return meters.find("http.server.requests.active").longTaskTimers().stream()
                .mapToDouble(LongTaskTimer::activeTasks).sum();
    }
}
