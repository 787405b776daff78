package dev.paygate.security;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The access log: one line per API call.
 *
 * @param enabled   write it at all
 * @param directory where to keep it as files of its own ({@code access.log}, rolled daily into
 *                  {@code access-YYYY-MM-DD.log.gz}); unset, its lines go to the console with the rest
 * @param retention how long rolled files are kept before they are deleted (whole days)
 */
@ConfigurationProperties("paygate.access-log")
public record AccessLogProperties(
        @DefaultValue("true") boolean enabled,
        @Nullable Path directory,
        @DefaultValue("90d") Duration retention) {

    public AccessLogProperties {
        if (retention.toDays() < 1) {
            throw new IllegalArgumentException("paygate.access-log.retention must be at least 1d");
        }
    }
}
