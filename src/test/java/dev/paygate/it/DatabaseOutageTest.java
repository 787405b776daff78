package dev.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.TestDataDirectory;
import dev.paygate.support.ChildGateway;
import dev.paygate.support.LedgerState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * PostgreSQL frozen for 10 s under load (every server process SIGSTOPped: connections stay open
 * but nothing answers, the hardest kind of outage for a pool), then thawed. The gateway must answer
 * fast, 503 problem+json, go unready, and come back by itself with the ledger intact.
 */
class DatabaseOutageTest {

    private static final Duration OUTAGE = Duration.ofSeconds(10);
    /** The pool's max-acquire-time (5 s) plus slack for a 2-core box. */
    private static final Duration ANSWER_MAX = Duration.ofSeconds(8);

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void aFrozenDatabaseGivesFast503sAndTheGatewayRecoversByItself() throws Exception {
        Path root = Path.of(TestDataDirectory.ROOT, "outage-" + UUID.randomUUID());
        try (ChildGateway gateway = new ChildGateway(root)) {
            gateway.start();
            String operator = gateway.token(http, "outage-operator", "OPERATOR");
            String customer = gateway.token(http, "outage-customer", "CUSTOMER");
            String a = send(gateway, "/accounts", customer, "{\"currency\":\"USD\"}").get("id").asString();
            String b = send(gateway, "/accounts", customer, "{\"currency\":\"USD\"}").get("id").asString();
            send(gateway, "/accounts/" + a + "/deposit", operator, "{\"amount\":\"100.00\",\"currency\":\"USD\"}");
            String transfer = "{\"from_account\":\"" + a + "\",\"to_account\":\"" + b + "\",\"amount\":\"0.01\",\"currency\":\"USD\"}";

            List<ProcessHandle> postgres = new ArrayList<>();
            ProcessHandle postmaster = gateway.postmaster().orElseThrow();
            postgres.add(postmaster);
            postgres.addAll(postmaster.descendants().toList());
            signal("-STOP", postgres);
            List<CompletableFuture<Answer>> answers = new ArrayList<>();
            boolean wentDown = false;
            try {
                Instant end = Instant.now().plus(OUTAGE);
                while (Instant.now().isBefore(end)) {
                    answers.add(timed(post(gateway, "/transfers", customer, transfer)));
                    answers.add(timed(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/accounts/" + a + "/balance"))
                            .header("Authorization", "Bearer " + customer).timeout(Duration.ofSeconds(30)).build()));
                    wentDown |= "DOWN".equals(gateway.readiness());
                    Thread.sleep(200);
                }
            } finally {
                signal("-CONT", postgres);
            }
            for (CompletableFuture<Answer> future : answers) {
                Answer answer = future.join();
                assertThat(answer.took()).as("answer %s", answer).isLessThan(ANSWER_MAX);
                assertThat(answer.status()).as("answer %s", answer).isIn(200, 201, 503);
                if (answer.status() == 503) {
                    assertThat(answer.contentType()).startsWith("application/problem+json");
                }
            }
            assertThat(answers).as("some requests met the outage").anySatisfy(f -> assertThat(f.join().status()).isEqualTo(503));
            assertThat(wentDown).as("readiness went down during the outage").isTrue();

            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (!"UP".equals(gateway.readiness()) && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
            }
            assertThat(gateway.readiness()).as("readiness after the outage").isEqualTo("UP");
            assertThat(send(gateway, "/transfers", customer, transfer).get("status").asString()).isEqualTo("COMPLETED");
            new LedgerState(gateway.database()).assertInvariants();
        }
    }

    record Answer(int status, String contentType, Duration took, String body) {
    }

    private CompletableFuture<Answer> timed(HttpRequest request) {
        Instant sent = Instant.now();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> new Answer(
                response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                Duration.between(sent, Instant.now()), response.body()));
    }

    private static void signal(String signal, List<ProcessHandle> processes) throws Exception {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        processes.forEach(process -> command.add(Long.toString(process.pid())));
        assertThat(new ProcessBuilder(command).inheritIO().start().waitFor()).isZero();
    }

    private tools.jackson.databind.JsonNode send(ChildGateway gateway, String path, String token, String body) throws Exception {
        HttpResponse<String> response = http.send(post(gateway, path, token, body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", path, response.body()).isIn(200, 201);
        return JSON.readTree(response.body());
    }

    private static HttpRequest post(ChildGateway gateway, String path, String token, String body) {
        return gateway.post(path, token, body, Duration.ofSeconds(30));
    }
}
