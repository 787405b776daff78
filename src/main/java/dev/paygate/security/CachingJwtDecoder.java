package dev.paygate.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/**
 * Remembers tokens it has already verified, so a client sending the same token thousands of
 * times pays for base64 and an RSA signature check once. A remembered token is still checked
 * against the clock on every use; only verified tokens are remembered, and at most
 * {@code capacity} of them (when full, the memory is cleared rather than grown).
 */
final class CachingJwtDecoder implements ReactiveJwtDecoder {

    private final ReactiveJwtDecoder verifier;
    private final OAuth2TokenValidator<Jwt> clock;
    private final int capacity;
    private final Map<String, Jwt> verified = new ConcurrentHashMap<>();

    CachingJwtDecoder(ReactiveJwtDecoder verifier, java.time.Duration clockSkew, int capacity) {
        this.verifier = verifier;
        JwtTimestampValidator timestamps = new JwtTimestampValidator(clockSkew);
        timestamps.setAllowEmptyExpiryClaim(false);
        this.clock = timestamps;
        this.capacity = capacity;
    }

    @Override
    public Mono<Jwt> decode(String token) throws JwtException {
        Jwt known = verified.get(token);
        if (known == null) {
            return verifier.decode(token).doOnNext(jwt -> remember(token, jwt));
        }
        OAuth2TokenValidatorResult result = clock.validate(known);
        if (result.hasErrors()) {
            verified.remove(token);
            return Mono.error(new JwtValidationException("The token has expired or is not yet valid", result.getErrors()));
        }
        return Mono.just(known);
    }

    private void remember(String token, Jwt jwt) {
        if (capacity == 0) {
            return;
        }
        if (verified.size() >= capacity) {
            verified.clear();
        }
        verified.put(token, jwt);
    }
}
