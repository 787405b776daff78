package dev.paygate.compliance;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The key that turns an erased user's id into their pseudonym.
 *
 * @param pseudonymKey     base64 32-byte HMAC key (required in production); the same user id always
 *                         gives the same pseudonym under one key, so keep it as long as the records
 * @param pseudonymKeyFile where the embedded default keeps the key it generated
 */
@ConfigurationProperties("paygate.compliance.erasure")
public record ErasureProperties(
        @Nullable String pseudonymKey,
        @DefaultValue("./data/erasure-pseudonym.key") Path pseudonymKeyFile) {
}
