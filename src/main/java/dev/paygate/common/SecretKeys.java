package dev.paygate.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;

/**
 * The 32-byte secret keys of the gateway: given in a setting (base64) in production, made once and
 * kept in the data directory by the embedded default, so that what they protect survives restarts.
 */
public final class SecretKeys {

    private static final Logger log = LoggerFactory.getLogger(SecretKeys.class);
    private static final int KEY_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretKeys() {
    }

    /**
     * The key of {@code setting}: its base64 value when set; otherwise, outside the production
     * profile (which refuses to start without one), the key kept in {@code generatedFile}.
     */
    public static byte[] configuredOrGenerated(String setting, @Nullable String base64, Path generatedFile,
                                               Environment environment) {
        if (base64 != null && !base64.isBlank()) {
            byte[] key = Base64.getDecoder().decode(base64.trim());
            if (key.length != KEY_BYTES) {
                throw new IllegalArgumentException(setting + " must be " + KEY_BYTES + " bytes, base64-encoded");
            }
            return key;
        }
        if (environment.matchesProfiles("prod")) {
            throw new IllegalStateException("Set " + setting + " (" + KEY_BYTES + " random bytes, base64); "
                    + "e.g. openssl rand -base64 " + KEY_BYTES);
        }
        return generated(setting, generatedFile);
    }

    /** Made once and kept, owner-readable only. */
    private static byte[] generated(String setting, Path file) {
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            byte[] key = new byte[KEY_BYTES];
            RANDOM.nextBytes(key);
            writeOwnerOnly(file, Base64.getEncoder().encodeToString(key));
            log.warn("Generated a key for {} in {}; set {} in production", setting,
                    file.toAbsolutePath().normalize(), setting);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write the key " + file + " (" + setting + ")", e);
        }
    }

    /** Writes a secret file readable by its owner only, atomically: a reader sees all of it or nothing. */
    public static void writeOwnerOnly(Path file, String content) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, "secret", ".tmp");
        try {
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // The directory's access control applies.
        }
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
