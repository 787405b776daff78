package dev.paygate.support;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The API document as the test suite's oracle: every response a test receives is matched to an
 * operation of {@code openapi.yaml} (path, method, status, media type, the API's own headers) and its
 * JSON body validated against the operation's schema, so the document cannot drift from the code.
 * The sandbox bank's {@code /sandbox/banks/{bank_id}/**} answers are checked against its own
 * protocol document, {@code docs/bank-api.yaml}. A response the documents do not describe is an
 * {@link AssertionError} naming the route, the status and what is wrong.
 */
public final class ApiContract {

    static final String OPENAPI_RESOURCE = "openapi.yaml";
    static final Path BANK_API_FILE = Path.of("docs/bank-api.yaml");
    private static final String SANDBOX_PREFIX = "/sandbox/banks/{bank_id}";
    /** Response headers that carry API semantics: each one sent must be documented for that response. */
    private static final Set<String> API_HEADERS = Set.of("location", "idempotent-replayed", "retry-after",
            "www-authenticate");
    private static final int BODY_SHOWN_CHARS_MAX = 600;
    /** The document's answers to requests outside its paths and methods. */
    private static final String UNMATCHED = "x-unmatched-responses";

    private static volatile @Nullable ApiContract shared;

    private final List<Document> documents;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    private ApiContract(List<Document> documents) {
        this.documents = documents;
        Map<String, String> texts = new HashMap<>();
        JsonMapper json = JsonMapper.builder().build();
        documents.forEach(document -> texts.put(document.iri(), json.writeValueAsString(document.root())));
        this.registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), builder -> builder.schemas(texts)
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    }

    /** The contract of Paygate's document and the bank protocol's, loaded once per test JVM. */
    public static ApiContract paygate() {
        ApiContract contract = shared;
        if (contract == null) {
            synchronized (ApiContract.class) {
                contract = shared;
                if (contract == null) {
                    contract = new ApiContract(List.of(
                            Document.of("", "https://paygate.dev/openapi.json", readResource(OPENAPI_RESOURCE)),
                            Document.of(SANDBOX_PREFIX, "https://paygate.dev/bank-api.json", readFile(BANK_API_FILE))));
                    shared = contract;
                }
            }
        }
        return contract;
    }

    /** A contract over one document's text, e.g. to prove that a drift is caught. */
    public static ApiContract of(String openApiYaml) {
        return new ApiContract(List.of(Document.of("", "https://paygate.dev/test.json", openApiYaml)));
    }

    /**
     * What is wrong with a response, as the documents see it; empty when it is described.
     *
     * @param body the response body; ignored for {@code text/event-stream}
     */
    public List<String> problems(HttpMethod method, String path, int status, HttpHeaders headers, byte[] body) {
        Match match = match(path);
        if (match == null) {
            return unmatched(documents.get(0), "no path of the document matches " + path, status, headers, body);
        }
        JsonNode operation = match.route().item().get(method.name().toLowerCase(Locale.ROOT));
        if (operation == null || !operation.isObject()) {
            return unmatched(documents.get(0), "the document has no " + method + " operation on "
                    + match.route().template(), status, headers, body);
        }
        String operationPointer = match.route().pointer() + "/" + escape(method.name().toLowerCase(Locale.ROOT));
        return described(match.document(), operation.path("responses"), operationPointer + "/responses",
                method + " " + match.route().template(), status, headers, body);
    }

    /**
     * A request outside the document's paths and methods may only get one of the answers its
     * {@code x-unmatched-responses} lists (a 404 or 405 problem, or the security chain's 401/429).
     */
    private List<String> unmatched(Document document, String why, int status, HttpHeaders headers, byte[] body) {
        JsonNode fallback = document.root().path(UNMATCHED);
        if (!fallback.has(Integer.toString(status))) {
            return List.of(why + ", and " + status + " is not among its " + UNMATCHED);
        }
        return described(document, fallback, "/" + UNMATCHED, why, status, headers, body);
    }

    private List<String> described(Document document, JsonNode responses, String pointer, String operation,
                                   int status, HttpHeaders headers, byte[] body) {
        String code = Integer.toString(status);
        String key = responses.has(code) ? code : responses.has(code.charAt(0) + "XX") ? code.charAt(0) + "XX"
                : responses.has("default") ? "default" : null;
        if (key == null) {
            return List.of("status " + status + " is not a documented response of " + operation);
        }
        Resolved response = resolve(document, responses.get(key), pointer + "/" + escape(key));
        List<String> problems = new ArrayList<>();
        checkHeaders(document, response.node(), headers, problems);
        checkContent(document, response, headers, body, problems);
        return problems;
    }

    /** Throws when the response is not described; every failure is also kept for {@link #drainViolations()}. */
    public void check(HttpMethod method, URI url, int status, HttpHeaders headers, byte[] body) {
        List<String> problems = problems(method, url.getRawPath(), status, headers, body);
        if (!problems.isEmpty()) {
            String text = new String(body, StandardCharsets.UTF_8);
            String message = "Response not described by the API document: " + method + " " + url.getRawPath()
                    + " -> " + status + " " + headers.getContentType() + "\n  - " + String.join("\n  - ", problems)
                    + "\n  body: " + (text.length() > BODY_SHOWN_CHARS_MAX ? text.substring(0, BODY_SHOWN_CHARS_MAX) + "..." : text);
            violations.add(message);
            throw new AssertionError(message);
        }
    }

    /** The violations seen since the last call, then forgets them. */
    public List<String> drainViolations() {
        List<String> seen = List.copyOf(violations);
        violations.removeAll(seen);
        return seen;
    }

    /**
     * A client filter that checks every response. The body is read whole, checked, and handed on
     * unchanged; an event stream is checked by route, status and media type only, and streams on.
     */
    public ExchangeFilterFunction filter() {
        return (request, next) -> next.exchange(request).flatMap(response -> {
            HttpHeaders headers = response.headers().asHttpHeaders();
            MediaType type = headers.getContentType();
            if (type != null && type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM)) {
                check(request.method(), request.url(), response.statusCode().value(), headers, new byte[0]);
                return Mono.just(response);
            }
            return DataBufferUtils.join(response.body(BodyExtractors.toDataBuffers()))
                    .map(buffer -> {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        DataBufferUtils.release(buffer);
                        return bytes;
                    })
                    .defaultIfEmpty(new byte[0])
                    .map(bytes -> {
                        check(request.method(), request.url(), response.statusCode().value(), headers, bytes);
                        return rebuilt(response, bytes);
                    });
        });
    }

    private static ClientResponse rebuilt(ClientResponse response, byte[] bytes) {
        return response.mutate()
                .body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes)))
                .build();
    }

    private void checkHeaders(Document document, JsonNode response, HttpHeaders headers, List<String> problems) {
        JsonNode documented = response.path("headers");
        for (String name : headers.headerNames()) {
            if (!API_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            JsonNode header = null;
            for (Iterator<String> names = documented.propertyNames().iterator(); names.hasNext(); ) {
                String candidate = names.next();
                if (candidate.equalsIgnoreCase(name)) {
                    header = resolve(document, documented.get(candidate), "").node();
                }
            }
            if (header == null) {
                problems.add("header " + name + " is sent but not documented for this response");
                continue;
            }
            JsonNode schema = header.path("schema");
            JsonNode allowed = schema.path("enum");
            String value = headers.getFirst(name);
            if (allowed.isArray() && allowed.valueStream().noneMatch(option -> option.asString().equals(value))) {
                problems.add("header " + name + ": " + value + " is not one of " + allowed);
            }
            if ("integer".equals(schema.path("type").asString("")) && (value == null || !value.matches("[0-9]+"))) {
                problems.add("header " + name + ": " + value + " is not a whole number");
            }
        }
    }

    private void checkContent(Document document, Resolved response, HttpHeaders headers, byte[] body,
                              List<String> problems) {
        JsonNode content = response.node().path("content");
        MediaType actual = headers.getContentType();
        if (!content.isObject() || content.isEmpty()) {
            if (body.length > 0) {
                problems.add("the document describes no body, but " + body.length + " bytes of " + actual + " came");
            }
            return;
        }
        if (actual == null) {
            if (body.length > 0) {
                problems.add("a body came without a Content-Type");
            } else {
                problems.add("the document describes a body of " + names(content) + ", but none came");
            }
            return;
        }
        String mediaKey = null;
        for (String candidate : names(content)) {
            if (MediaType.parseMediaType(candidate).equalsTypeAndSubtype(actual)) {
                mediaKey = candidate;
            }
        }
        if (mediaKey == null) {
            problems.add("media type " + actual + " is not documented (documented: " + names(content) + ")");
            return;
        }
        boolean json = actual.getSubtype().equals("json") || actual.getSubtype().endsWith("+json");
        if (!json || !content.get(mediaKey).has("schema")) {
            return;
        }
        String pointer = response.pointer() + "/content/" + escape(mediaKey) + "/schema";
        Schema schema = schemas.computeIfAbsent(document.iri() + "#" + pointer,
                location -> registry.getSchema(SchemaLocation.of(location)));
        for (Error error : schema.validate(new String(body, StandardCharsets.UTF_8), InputFormat.JSON)) {
            problems.add("body " + error);
        }
    }

    private @Nullable Match match(String path) {
        return documents.stream()
                .flatMap(document -> document.routes().stream()
                        .filter(route -> route.pattern().matcher(path).matches())
                        .map(route -> new Match(document, route)))
                // A literal segment beats a template: /accounts/{id} never shadows a fixed path.
                .max(Comparator.comparingInt(match -> match.route().literalChars()))
                .orElse(null);
    }

    private static Resolved resolve(Document document, JsonNode node, String pointer) {
        JsonNode current = node;
        String at = pointer;
        for (int depth = 0; current.has("$ref") && depth < 10; depth++) {
            String ref = current.get("$ref").asString();
            if (!ref.startsWith("#/")) {
                throw new IllegalStateException("only local $refs are supported: " + ref);
            }
            at = ref.substring(1);
            current = document.root().at(at);
            if (current.isMissingNode()) {
                throw new IllegalStateException("dangling $ref " + ref);
            }
        }
        return new Resolved(current, at);
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.propertyNames().forEach(names::add);
        return names;
    }

    /** A JSON pointer token, also percent-encoded for use as a URI fragment. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1").replace("{", "%7B").replace("}", "%7D");
    }

    private static String readResource(String name) {
        try (InputStream in = ApiContract.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readFile(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One OpenAPI document, served under a path prefix. */
    private record Document(String prefix, String iri, JsonNode root, List<Route> routes) {

        static Document of(String prefix, String iri, String yaml) {
            JsonNode root = YAMLMapper.builder().build().readTree(yaml);
            if (!root.path("openapi").asString("").startsWith("3.1")) {
                throw new IllegalStateException(iri + " is not an OpenAPI 3.1 document");
            }
            List<Route> routes = new ArrayList<>();
            JsonNode paths = root.path("paths");
            for (String template : names(paths)) {
                routes.add(Route.of(prefix, template, paths.get(template)));
            }
            return new Document(prefix, iri, root, routes);
        }
    }

    /** A path template of a document, with the pattern that matches request paths. */
    private record Route(String template, Pattern pattern, int literalChars, JsonNode item, String pointer) {

        private static final Pattern PARAMETER = Pattern.compile("\\{[^}/]+}");

        static Route of(String prefix, String template, JsonNode item) {
            String full = prefix + template;
            StringBuilder regex = new StringBuilder();
            Matcher parameters = PARAMETER.matcher(full);
            int end = 0;
            int literal = 0;
            while (parameters.find()) {
                regex.append(Pattern.quote(full.substring(end, parameters.start()))).append("[^/]+");
                literal += parameters.start() - end;
                end = parameters.end();
            }
            regex.append(Pattern.quote(full.substring(end)));
            literal += full.length() - end;
            return new Route(full, Pattern.compile(regex.toString()), literal, item, "/paths/" + escape(template));
        }
    }

    private record Match(Document document, Route route) {
    }

    private record Resolved(JsonNode node, String pointer) {
    }
}
