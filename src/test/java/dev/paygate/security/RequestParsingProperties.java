package dev.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.server.authentication.ServerBearerTokenAuthenticationConverter;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;

/** The gateway's own token and header parsing says yes and no exactly where Spring Security's does. */
class RequestParsingProperties {

    private final ServerBearerTokenAuthenticationConverter spring = new ServerBearerTokenAuthenticationConverter();
    private final BearerTokenConverter ours = new BearerTokenConverter();

    @Provide
    Arbitrary<String> authorizationHeaders() {
        Arbitrary<String> scheme = Arbitraries.of("Bearer ", "bearer ", "BEARER ", "Bearer", "Bearer  ", "Basic ",
                "Bearerx ", "", " Bearer ", "Bearer\t");
        Arbitrary<String> token = Arbitraries.strings()
                .withChars("aZ09-._~+/=")
                .withChars(" \t%*é\u0000")
                .ofMinLength(0).ofMaxLength(40);
        Arbitrary<String> padding = Arbitraries.of("", "=", "==", "=a", " ");
        return Combinators.combine(scheme, token, padding).as((s, t, p) -> s + t + p);
    }

    @Property(tries = 2000)
    void bearerTokensAreReadAsSpringSecurityReadsThem(@ForAll("authorizationHeaders") String authorization) {
        assertThat(outcome(ours, authorization)).isEqualTo(outcome(spring, authorization));
    }

    @Property(tries = 2000)
    void headerNamesAndValuesAreAllowedAsByTheStrictFirewall(@ForAll String text) {
        assertThat(HeaderCharacters.isAllowedName(text))
                .isEqualTo(StrictServerWebExchangeFirewall.ALLOWED_HEADER_NAMES.test(text));
        assertThat(HeaderCharacters.isAllowedValue(text))
                .isEqualTo(StrictServerWebExchangeFirewall.ALLOWED_HEADER_VALUES.test(text));
    }

    @Property
    void asciiHeaderValuesWithTabsAreAllowedAsByTheStrictFirewall(
            @ForAll("asciiWithControls") String text) {
        assertThat(HeaderCharacters.isAllowedValue(text))
                .isEqualTo(StrictServerWebExchangeFirewall.ALLOWED_HEADER_VALUES.test(text));
        assertThat(HeaderCharacters.isAllowedName(text))
                .isEqualTo(StrictServerWebExchangeFirewall.ALLOWED_HEADER_NAMES.test(text));
    }

    @Provide
    Arbitrary<String> asciiWithControls() {
        return Arbitraries.strings().withCharRange('\u0000', '\u00a0').withChars("\ud83d\ude00\ud800\u0378")
                .ofMaxLength(12);
    }

    /** "token:<value>", "none" or "refused", whichever the converter answers. */
    private static String outcome(org.springframework.security.web.server.authentication.ServerAuthenticationConverter converter,
                                  String authorization) {
        MockServerWebExchange exchange = MockServerWebExchange.from(
                MockServerHttpRequest.get("/accounts").header(HttpHeaders.AUTHORIZATION, authorization));
        try {
            Authentication authentication = converter.convert(exchange).block();
            return authentication == null ? "none" : "token:" + authentication.getCredentials();
        } catch (OAuth2AuthenticationException refused) {
            return "refused:" + refused.getError().getDescription();
        }
    }
}
