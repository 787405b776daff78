package dev.paygate.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

/** SSE: a late subscriber gets the current state, live events arrive in order, Last-Event-ID resumes exactly. */
class EventStreamsTest extends EndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void anAccountStreamShowsATransferMadeAfterItConnected() {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        UUID to = api.newCustomer().openAccount("USD");
        api.operator().deposit(from, "10.00", "USD");

        Flux<ServerSentEvent<JsonNode>> stream = events(alice, "/accounts/" + from + "/events", null);

        // The deposit may still be on its way through the relay when the stream opens: it is live too.
        StepVerifier.create(stream.filter(event -> event.data() != null)
                        .filter(event -> event.data().get("data").get("type").asString().equals("TRANSFER")).take(1))
                .then(() -> alice.transfer(from, to, "2.50", "USD").expectStatus().isCreated())
                .assertNext(event -> {
                    assertThat(event.event()).isEqualTo("paygate.transaction.completed");
                    assertThat(event.id()).matches("\\d+");
                    JsonNode cloudEvent = event.data();
                    assertThat(cloudEvent.get("specversion").asString()).isEqualTo("1.0");
                    assertThat(cloudEvent.get("source").asString()).isEqualTo("/paygate");
                    assertThat(cloudEvent.get("data").get("amount").asString()).isEqualTo("2.50");
                    assertThat(cloudEvent.get("data").get("from_account").asString()).isEqualTo(from.toString());
                })
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void aTransferStreamSendsTheCurrentStateAndEndsWhenTerminal() {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        api.operator().deposit(from, "10.00", "USD");
        String id = alice.transfer(from, api.newCustomer().openAccount("USD"), "1.00", "USD").expectStatus().isCreated()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("id").asString();

        StepVerifier.create(events(alice, "/transfers/" + id + "/events", null).filter(event -> event.data() != null))
                .assertNext(event -> assertThat(event.data().get("data").get("status").asString()).isEqualTo("COMPLETED"))
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void reconnectingWithLastEventIdResumesWithoutGapOrDuplicate() {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        UUID to = api.newCustomer().openAccount("USD");
        api.operator().deposit(from, "100.00", "USD");
        for (int i = 1; i <= 5; i++) {
            alice.transfer(from, to, i + ".00", "USD").expectStatus().isCreated();
        }
        List<ServerSentEvent<JsonNode>> all = events(alice, "/accounts/" + from + "/events", "0")
                .filter(event -> event.data() != null).take(6).collectList().block(WAIT);
        String afterSecond = all.get(2).id();

        List<String> resumed = events(alice, "/accounts/" + from + "/events", afterSecond)
                .filter(event -> event.data() != null).take(3)
                .map(event -> event.data().get("data").get("amount").asString()).collectList().block(WAIT);

        assertThat(all).extracting(event -> event.data().get("data").get("amount").asString())
                .containsExactly("100.00", "1.00", "2.00", "3.00", "4.00", "5.00");
        assertThat(resumed).containsExactly("3.00", "4.00", "5.00");
    }

    @Test
    void anIdleStreamGetsHeartbeatsSoProxiesKeepItOpen() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");

        StepVerifier.create(events(alice, "/accounts/" + account + "/events", null).take(3))
                .assertNext(event -> assertThat(event.comment()).as("sent at once, so the client sees the stream open")
                        .isEqualTo("stream open"))
                .assertNext(event -> assertThat(event.comment()).isEqualTo("heartbeat"))
                .assertNext(event -> assertThat(event.comment()).isEqualTo("heartbeat"))
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void nobodyElseCanStreamAnAccountOrTransfer() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        User eve = api.newCustomer();

        eve.get("/accounts/" + account + "/events").expectStatus().isNotFound();
        eve.get("/transfers/" + UUID.randomUUID() + "/events").expectStatus().isNotFound();
        alice.client().get().uri("/accounts/" + account + "/events").header("Last-Event-ID", "yesterday")
                .exchange().expectStatus().isBadRequest();
    }

    private static Flux<ServerSentEvent<JsonNode>> events(User user, String path, String lastEventId) {
        return user.events(path, lastEventId, WAIT);
    }
}
