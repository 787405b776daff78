package dev.paygate.security;

import dev.paygate.support.EndToEndTest;
import org.junit.jupiter.api.Test;

/** Every answer, success or problem, carries the headers that keep browsers and caches out of it. */
class SecurityHeadersTest extends EndToEndTest {

    @Test
    void answersCarryTheSecurityHeaders() {
        var alice = api.newCustomer();
        alice.openAccount("USD");

        for (var answer : java.util.List.of(alice.get("/accounts").expectStatus().isOk(),
                alice.get("/accounts/not-a-uuid").expectStatus().isBadRequest(),
                client.get().uri("/accounts").exchange().expectStatus().isUnauthorized())) {
            answer.expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
                    .expectHeader().valueEquals("X-Frame-Options", "DENY")
                    .expectHeader().valueEquals("Referrer-Policy", "no-referrer")
                    .expectHeader().valueMatches("Content-Security-Policy", ".*frame-ancestors 'none'.*")
                    .expectHeader().valueMatches("Cache-Control", ".*no-store.*");
        }
    }
}
