package dev.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.TestDataDirectory;
import dev.paygate.support.ChildGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * With structured logs on, an access-log line is one JSON object whose fields a log platform can
 * index: method, route, status, duration, caller, client address, trace id; still no token.
 * A gateway of its own (child JVM), since the log format is set once per JVM.
 */
class StructuredAccessLogTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void anApiCallIsOneJsonLineWithItsFields() throws Exception {
        Path root = Path.of(TestDataDirectory.ROOT, "structured-logs-" + UUID.randomUUID());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try (ChildGateway gateway = new ChildGateway(root, "--logging.structured.format.console=ecs")) {
            gateway.start();
            String token = gateway.token(http, "json-logged", "CUSTOMER");

            HttpResponse<String> accounts = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/accounts"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(accounts.statusCode()).isEqualTo(200);

            JsonNode line = Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(gateway.log())
                    .stream().filter(text -> text.startsWith("{") && text.contains("GET /accounts 200"))
                    .map(JSON::readTree).findFirst().orElse(null), found -> found != null);
            assertThat(line.get("log").get("logger").asString()).isEqualTo("dev.paygate.access");
            assertThat(line.get("http_method").asString()).isEqualTo("GET");
            assertThat(line.get("route").asString()).isEqualTo("/accounts");
            assertThat(line.get("status").asInt()).isEqualTo(200);
            assertThat(line.get("caller").asString()).isEqualTo("json-logged");
            assertThat(line.get("client_ip").asString()).isEqualTo("127.0.0.1");
            assertThat(line.get("trace_id").asString()).matches("[0-9a-f]{32}");
            assertThat(line.has("duration_ms")).isTrue();
            assertThat(Files.readString(gateway.log())).doesNotContain(token);
        }
    }
}
