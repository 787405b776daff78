package dev.paygate.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.PaygateApplication;
import dev.paygate.TestDataDirectory;
import dev.paygate.support.Api;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

/**
 * Two gateway instances on one database and one broker: a client streaming from one sees a
 * transfer made through the other. Without Kafka, an instance still streams its own events.
 */
class TwoInstancesStreamTest extends EndToEndTest {

    private static final ParameterizedTypeReference<ServerSentEvent<JsonNode>> SSE = new ParameterizedTypeReference<>() { };

    @Test
    void aStreamOnOneInstanceSeesATransferMadeThroughTheOther() {
        try (ConfigurableApplicationContext second = start()) {
            WebTestClient secondClient = clientOf(second);
            awaitReady(secondClient);
            User alice = api.newCustomer();
            UUID from = alice.openAccount("USD");
            UUID to = api.newCustomer().openAccount("USD");
            api.operator().deposit(from, "10.00", "USD");
            User aliceOnSecond = new Api(secondClient).user(alice.id(), "CUSTOMER");

            // Alice's token works on the second instance too, and she may not stream an account she does not own.
            aliceOnSecond.get("/accounts/" + to + "/events").expectStatus().isNotFound();

            var events = new Api(secondClient).admin().client().mutate().responseTimeout(Duration.ofSeconds(30)).build()
                    .get().uri("/accounts/" + to + "/events").accept(MediaType.TEXT_EVENT_STREAM)
                    .exchange().expectStatus().isOk().returnResult(SSE).getResponseBody();
            StepVerifier.create(events.filter(event -> event.data() != null).take(1))
                    .then(() -> alice.transfer(from, to, "3.00", "USD").expectStatus().isCreated())
                    .assertNext(event -> assertThat(event.data().get("data").get("amount").asString()).isEqualTo("3.00"))
                    .expectComplete()
                    .verify(Duration.ofSeconds(30));
        }
    }

    @Test
    void withoutKafkaAnInstanceStreamsItsOwnEvents() {
        // Its own database: an instance without Kafka beside instances with it would share their outbox.
        try (ConfigurableApplicationContext alone = start("--spring.kafka.bootstrap-servers=",
                "--paygate.database.embedded.data-directory=" + TestDataDirectory.ROOT + "/in-process/postgres-17")) {
            WebTestClient aloneClient = clientOf(alone);
            awaitReady(aloneClient);
            Api aloneApi = new Api(aloneClient);
            User bob = aloneApi.newCustomer();
            UUID account = bob.openAccount("USD");

            var events = bob.client().mutate().responseTimeout(Duration.ofSeconds(30)).build()
                    .get().uri("/accounts/" + account + "/events").accept(MediaType.TEXT_EVENT_STREAM)
                    .exchange().expectStatus().isOk().returnResult(SSE).getResponseBody();
            StepVerifier.create(events.filter(event -> event.data() != null).take(1))
                    .then(() -> aloneApi.operator().deposit(account, "7.00", "USD"))
                    .assertNext(event -> assertThat(event.data().get("data").get("amount").asString()).isEqualTo("7.00"))
                    .expectComplete()
                    .verify(Duration.ofSeconds(30));
        }
    }

    private static ConfigurableApplicationContext start(String... extra) {
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("--server.port", "0");
        settings.put("--spring.main.banner-mode", "off");
        settings.put("--logging.level.root", "WARN");
        settings.put("--paygate.database.embedded.data-directory", TestDataDirectory.POSTGRES);
        settings.put("--paygate.security.dev.key-file", TestDataDirectory.SIGNING_KEY);
        settings.put("--paygate.banks.credentials-key-file", TestDataDirectory.BANK_CREDENTIALS_KEY);
        settings.put("--paygate.rate-limit.enabled", "false");
        // The suite's own instance serves the sandbox bank; a second one would take it over.
        settings.put("--paygate.sandbox.enabled", "false");
        for (String setting : extra) {
            String[] pair = setting.split("=", 2);
            settings.put(pair[0], pair[1]);
        }
        return new SpringApplicationBuilder(PaygateApplication.class).run(settings.entrySet().stream()
                .map(setting -> setting.getKey() + "=" + setting.getValue()).toArray(String[]::new));
    }

    private static WebTestClient clientOf(ConfigurableApplicationContext context) {
        return contracted(WebTestClient.bindToServer().responseTimeout(Duration.ofSeconds(30))
                .baseUrl("http://localhost:" + context.getEnvironment().getProperty("local.server.port")).build());
    }
}
