package dev.paygate.security;

import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.paygate.common.Caller;
import dev.paygate.common.CardNumbers;
import dev.paygate.common.FieldErrors;
import dev.paygate.common.RequestBodies;
import dev.paygate.common.Scopes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code POST /dev/tokens}: a token for any subject, roles and scopes, so a newcomer can call the
 * API with one curl. It exists only in the embedded default, never next to an external issuer.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(DevTokensCondition.class)
class DevTokens {

    static final List<String> ALL_SCOPES = List.of(Scopes.ACCOUNTS_READ, Scopes.ACCOUNTS_WRITE,
            Scopes.TRANSFERS_READ, Scopes.TRANSFERS_WRITE, Scopes.BANKS_READ, Scopes.BANKS_WRITE);

    @Bean
    RouterFunction<ServerResponse> devTokenRouter(NimbusJwtEncoder encoder, com.nimbusds.jose.jwk.RSAKey devSigningKey,
                                                  SecurityProperties properties) {
        return route(POST("/dev/tokens"), request -> issue(request, encoder, devSigningKey.getKeyID(), properties));
    }

    private static Mono<ServerResponse> issue(ServerRequest request, NimbusJwtEncoder encoder, String keyId,
                                              SecurityProperties properties) {
        return RequestBodies.required(request, TokenRequest.class)
                .map(DevTokens::validated)
                // RSA signing costs about a millisecond of CPU: keep it off the event loop.
                .publishOn(Schedulers.boundedElastic())
                .map(token -> encoder.encode(parameters(token, keyId, properties)).getTokenValue())
                .flatMap(jwt -> ServerResponse.ok().bodyValue(
                        new TokenResponse(jwt, "Bearer", properties.dev().tokenTtl().toSeconds())));
    }

    private static ValidToken validated(TokenRequest body) {
        FieldErrors errors = new FieldErrors();
        String subject = errors.text("subject", body.subject(), 255, true);
        // The subject becomes a user id, kept in accounts and audit rows: never a card number.
        if (subject != null && CardNumbers.containsCardNumberInIdentifier(subject)) {
            errors.add("subject", "must not contain a card number");
        }
        Set<String> roles = new LinkedHashSet<>();
        for (String role : body.roles() == null ? List.of(Caller.Role.CUSTOMER.name()) : body.roles()) {
            Caller.Role known = errors.oneOf("roles", role, Caller.Role.class);
            if (known != null) {
                roles.add(known.name());
            }
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (String scope : body.scopes() == null ? ALL_SCOPES : body.scopes()) {
            if (!ALL_SCOPES.contains(scope)) {
                errors.add("scopes", "must be some of " + String.join(", ", ALL_SCOPES));
            }
            scopes.add(scope);
        }
        errors.throwIfAny();
        return new ValidToken(subject, new ArrayList<>(roles), String.join(" ", scopes));
    }

    private static JwtEncoderParameters parameters(ValidToken token, String keyId, SecurityProperties properties) {
        Instant now = Instant.now();
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .issuer(properties.dev().issuer())
                .audience(List.of(properties.audience()))
                .subject(token.subject())
                .issuedAt(now)
                .notBefore(now)
                .expiresAt(now.plus(properties.dev().tokenTtl()))
                .claim("scope", token.scope())
                .claim("roles", token.roles())
                .build();
        JwsHeader header = JwsHeader.with(SignatureAlgorithm.RS256).keyId(keyId).build();
        return JwtEncoderParameters.from(header, claims);
    }

    record TokenRequest(@Nullable String subject, @Nullable List<String> roles, @Nullable List<String> scopes) {
    }

    record TokenResponse(String accessToken, String tokenType, long expiresIn) {
    }

    private record ValidToken(String subject, List<String> roles, String scope) {
    }
}
