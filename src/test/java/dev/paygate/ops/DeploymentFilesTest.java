package dev.paygate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * The deployment files (Dockerfile, docker-compose.yml, deploy/, CI) checked for what breaks
 * them without a Docker engine to run them: a dependency on a service that does not exist, a
 * gateway validating a different issuer than Keycloak stamps, a realm that lost a role or a
 * scope, a mounted file that was renamed. Reads files only: no Spring context, no network.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final List<String> GATEWAYS = List.of("gateway-1", "gateway-2");
    private static final Set<String> STACK = Set.of(
            "postgres", "kafka", "keycloak", "gateway-1", "gateway-2", "nginx", "prometheus", "jaeger");
    private static final Set<String> API_SCOPES = Set.of(
            "accounts:read", "accounts:write", "transfers:read", "transfers:write", "banks:read", "banks:write");
    private static final Set<String> ROLES = Set.of("CUSTOMER", "OPERATOR", "ADMIN");
    private static final Map<String, String> DEMO_USER_ROLES = Map.of(
            "alice", "CUSTOMER", "olivia", "OPERATOR", "adam", "ADMIN");
    private static final Set<String> DEPENDS_ON_CONDITIONS = Set.of(
            "service_started", "service_healthy", "service_completed_successfully");

    @Test
    void composeDefinesTheWholeStack() {
        assertThat(services().keySet()).containsAll(STACK);
    }

    @Test
    void everyDependencyIsAServiceAndEveryHealthyConditionHasAHealthcheck() {
        Map<String, Map<String, Object>> services = services();
        services.forEach((name, service) -> dependsOn(service).forEach((dependency, condition) -> {
            assertThat(services).as("%s depends on %s", name, dependency).containsKey(dependency);
            assertThat(condition).as("%s -> %s", name, dependency).isIn(DEPENDS_ON_CONDITIONS);
            if (condition.equals("service_healthy")) {
                assertThat(services.get(dependency)).as("%s waits for %s to be healthy", name, dependency)
                        .containsKey("healthcheck");
            }
        }));
    }

    static Stream<String> gateways() {
        return GATEWAYS.stream();
    }

    @ParameterizedTest
    @MethodSource("gateways")
    void gatewayUsesTheSharedDatabaseBrokerAndIssuer(String gateway) {
        Map<String, String> env = environment(services().get(gateway));
        assertThat(env).containsEntry("SPRING_PROFILES_ACTIVE", "prod")
                .containsEntry("SPRING_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
                // The prod profile will not start without its keys for bank credentials and pseudonyms.
                .containsKeys("PAYGATE_BANKS_CREDENTIALS_KEY", "PAYGATE_COMPLIANCE_ERASURE_PSEUDONYM_KEY")
                .containsEntry("PAYGATE_SECURITY_AUDIENCE", "paygate")
                .containsKeys("SPRING_R2DBC_USERNAME", "SPRING_R2DBC_PASSWORD",
                        "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT");
        assertThat(env.get("SPRING_R2DBC_URL")).startsWith("r2dbc:postgresql://postgres:5432/");
        assertThat(env.get("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI"))
                .as("keys are fetched over the compose network")
                .startsWith("http://keycloak:8080/realms/paygate/");
        assertThat(env).containsKey("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI");
        assertThat(services().get(gateway).get("build")).as("built from the Dockerfile").isNotNull();
    }

    @Test
    void gatewaysValidateTheIssuerKeycloakStampsOnTokens() {
        Map<String, Object> keycloak = services().get("keycloak");
        String hostname = environment(keycloak).get("KC_HOSTNAME");
        assertThat(hostname).as("KC_HOSTNAME pins the issuer").isNotBlank();
        for (String gateway : GATEWAYS) {
            assertThat(environment(services().get(gateway)))
                    .containsEntry("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI", hostname + "/realms/paygate");
        }
        assertThat(strings(keycloak.get("ports"))).as("the issuer's port is where Keycloak is published")
                .contains(URI.create(hostname).getPort() + ":8080");
    }

    @Test
    void everyFileMountedOrBuiltFromTheRepositoryExists() {
        services().forEach((name, service) -> {
            for (String volume : strings(service.get("volumes"))) {
                if (volume.startsWith("./")) {
                    assertThat(ROOT.resolve(volume.substring(0, volume.indexOf(':')))).as("%s mounts %s", name, volume)
                            .isRegularFile();
                }
            }
            if (service.get("build") instanceof String context) {
                assertThat(ROOT.resolve(context).resolve("Dockerfile")).as("%s builds %s", name, context).isRegularFile();
            }
        });
    }

    @Test
    void prometheusScrapesEachGatewayDirectly() {
        List<Map<String, Object>> jobs = list(yaml("deploy/prometheus.yml").get("scrape_configs"));
        Map<String, Object> paygate = jobs.stream().filter(job -> "paygate".equals(job.get("job_name")))
                .findFirst().orElseThrow();
        assertThat(paygate).containsEntry("metrics_path", "/actuator/prometheus");
        List<String> targets = list(paygate.get("static_configs")).stream()
                .flatMap(config -> strings(config.get("targets")).stream()).toList();
        assertThat(targets).containsExactlyInAnyOrder("gateway-1:8080", "gateway-2:8080");
    }

    @Test
    void nginxBalancesBothGatewaysAndStreamsEvents() {
        String nginx = read("deploy/nginx.conf");
        assertThat(nginx).contains("server gateway-1:8080", "server gateway-2:8080", "keepalive ",
                "proxy_http_version 1.1;", "proxy_set_header Connection \"\";", "proxy_buffering off;",
                "proxy_read_timeout 1h;");
        assertThat(strings(services().get("nginx").get("ports"))).contains("8080:8080");
    }

    @Test
    void realmDefinesRolesScopesClientsAndDemoUsers() {
        Map<String, Object> realm = realm();
        assertThat(realm).containsEntry("realm", "paygate");
        assertThat(names(map(realm.get("roles")).get("realm"))).containsAll(ROLES);
        Set<String> scopes = names(realm.get("clientScopes"));
        assertThat(scopes).containsAll(API_SCOPES);

        Map<String, Map<String, Object>> clients = byKey(realm.get("clients"), "clientId");
        assertThat(clients.get("paygate-cli")).containsEntry("publicClient", true)
                .containsEntry("directAccessGrantsEnabled", true);
        assertThat(clients.get("paygate-service")).containsEntry("publicClient", false)
                .containsEntry("serviceAccountsEnabled", true);
        clients.forEach((id, client) -> {
            List<String> assigned = new ArrayList<>(strings(client.get("defaultClientScopes")));
            assigned.addAll(strings(client.get("optionalClientScopes")));
            // A realm that declares client scopes gets none of Keycloak's built-in ones.
            assertThat(scopes).as("scopes of %s are declared", id).containsAll(assigned);
            assertThat(assigned).as("%s can obtain every API scope", id).containsAll(API_SCOPES);
        });

        Map<String, Map<String, Object>> users = byKey(realm.get("users"), "username");
        DEMO_USER_ROLES.forEach((username, role) -> {
            assertThat(users).containsKey(username);
            assertThat(strings(users.get(username).get("realmRoles"))).containsExactly(role);
            assertThat(list(users.get(username).get("credentials")))
                    .anySatisfy(credential -> assertThat(credential).containsEntry("value", username));
        });
    }

    @Test
    void realmPutsTheClaimsTheGatewayReadsIntoAccessTokens() {
        List<Map<String, Object>> mappers = list(realm().get("clientScopes")).stream()
                .flatMap(scope -> list(scope.get("protocolMappers")).stream()).toList();
        assertThat(mappers).anySatisfy(mapper -> {
            assertThat(mapper).containsEntry("protocolMapper", "oidc-usermodel-realm-role-mapper");
            assertThat(map(mapper.get("config"))).containsEntry("claim.name", "roles")
                    .containsEntry("multivalued", "true").containsEntry("access.token.claim", "true");
        });
        assertThat(mappers).anySatisfy(mapper -> {
            assertThat(mapper).containsEntry("protocolMapper", "oidc-audience-mapper");
            assertThat(map(mapper.get("config"))).containsEntry("included.custom.audience", "paygate");
        });
        // Since Keycloak 25 `sub` comes only from a mapper in the `basic` scope.
        assertThat(mappers).anySatisfy(mapper -> assertThat(mapper).containsEntry("protocolMapper", "oidc-sub-mapper"));
    }

    @Test
    void ciRunsTheSameCommandAsCiRun() {
        Map<String, Object> workflow = yaml(".github/workflows/ci.yml");
        // YAML 1.1 reads the key `on` as the boolean true.
        Map<String, Object> triggers = map(workflow.containsKey("on") ? workflow.get("on") : workflow.get(true));
        assertThat(triggers).containsKeys("push", "pull_request");
        List<String> runs = map(workflow.get("jobs")).values().stream()
                .flatMap(job -> list(map(job).get("steps")).stream())
                .map(step -> String.valueOf(step.get("run"))).toList();
        assertThat(runs).contains("./mvnw -B verify");
    }

    @Test
    void dependabotWatchesMavenAndActions() {
        List<Map<String, Object>> updates = list(yaml(".github/dependabot.yml").get("updates"));
        Map<String, Map<String, Object>> byEcosystem = byKey(updates, "package-ecosystem");
        assertThat(byEcosystem).containsKeys("maven", "github-actions");
        assertThat(strings(byEcosystem.get("maven").get("directories"))).contains("/", "/load-tests");
    }

    @Test
    void imageRunsUnprivilegedWithAHealthcheckOnPort8080() {
        List<String> instructions = dockerfileInstructions();
        assertThat(instructions.stream().filter(line -> line.startsWith("FROM ")).count()).as("multi-stage").isGreaterThan(1);
        List<String> runtime = instructions.subList(lastIndexStartingWith(instructions, "FROM "), instructions.size());
        String user = runtime.get(lastIndexStartingWith(runtime, "USER ")).substring("USER ".length()).trim();
        assertThat(user.split(":")[0]).isNotIn("root", "0");
        assertThat(runtime).anySatisfy(line -> assertThat(line).startsWith("HEALTHCHECK ").doesNotContain("NONE"));
        assertThat(runtime).anySatisfy(line -> assertThat(line).matches("EXPOSE .*\\b8080\\b.*"));
    }

    @Test
    void theImageRunsTheGatewayWithTheGarbageCollectorSettingsTheBenchMeasures() {
        List<String> benchFlags = read("bench/lib.sh").lines()
                .filter(line -> line.startsWith("GATEWAY_GC_FLAGS=("))
                .findFirst().map(line -> List.of(line.replaceAll("^GATEWAY_GC_FLAGS=\\((.*)\\)$", "$1").split("\\s+")))
                .orElseThrow(() -> new AssertionError("bench/lib.sh sets no GATEWAY_GC_FLAGS"));
        assertThat(benchFlags).isNotEmpty().allSatisfy(flag -> assertThat(flag).startsWith("-XX:"));
        String env = dockerfileInstructions().stream().filter(line -> line.startsWith("ENV JAVA_TOOL_OPTIONS="))
                .reduce((first, last) -> last).orElseThrow(() -> new AssertionError("the image sets no JAVA_TOOL_OPTIONS"));
        List<String> imageFlags = List.of(env.replaceAll("^ENV JAVA_TOOL_OPTIONS=\"(.*)\"$", "$1").split("\\s+"));
        assertThat(imageFlags).containsAll(benchFlags);
        // A compose file that set its own JAVA_TOOL_OPTIONS would replace the image's whole.
        GATEWAYS.forEach(gateway -> assertThat(environment(services().get(gateway))).doesNotContainKey("JAVA_TOOL_OPTIONS"));
    }

    @Test
    void dockerignoreKeepsLocalStateOutOfTheBuildContext() {
        assertThat(read(".dockerignore").lines().map(String::trim))
                .contains("target/", "data/", ".git", "load-tests/target/");
    }

    // ---- reading --------------------------------------------------------------------------

    private static Map<String, Map<String, Object>> services() {
        return byKey(map(yaml("docker-compose.yml").get("services")));
    }

    private static Map<String, Object> realm() {
        return map(JsonMapper.builder().build().readValue(read("deploy/keycloak/paygate-realm.json"), Map.class));
    }

    /** Dockerfile instructions with continuation lines joined and comments dropped. */
    private static List<String> dockerfileInstructions() {
        String joined = read("Dockerfile").replaceAll("\\\\\\r?\\n", " ");
        return joined.lines().map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    }

    private static int lastIndexStartingWith(List<String> lines, String prefix) {
        int index = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                index = i;
            }
        }
        assertThat(index).as("an instruction starting with '%s'", prefix).isNotNegative();
        return index;
    }

    /** depends_on in either compose form: a list of names, or a map of name to condition. */
    private static Map<String, String> dependsOn(Map<String, Object> service) {
        Object value = service.get("depends_on");
        if (value instanceof Map<?, ?> conditions) {
            return conditions.entrySet().stream().collect(Collectors.toMap(e -> String.valueOf(e.getKey()),
                    e -> String.valueOf(map(e.getValue()).getOrDefault("condition", "service_started"))));
        }
        return strings(value).stream().collect(Collectors.toMap(name -> name, name -> "service_started"));
    }

    /** environment in either compose form: a map, or a list of KEY=value. */
    private static Map<String, String> environment(Map<String, Object> service) {
        Object value = service.get("environment");
        if (value instanceof Map<?, ?> variables) {
            Map<String, String> env = new LinkedHashMap<>();
            variables.forEach((key, v) -> env.put(String.valueOf(key), String.valueOf(v)));
            return env;
        }
        return strings(value).stream().map(entry -> entry.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> pair.length > 1 ? pair[1] : ""));
    }

    private static Map<String, Map<String, Object>> byKey(Object mapOfMaps) {
        Map<String, Map<String, Object>> result = new LinkedHashMap<>();
        map(mapOfMaps).forEach((key, value) -> result.put(String.valueOf(key), map(value)));
        return result;
    }

    private static Map<String, Map<String, Object>> byKey(Object listOfMaps, String key) {
        Map<String, Map<String, Object>> result = new LinkedHashMap<>();
        list(listOfMaps).forEach(item -> result.put(String.valueOf(item.get(key)), item));
        return result;
    }

    private static Set<String> names(Object listOfMaps) {
        return list(listOfMaps).stream().map(item -> String.valueOf(item.get("name"))).collect(Collectors.toSet());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    private static List<String> strings(Object value) {
        return value == null ? List.of() : ((Collection<?>) value).stream().map(String::valueOf).toList();
    }

    private static Map<String, Object> yaml(String file) {
        return map(new Yaml().load(read(file)));
    }

    private static String read(String file) {
        try {
            return Files.readString(ROOT.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + " from " + ROOT, e);
        }
    }
}
