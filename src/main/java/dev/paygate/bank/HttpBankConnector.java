package dev.paygate.bank;

import dev.paygate.bank.BankProtocol.BankPayment;
import dev.paygate.bank.BankProtocol.PaymentOrder;
import dev.paygate.bank.BankProtocol.Statement;
import dev.paygate.bank.BankProtocol.StatementLine;
import dev.paygate.bank.BankProtocol.TokenResponse;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The connector for banks that speak {@code docs/bank-api.yaml}, over WebClient, authenticated
 * with the bank's credentials: an HMAC-SHA256 signature on each request, or an OAuth2
 * client-credentials token fetched, cached, and refreshed before it expires.
 */
final class HttpBankConnector implements BankConnector {

    static final String PROTOCOL = "paygate-bank-api-v1";

    private static final long TOKEN_REFRESH_MARGIN_SECONDS = 30;

    private final ExternalBanks.Bank bank;
    private final Map<String, String> credentials;
    private final WebClient http;
    private final BankResilience resilience;
    private final JsonMapper json;
    private final AtomicReference<CachedToken> token = new AtomicReference<>();

    HttpBankConnector(ExternalBanks.Bank bank, Map<String, String> credentials, WebClient http,
                      BankResilience resilience, JsonMapper json) {
        this.bank = bank;
        this.credentials = credentials;
        this.http = http;
        this.resilience = resilience;
        this.json = json;
    }

    @Override
    public Mono<BankPayment> pay(PaymentOrder order) {
        return call(HttpMethod.POST, "/payments", json.writeValueAsString(order), BankPayment.class);
    }

    @Override
    public Mono<BankPayment> inquire(UUID paymentId) {
        return call(HttpMethod.GET, "/payments/" + paymentId, "", BankPayment.class)
                .onErrorResume(WebClientResponseException.NotFound.class, unknown -> Mono.empty());
    }

    @Override
    public Mono<BankPayment> cancel(UUID paymentId) {
        return call(HttpMethod.POST, "/payments/" + paymentId + "/cancel", "", BankPayment.class);
    }

    @Override
    public Flux<StatementLine> statement(LocalDate date) {
        return call(HttpMethod.GET, "/statements/" + date, "", Statement.class)
                .flatMapIterable(Statement::payments);
    }

    private <T> Mono<T> call(HttpMethod method, String path, String body, Class<T> answer) {
        URI uri = URI.create(bank.apiUrl() + path);
        return resilience.guard(bank.id(), authenticate(method, uri, body)
                .flatMap(request -> request.retrieve().bodyToMono(answer))
                // A bank may revoke a token before it expires: the next call fetches a new one.
                .doOnError(WebClientResponseException.Unauthorized.class, refused -> token.set(null)));
    }

    private Mono<WebClient.RequestBodySpec> authenticate(HttpMethod method, URI uri, String body) {
        WebClient.RequestBodySpec request = http.method(method).uri(uri).contentType(MediaType.APPLICATION_JSON);
        if (!body.isEmpty()) {
            request.body(BodyInserters.fromValue(body));
        }
        return switch (bank.authMethod()) {
            case HMAC -> Mono.fromSupplier(() -> signed(request, method, uri, body));
            case OAUTH2 -> bearerToken().map(value -> {
                request.headers(headers -> headers.setBearerAuth(value));
                return request;
            });
        };
    }

    private WebClient.RequestBodySpec signed(WebClient.RequestBodySpec request, HttpMethod method, URI uri, String body) {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        String nonce = UUID.randomUUID().toString();
        String signature = BankSignatures.sign(credentials.get("secret"),
                BankProtocol.signedText(method.name(), uri.getRawPath(), timestamp, nonce, body));
        return request.headers(headers -> {
            headers.set(BankProtocol.KEY_ID_HEADER, credentials.get("key_id"));
            headers.set(BankProtocol.TIMESTAMP_HEADER, timestamp);
            headers.set(BankProtocol.NONCE_HEADER, nonce);
            headers.set(BankProtocol.SIGNATURE_HEADER, signature);
        });
    }

    /** A cached token while it has more than the margin left; else a new one from the token endpoint. */
    private Mono<String> bearerToken() {
        CachedToken cached = token.get();
        if (cached != null && cached.expiresAt().isAfter(Instant.now().plusSeconds(TOKEN_REFRESH_MARGIN_SECONDS))) {
            return Mono.just(cached.value());
        }
        String tokenUrl = credentials.getOrDefault("token_url", bank.apiUrl() + "/oauth/token");
        return http.post().uri(tokenUrl)
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(BodyInserters.fromFormData("grant_type", "client_credentials")
                        .with("client_id", credentials.get("client_id"))
                        .with("client_secret", credentials.get("client_secret")))
                .retrieve()
                .onStatus(HttpStatus.UNAUTHORIZED::equals, response -> Mono.error(
                        new IllegalStateException("bank " + bank.name() + " refused our client credentials")))
                .bodyToMono(TokenResponse.class)
                .map(fresh -> {
                    token.set(new CachedToken(fresh.accessToken(), Instant.now().plusSeconds(fresh.expiresIn())));
                    return fresh.accessToken();
                });
    }

    private record CachedToken(String value, Instant expiresAt) {
    }

    /** Connectors for banks that speak {@code docs/bank-api.yaml}. */
    @Component
    static final class Factory implements BankConnectorFactory {

        private static final int BANK_ANSWER_BYTES_MAX = 32 * 1024 * 1024;

        private final WebClient http;
        private final BankResilience resilience;
        private final JsonMapper json;

        Factory(WebClient.Builder http, BankResilience resilience, JsonMapper json) {
            // Our own request bodies are capped at 64 KiB; a bank's day statement may be far larger.
            this.http = http.codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(BANK_ANSWER_BYTES_MAX)).build();
            this.resilience = resilience;
            this.json = json;
        }

        @Override
        public String protocol() {
            return PROTOCOL;
        }

        @Override
        public BankConnector connect(ExternalBanks.Bank bank, Map<String, String> credentials) {
            return new HttpBankConnector(bank, credentials, http, resilience, json);
        }
    }
}
