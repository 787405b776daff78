package dev.paygate.security;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How tokens are checked and, in the embedded default, issued.
 *
 * @param audience   the {@code aud} every token must carry
 * @param clockSkew  tolerance for {@code exp} and {@code nbf} against clocks that drift
 * @param tokenCacheSize verified tokens remembered, so a reused token is not verified again
 * @param dev        the local issuer used when no external issuer is configured
 */
@ConfigurationProperties("paygate.security")
public record SecurityProperties(
        @DefaultValue("paygate") String audience,
        @DefaultValue("30s") Duration clockSkew,
        @DefaultValue("10000") int tokenCacheSize,
        @DefaultValue Dev dev) {

    public SecurityProperties {
        if (audience.isBlank()) {
            throw new IllegalArgumentException("paygate.security.audience must not be blank");
        }
        if (tokenCacheSize < 0 || tokenCacheSize > 1_000_000) {
            throw new IllegalArgumentException("paygate.security.token-cache-size must be 0..1000000");
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("paygate.security.clock-skew must be 0..5m");
        }
    }

    /**
     * @param keyFile   where the local signing key is kept, so tokens survive a restart
     * @param issuer    the {@code iss} of locally issued tokens
     * @param tokenTtl  how long a token from {@code POST /dev/tokens} lives
     */
    public record Dev(
            @DefaultValue("./data/dev-signing-key.json") Path keyFile,
            @DefaultValue("paygate-dev") String issuer,
            @DefaultValue("1h") Duration tokenTtl) {
    }
}
