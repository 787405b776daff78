package dev.paygate.sandbox;

import dev.paygate.bank.BankProtocol;
import dev.paygate.bank.BankRegistry;
import dev.paygate.bank.BankSignatures;
import dev.paygate.bank.ExternalBanks;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The sandbox bank checks its callers as a real bank would: an HMAC-signed request must carry the
 * bank's key id, a fresh timestamp and a valid signature, and a signature is accepted once (a
 * replayed request is refused); an OAuth2 bank accepts only bearer tokens it issued for the
 * bank's client credentials.
 */
@Component
class SandboxAuth {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int SEEN_MAX = 100_000;

    private final BankRegistry registry;
    private final SandboxProperties properties;
    private final Map<String, Instant> seenSignatures = new ConcurrentHashMap<>();
    private final Map<String, IssuedToken> tokens = new ConcurrentHashMap<>();

    SandboxAuth(BankRegistry registry, SandboxProperties properties) {
        this.registry = registry;
        this.properties = properties;
    }

    /** Empty when the request is authentic; else why not. */
    Mono<String> refusal(UUID bankId, String method, String path, HttpHeaders headers, String body) {
        return registry.find(bankId).zipWith(registry.credentials(bankId))
                .map(bankAndCredentials -> {
                    ExternalBanks.Bank bank = bankAndCredentials.getT1();
                    Map<String, String> credentials = bankAndCredentials.getT2();
                    return bank.authMethod() == ExternalBanks.AuthMethod.HMAC
                            ? hmacRefusal(credentials, method, path, headers, body)
                            : bearerRefusal(bankId, headers);
                })
                .defaultIfEmpty("unknown bank")
                .filter(reason -> !reason.isEmpty());
    }

    /** A token for the bank's client credentials (client_credentials grant), or empty when they are wrong. */
    Mono<BankProtocol.TokenResponse> issueToken(UUID bankId, String clientId, String clientSecret) {
        return registry.credentials(bankId)
                .filter(credentials -> clientId.equals(credentials.get("client_id"))
                        && clientSecret.equals(credentials.get("client_secret")))
                .map(credentials -> {
                    byte[] bytes = new byte[24];
                    RANDOM.nextBytes(bytes);
                    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
                    long lifetimeSeconds = 300;
                    tokens.put(token, new IssuedToken(bankId, Instant.now().plusSeconds(lifetimeSeconds)));
                    return new BankProtocol.TokenResponse(token, "Bearer", lifetimeSeconds);
                });
    }

    private String hmacRefusal(Map<String, String> credentials, String method, String path, HttpHeaders headers,
                               String body) {
        String keyId = headers.getFirst(BankProtocol.KEY_ID_HEADER);
        String timestamp = headers.getFirst(BankProtocol.TIMESTAMP_HEADER);
        String signature = headers.getFirst(BankProtocol.SIGNATURE_HEADER);
        String nonce = headers.getFirst(BankProtocol.NONCE_HEADER);
        if (keyId == null || timestamp == null || signature == null || nonce == null) {
            return "unsigned request";
        }
        if (!keyId.equals(credentials.get("key_id"))) {
            return "unknown key id";
        }
        long age;
        try {
            age = Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp));
        } catch (NumberFormatException e) {
            return "bad timestamp";
        }
        if (age > properties.replayWindow().toSeconds()) {
            return "stale timestamp";
        }
        if (!BankSignatures.matches(credentials.get("secret"),
                BankProtocol.signedText(method, path, timestamp, nonce, body), signature)) {
            return "bad signature";
        }
        forgetOldSignatures();
        if (seenSignatures.putIfAbsent(signature, Instant.now()) != null) {
            return "replayed request";
        }
        return "";
    }

    private String bearerRefusal(UUID bankId, HttpHeaders headers) {
        String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return "missing bearer token";
        }
        IssuedToken token = tokens.get(authorization.substring("Bearer ".length()));
        if (token == null || !token.bank().equals(bankId) || token.expiresAt().isBefore(Instant.now())) {
            return "invalid or expired token";
        }
        return "";
    }

    private void forgetOldSignatures() {
        if (seenSignatures.size() > SEEN_MAX / 2) {
            Instant cutoff = Instant.now().minus(properties.replayWindow());
            seenSignatures.values().removeIf(seen -> seen.isBefore(cutoff));
            if (seenSignatures.size() > SEEN_MAX) {
                seenSignatures.clear();
            }
        }
    }

    private record IssuedToken(UUID bank, Instant expiresAt) {
    }
}
