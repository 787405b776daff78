package dev.paygate.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.RSAKey;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;

/**
 * Every endpoint but health, metrics, the API document and the dev token endpoint needs a valid
 * bearer JWT. Tokens come from an external OIDC issuer in production, or from the gateway's own
 * key in the embedded default. Roles and scopes are checked by the handlers through {@code Caller}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfig.class);

    static final String[] PUBLIC_PATHS = {
            "/actuator/health", "/actuator/health/**", "/actuator/info", "/actuator/prometheus",
            "/openapi.yaml", "/swagger-ui.html", "/swagger-ui/**", "/v3/api-docs/**", "/webjars/**",
    };

    /**
     * The sandbox bank plays another party: it checks its callers with the bank's own credentials
     * (HMAC signatures, or bearer tokens it issued itself), as a bank would. Its own chain keeps our
     * JWT resource server from reading the bank's bearer tokens as ours.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SecurityWebFilterChain sandboxBankSecurity(ServerHttpSecurity http) {
        return http
                .securityMatcher(ServerWebExchangeMatchers.pathMatchers("/sandbox/**"))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
                .build();
    }

    @Bean
    SecurityWebFilterChain apiSecurity(ServerHttpSecurity http, ReactiveJwtDecoder decoder,
                                       ProblemAuthenticationEntryPoint entryPoint, ProblemAccessDeniedHandler denied,
                                       RateLimits rateLimits, Environment environment) {
        boolean devTokens = isDevMode(environment);
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .authorizeExchange(exchanges -> {
                    exchanges.pathMatchers(PUBLIC_PATHS).permitAll();
                    if (devTokens) {
                        exchanges.pathMatchers(HttpMethod.POST, "/dev/tokens").permitAll();
                    }
                    exchanges.anyExchange().authenticated();
                })
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .bearerTokenConverter(new BearerTokenConverter())
                        .jwt(jwt -> jwt.jwtDecoder(decoder))
                        .authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler(denied))
                .exceptionHandling(handling -> handling
                        .authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler(denied))
                .addFilterAfter(new RateLimitFilter(rateLimits, entryPoint), SecurityWebFiltersOrder.AUTHENTICATION)
                .headers(headers -> headers
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER))
                        .contentSecurityPolicy(csp -> csp.policyDirectives(
                                "default-src 'self'; frame-ancestors 'none'; object-src 'none'")))
                .build();
    }

    private static boolean isDevMode(Environment environment) {
        return isBlank(environment.getProperty(DevTokensCondition.ISSUER_URI))
                && isBlank(environment.getProperty(DevTokensCondition.JWK_SET_URI));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /**
     * Spring Security would wrap each of its filters and authorization decisions in an observation:
     * per request that cost more CPU than the rest of the security chain, and an open event stream
     * kept the wrappers of its whole chain in memory. Requests are still observed (metrics,
     * traces) as a whole.
     */
    @Bean
    SecurityObservationSettings noSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /** Spring Security's strict firewall, its header and parameter-name rules checked without regular expressions. */
    @Bean
    ServerWebExchangeFirewall firewall() {
        StrictServerWebExchangeFirewall firewall = new StrictServerWebExchangeFirewall();
        firewall.setAllowedHeaderNames(HeaderCharacters::isAllowedName);
        firewall.setAllowedHeaderValues(HeaderCharacters::isAllowedValue);
        firewall.setAllowedParameterNames(HeaderCharacters::isAllowedName);
        return firewall;
    }

    /** Production: tokens of the configured OIDC issuer, its keys fetched from its JWK set. */
    @Bean
    @Conditional(ExternalIssuerCondition.class)
    ReactiveJwtDecoder externalJwtDecoder(Environment environment, SecurityProperties properties) {
        return new CachingJwtDecoder(externalVerifier(environment, properties), properties.clockSkew(),
                properties.tokenCacheSize());
    }

    private ReactiveJwtDecoder externalVerifier(Environment environment, SecurityProperties properties) {
        String issuer = environment.getProperty(DevTokensCondition.ISSUER_URI);
        String jwkSetUri = environment.getProperty(DevTokensCondition.JWK_SET_URI);
        NimbusReactiveJwtDecoder decoder = isBlank(jwkSetUri)
                ? NimbusReactiveJwtDecoder.withIssuerLocation(issuer).build()
                : NimbusReactiveJwtDecoder.withJwkSetUri(jwkSetUri)
                        .jwsAlgorithms(algorithms -> algorithms.addAll(List.of(
                                SignatureAlgorithm.RS256, SignatureAlgorithm.ES256, SignatureAlgorithm.PS256)))
                        .build();
        decoder.setJwtValidator(validator(issuer, properties));
        log.warn("Security: bearer tokens from external issuer {} (JWK set {}), audience '{}'; /dev/tokens is off",
                isBlank(issuer) ? "(any; set issuer-uri to pin it)" : issuer,
                isBlank(jwkSetUri) ? "from issuer metadata" : jwkSetUri, properties.audience());
        return decoder;
    }

    /** Embedded default: tokens signed with the gateway's own key, RS256 only. */
    @Bean
    @Conditional(DevTokensCondition.class)
    RSAKey devSigningKey(SecurityProperties properties) {
        RSAKey key = DevSigningKey.loadOrCreate(properties.dev().keyFile());
        log.warn("Security: DEV TOKENS ON. POST /dev/tokens issues tokens for any user and role, signed with {}. "
                        + "For production set spring.security.oauth2.resourceserver.jwt.issuer-uri.",
                properties.dev().keyFile().toAbsolutePath().normalize());
        return key;
    }

    @Bean
    @Conditional(DevTokensCondition.class)
    ReactiveJwtDecoder devJwtDecoder(RSAKey devSigningKey, SecurityProperties properties) throws JOSEException {
        NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withPublicKey(devSigningKey.toRSAPublicKey())
                .signatureAlgorithm(SignatureAlgorithm.RS256)
                .build();
        decoder.setJwtValidator(validator(properties.dev().issuer(), properties));
        return new CachingJwtDecoder(decoder, properties.clockSkew(), properties.tokenCacheSize());
    }

    @Bean
    @Conditional(DevTokensCondition.class)
    NimbusJwtEncoder devJwtEncoder(RSAKey devSigningKey) {
        return new NimbusJwtEncoder(new com.nimbusds.jose.jwk.source.ImmutableJWKSet<>(
                new com.nimbusds.jose.jwk.JWKSet(devSigningKey)));
    }

    /** Signature is checked by the decoder; these check time (exp required), issuer, audience and subject. */
    static OAuth2TokenValidator<Jwt> validator(String issuer, SecurityProperties properties) {
        JwtTimestampValidator time = new JwtTimestampValidator(properties.clockSkew());
        time.setAllowEmptyExpiryClaim(false);
        var subject = new JwtClaimValidator<String>(JwtClaimNames.SUB, sub -> sub != null && !sub.isBlank());
        var audience = new JwtAudienceValidator(properties.audience());
        if (isBlank(issuer)) {
            return JwtValidators.createDefaultWithValidators(time, subject, audience);
        }
        return JwtValidators.createDefaultWithValidators(time, subject, audience, new JwtIssuerValidator(issuer));
    }

    /** The opposite of {@link DevTokensCondition}. */
    static class ExternalIssuerCondition extends DevTokensCondition {
        @Override
        public boolean matches(org.springframework.context.annotation.ConditionContext context,
                               org.springframework.core.type.AnnotatedTypeMetadata metadata) {
            return !super.matches(context, metadata);
        }
    }
}
