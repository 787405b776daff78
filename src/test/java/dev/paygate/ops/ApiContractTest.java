package dev.paygate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.ApiContract;
import dev.paygate.support.EndToEndTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The OpenAPI document at /openapi.yaml: served without a token, shown by Swagger UI offline, naming
 * every route of the code, and, through {@link ApiContract}, the oracle for every response the suite
 * receives. The table below proves the oracle refuses what the document does not describe, so the
 * check cannot be silently off.
 */
class ApiContractTest extends EndToEndTest {

    private static final String ACCOUNT = """
            {"id":"0192f0c4-7a51-7c3e-9a55-1c2d3e4f5a6b","user_id":"alice","name":"Main","currency":"USD",
             "balance":"10.00","available":"10.00","held":"0.00","overdraft_limit":"0.00","status":"ACTIVE",
             "created_at":"2026-01-31T10:00:00Z","updated_at":"2026-01-31T10:00:00.123456Z"}""";
    private static final String PROBLEM = """
            {"type":"https://paygate.dev/problems/insufficient-funds","title":"Insufficient funds","status":422,
             "detail":"The available balance of the source account is lower than the amount.","instance":"/transfers",
             "reason_code":"AM04","transaction_id":"0192f0c4-7a51-7c3e-9a55-1c2d3e4f5a6b"}""";
    private static final int DOCUMENT_BYTES_MAX = 1024 * 1024;
    private static final String ACCOUNT_PATH = "/accounts/0192f0c4-7a51-7c3e-9a55-1c2d3e4f5a6b";

    /** The raw client: Swagger UI's own assets are no part of the API and are not in the document. */
    @Autowired
    private WebTestClient raw;

    static Stream<Arguments> responses() {
        return Stream.of(
                // described: accepted
                Arguments.of(HttpMethod.GET, ACCOUNT_PATH, 200, MediaType.APPLICATION_JSON, ACCOUNT, null, true),
                Arguments.of(HttpMethod.POST, "/transfers", 422, MediaType.APPLICATION_PROBLEM_JSON, PROBLEM, null, true),
                Arguments.of(HttpMethod.DELETE, "/webhooks/0192f0c4-7a51-7c3e-9a55-1c2d3e4f5a6b", 204, null, "", null, true),
                Arguments.of(HttpMethod.GET, "/nowhere", 404, MediaType.APPLICATION_PROBLEM_JSON,
                        PROBLEM.replace("insufficient-funds", "not-found").replace("422", "404"), null, true),
                // drifted: refused
                Arguments.of(HttpMethod.GET, "/nowhere", 404, MediaType.TEXT_HTML, "<h1>Not found</h1>", null, false),
                Arguments.of(HttpMethod.GET, ACCOUNT_PATH, 200, MediaType.APPLICATION_JSON,
                        ACCOUNT.replace("\"held\":\"0.00\",", ""), null, false),
                Arguments.of(HttpMethod.GET, ACCOUNT_PATH, 200, MediaType.APPLICATION_JSON,
                        ACCOUNT.replace("\"name\":\"Main\"", "\"name\":\"Main\",\"nickname\":\"M\""), null, false),
                Arguments.of(HttpMethod.GET, ACCOUNT_PATH, 200, MediaType.APPLICATION_JSON,
                        ACCOUNT.replace("\"10.00\"", "10.0"), null, false),
                Arguments.of(HttpMethod.GET, ACCOUNT_PATH, 200, MediaType.APPLICATION_JSON,
                        ACCOUNT.replace("ACTIVE", "SUSPENDED"), null, false),
                Arguments.of(HttpMethod.GET, ACCOUNT_PATH, 200, MediaType.TEXT_PLAIN, "hello", null, false),
                Arguments.of(HttpMethod.GET, ACCOUNT_PATH, 500, MediaType.APPLICATION_PROBLEM_JSON, PROBLEM, null, false),
                Arguments.of(HttpMethod.PATCH, ACCOUNT_PATH, 200, MediaType.APPLICATION_JSON, ACCOUNT, null, false),
                Arguments.of(HttpMethod.GET, "/accounts/x/statements", 200, MediaType.APPLICATION_JSON, "{}", null, false),
                Arguments.of(HttpMethod.POST, "/transfers", 422, MediaType.APPLICATION_PROBLEM_JSON,
                        PROBLEM.replace("insufficient-funds", "out-of-money"), null, false),
                Arguments.of(HttpMethod.POST, "/transfers", 422, MediaType.APPLICATION_PROBLEM_JSON,
                        PROBLEM.replace("AM04", "XX99"), null, false),
                Arguments.of(HttpMethod.GET, ACCOUNT_PATH, 200, MediaType.APPLICATION_JSON, ACCOUNT, "Retry-After", false),
                Arguments.of(HttpMethod.DELETE, "/webhooks/0192f0c4-7a51-7c3e-9a55-1c2d3e4f5a6b", 204,
                        MediaType.APPLICATION_JSON, "{}", null, false));
    }

    @ParameterizedTest(name = "{0} {1} -> {2} {3}, described: {6}")
    @MethodSource("responses")
    void theContractRefusesEveryResponseTheDocumentDoesNotDescribe(HttpMethod method, String path, int status,
                                                                   MediaType type, String body, String extraHeader,
                                                                   boolean described) {
        HttpHeaders headers = new HttpHeaders();
        if (type != null) {
            headers.setContentType(type);
        }
        if (extraHeader != null) {
            headers.set(extraHeader, "1");
        }
        List<String> problems = ApiContract.paygate().problems(method, path, status, headers,
                body.getBytes(StandardCharsets.UTF_8));
        if (described) {
            assertThat(problems).isEmpty();
        } else {
            assertThat(problems).isNotEmpty();
        }
    }

    @Test
    void aDocumentThatDriftedFromTheCodeFailsTheTestThatReceivesTheResponse() throws IOException {
        String document = new String(getClass().getClassLoader().getResourceAsStream("openapi.yaml")
                .readAllBytes(), StandardCharsets.UTF_8);
        // As if someone renamed a field in the code but not in the document.
        ApiContract drifted = ApiContract.of(document.replace("        held: {$ref: '#/components/schemas/Amount'}",
                "        held_amount: {$ref: '#/components/schemas/Amount'}"));
        WebTestClient checked = api.newCustomer().client().mutate().filter(drifted.filter()).build();

        Throwable error = org.assertj.core.api.Assertions.catchThrowable(() -> checked.post().uri("/accounts")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"currency\":\"USD\"}").exchange());

        Throwable cause = error instanceof AssertionError ? error : error == null ? null : error.getCause();
        assertThat(cause).isInstanceOf(AssertionError.class)
                .hasMessageContaining("POST /accounts -> 201")
                .hasMessageContaining("property 'held' is not defined");
        assertThat(drifted.drainViolations()).hasSize(1);
    }

    @Test
    void theDocumentNamesEveryRouteOfTheCode() throws IOException {
        JsonNode paths = YAMLMapper.builder().build().readTree(
                getClass().getClassLoader().getResourceAsStream("openapi.yaml")).get("paths");
        Pattern route = Pattern.compile("\\b(GET|POST|PUT|DELETE|PATCH)\\(\"([^\"]+)\"\\)");
        List<Path> sources;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            sources = files.filter(file -> file.toString().endsWith(".java")).toList();
        }
        int routes = 0;
        for (Path source : sources) {
            Matcher found = route.matcher(Files.readString(source));
            while (found.find()) {
                String method = found.group(1).toLowerCase();
                String template = found.group(2);
                routes++;
                assertThat(paths.path(template).has(method))
                        .as("%s %s (%s) is in openapi.yaml", method, template, source.getFileName())
                        .isTrue();
            }
        }
        assertThat(routes).as("routes found in the code").isGreaterThan(25);
    }

    @Test
    void theDocumentIsServedWithoutAToken() {
        byte[] body = api.anonymous().mutate().codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(DOCUMENT_BYTES_MAX))
                .build().get().uri("/openapi.yaml").exchange()
                .expectStatus().isOk()
                .expectBody().returnResult().getResponseBody();
        JsonNode served = YAMLMapper.builder().build().readTree(body);
        assertThat(served.get("openapi").asString()).isEqualTo("3.1.0");
        assertThat(served.at("/components/securitySchemes/bearerAuth/bearerFormat").asString()).isEqualTo("JWT");
        api.anonymous().get().uri("/v3/api-docs").exchange().expectStatus().isPermanentRedirect()
                .expectHeader().location("/openapi.yaml");
    }

    @Test
    void swaggerUiIsServedOfflineWithoutATokenAndShowsOurDocument() {
        var answer = api.anonymous().get().uri("/swagger-ui.html").exchange().returnResult(String.class);
        String page = "/swagger-ui.html";
        if (answer.getStatus().is3xxRedirection()) {
            page = answer.getResponseHeaders().getLocation().toString();
        } else {
            assertThat(answer.getStatus().value()).isEqualTo(200);
        }
        String html = raw.get().uri(page).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(html).contains("swagger-ui");
        String base = page.substring(0, page.lastIndexOf('/') + 1);
        raw.get().uri(base + "swagger-ui-bundle.js").exchange().expectStatus().isOk();
        String initializer = raw.get().uri(base + "swagger-initializer.js").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        String config = initializer.contains("/openapi.yaml") ? initializer
                : raw.get().uri("/v3/api-docs/swagger-config").exchange().expectStatus().isOk()
                        .expectBody(String.class).returnResult().getResponseBody();
        assertThat(config).as("Swagger UI's configuration names our document").contains("\"/openapi.yaml\"");
        assertThat(initializer).doesNotContain("petstore");
    }
}
