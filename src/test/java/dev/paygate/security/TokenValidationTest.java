package dev.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.paygate.TestDataDirectory;
import dev.paygate.sandbox.SandboxBank;
import dev.paygate.support.EndToEndTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Every forged, stale or misdirected token is a 401 on every protected endpoint, and changes nothing. */
class TokenValidationTest extends EndToEndTest {

    private static RSAKey signingKey;
    private UUID account;

    @BeforeEach
    void keyAndAccount() throws Exception {
        api.newCustomer(); // makes sure the gateway has written its key
        signingKey = RSAKey.parse(Files.readString(Path.of(TestDataDirectory.SIGNING_KEY)));
        account = api.user("alice", "CUSTOMER").openAccount("USD");
        api.operator().deposit(account, "10.00", "USD");
    }

    static Stream<Arguments> badTokens() {
        return Stream.of(
                Arguments.of("alg none", (TokenMaker) () -> new PlainJWT(claims(b -> b)).serialize()),
                Arguments.of("HS256 signed with the public key", (TokenMaker) () -> {
                    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(signingKey.getKeyID()).build(), claims(b -> b));
                    jwt.sign(new MACSigner(signingKey.toRSAPublicKey().getEncoded()));
                    return jwt.serialize();
                }),
                Arguments.of("bad signature", (TokenMaker) () -> {
                    String[] parts = sign(claims(b -> b), signingKey).split("\\.");
                    char[] signature = parts[2].toCharArray();
                    signature[10] = signature[10] == 'A' ? 'B' : 'A';
                    return parts[0] + "." + parts[1] + "." + new String(signature);
                }),
                Arguments.of("tampered claims", (TokenMaker) () -> {
                    String[] parts = sign(claims(b -> b), signingKey).split("\\.");
                    String forged = Base64URL.encode(claims(b -> b.claim("roles", List.of("ADMIN"))).toString()).toString();
                    return parts[0] + "." + forged + "." + parts[2];
                }),
                Arguments.of("unknown kid and key", (TokenMaker) () ->
                        sign(claims(b -> b), new RSAKeyGenerator(2048).keyID("someone-else").generate())),
                Arguments.of("wrong issuer", (TokenMaker) () -> sign(claims(b -> b.issuer("https://evil.example")), signingKey)),
                Arguments.of("wrong audience", (TokenMaker) () -> sign(claims(b -> b.audience("another-api")), signingKey)),
                Arguments.of("expired beyond the skew", (TokenMaker) () -> sign(claims(b -> b
                        .expirationTime(Date.from(Instant.now().minus(Duration.ofMinutes(2))))), signingKey)),
                Arguments.of("not valid before the future", (TokenMaker) () -> sign(claims(b -> b
                        .notBeforeTime(Date.from(Instant.now().plus(Duration.ofMinutes(5))))), signingKey)),
                Arguments.of("no expiry", (TokenMaker) () -> sign(claims(b -> b.expirationTime(null)), signingKey)),
                Arguments.of("no subject", (TokenMaker) () -> sign(claims(b -> b.subject(null)), signingKey)),
                Arguments.of("garbage", (TokenMaker) () -> "not.a.token"));
    }

    static Stream<Arguments> protectedEndpoints() {
        return Stream.of(
                Arguments.of(HttpMethod.GET, "/accounts", null),
                Arguments.of(HttpMethod.POST, "/accounts", "{\"currency\":\"USD\"}"),
                Arguments.of(HttpMethod.GET, "/accounts/{account}", null),
                Arguments.of(HttpMethod.GET, "/accounts/{account}/balance", null),
                Arguments.of(HttpMethod.POST, "/accounts/{account}/deposit", "{\"amount\":\"1\",\"currency\":\"USD\"}"),
                Arguments.of(HttpMethod.POST, "/accounts/{account}/withdraw", "{\"amount\":\"1\",\"currency\":\"USD\"}"),
                Arguments.of(HttpMethod.POST, "/transfers", "{\"from_account\":\"{account}\",\"to_account\":\"{account}\",\"amount\":\"1\",\"currency\":\"USD\"}"),
                Arguments.of(HttpMethod.PUT, "/accounts/{account}", "{\"name\":\"x\"}"),
                Arguments.of(HttpMethod.GET, "/accounts/{account}/events", null),
                Arguments.of(HttpMethod.GET, "/transfers/{tx}", null),
                Arguments.of(HttpMethod.GET, "/transfers/{tx}/status", null),
                Arguments.of(HttpMethod.GET, "/transfers/{tx}/events", null),
                Arguments.of(HttpMethod.GET, "/transactions", null),
                Arguments.of(HttpMethod.GET, "/transactions/{tx}", null),
                Arguments.of(HttpMethod.GET, "/audit-events", null),
                Arguments.of(HttpMethod.GET, "/webhooks", null),
                Arguments.of(HttpMethod.POST, "/webhooks", "{\"url\":\"https://example.com/hook\",\"event_types\":[\"*\"]}"),
                Arguments.of(HttpMethod.GET, "/external-banks", null),
                Arguments.of(HttpMethod.POST, "/external-banks", "{\"name\":\"b\"}"),
                Arguments.of(HttpMethod.GET, "/external-banks/" + SandboxBank.ID, null),
                Arguments.of(HttpMethod.POST, "/external-banks/" + SandboxBank.ID + "/transfers", "{\"account_id\":\"{account}\"}"),
                Arguments.of(HttpMethod.GET, "/external-banks/" + SandboxBank.ID + "/health", null),
                Arguments.of(HttpMethod.GET, "/external-banks/" + SandboxBank.ID + "/reconciliation?date=2026-01-01", null),
                Arguments.of(HttpMethod.PUT, "/external-banks/" + SandboxBank.ID + "/sandbox-faults", "{\"error_rate\":1}"),
                Arguments.of(HttpMethod.PUT, "/users/someone/kyc", "{\"level\":\"FULL\"}"),
                Arguments.of(HttpMethod.GET, "/users/someone/limits", null),
                Arguments.of(HttpMethod.GET, "/compliance/alerts", null),
                Arguments.of(HttpMethod.POST, "/compliance/reviews/{tx}/approve", "{\"reason\":\"ok\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void aBadTokenIsRefusedEverywhere(String name, TokenMaker maker) throws Exception {
        String token = maker.make();
        String before = ledger.snapshot();

        protectedEndpoints().forEach(endpoint -> call(endpoint, token, false).expectStatus().isUnauthorized()
                    .expectHeader().contentType("application/problem+json")
                    .expectHeader().valueMatches("WWW-Authenticate", "Bearer.*"));

        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    /** One endpoint of {@link #protectedEndpoints()}, with the token in the header or in the query string. */
    private WebTestClient.ResponseSpec call(Arguments endpoint, String token, boolean tokenInQuery) {
        HttpMethod method = (HttpMethod) endpoint.get()[0];
        String path = ((String) endpoint.get()[1]).replace("{account}", account.toString())
                .replace("{tx}", UUID.randomUUID().toString());
        String body = (String) endpoint.get()[2];
        var request = tokenInQuery
                ? client.method(method).uri(path + (path.contains("?") ? "&" : "?") + "access_token=" + token)
                : client.method(method).uri(path).header("Authorization", "Bearer " + token);
        return body == null ? request.exchange()
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body.replace("{account}", account.toString()))
                        .exchange();
    }

    @Test
    void aCardNumberIsNeverATokenSubject() {
        client.post().uri("/dev/tokens").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"subject\":\"4111 1111 1111 1111\"}")
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.reason_code").isEqualTo("FF01").jsonPath("$.errors.subject").exists();
    }

    @Test
    void aValidHandMadeTokenIsAcceptedSoTheRefusalsAboveAreAboutTheirFlaw() throws Exception {
        String token = sign(claims(b -> b), signingKey);

        client.get().uri("/accounts/" + account).header("Authorization", "Bearer " + token)
                .exchange().expectStatus().isOk();
    }

    @Test
    void aTokenInTheQueryStringIsNotAccepted() throws Exception {
        String token = sign(claims(b -> b), signingKey);

        String before = ledger.snapshot();

        protectedEndpoints().forEach(endpoint -> call(endpoint, token, true).expectStatus().isUnauthorized());

        assertThat(ledger.snapshot()).isEqualTo(before);
    }

    @Test
    void noTokenIsA401WithAChallenge() {
        client.get().uri("/accounts").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueEquals("WWW-Authenticate", "Bearer")
                .expectBody().jsonPath("$.type").isEqualTo("https://paygate.dev/problems/unauthenticated");
    }

    @Test
    void healthNeedsNoToken() {
        client.get().uri("/actuator/health").exchange().expectStatus().isOk();
    }

    @Test
    void aRefusedTokenIsWrittenToTheAuditLog() {
        long before = auditRows();

        client.get().uri("/accounts").header("Authorization", "Bearer not.a.token").exchange().expectStatus().isUnauthorized();

        assertThat(auditRows()).isEqualTo(before + 1);
    }

    private long auditRows() {
        return db.sql("SELECT count(*) AS n FROM audit_log WHERE outcome = 'UNAUTHENTICATED'")
                .map(row -> row.get("n", Long.class)).one().block();
    }

    static JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .issuer("paygate-dev")
                .audience("paygate")
                .subject("alice")
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))))
                .claim("scope", "accounts:read accounts:write transfers:read transfers:write")
                .claim("roles", List.of("CUSTOMER"));
        return change.apply(builder).build();
    }

    static String sign(JWTClaimsSet claims, RSAKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @FunctionalInterface
    interface TokenMaker {
        String make() throws Exception;
    }

}
