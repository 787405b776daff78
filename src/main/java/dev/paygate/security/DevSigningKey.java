package dev.paygate.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.paygate.common.SecretKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.UUID;

/**
 * The embedded default's signing key: made once, kept in the data directory (owner-readable
 * only) so that tokens stay valid across restarts, and never used when an external issuer is set.
 */
final class DevSigningKey {

    private DevSigningKey() {
    }

    static RSAKey loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                return RSAKey.parse(Files.readString(file, StandardCharsets.UTF_8));
            }
            RSAKey key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyID(UUID.randomUUID().toString()).generate();
            SecretKeys.writeOwnerOnly(file, key.toJSONString());
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write the dev signing key " + file, e);
        } catch (ParseException | JOSEException e) {
            throw new IllegalStateException("The dev signing key " + file + " is unusable; delete it to make a new one", e);
        }
    }
}
