package dev.paygate.bank;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Encrypts bank credentials at rest with AES-256-GCM (a fresh nonce each time, authenticated).
 * The key comes from {@code paygate.banks.credentials-key}; the embedded default makes one and
 * keeps it in its data directory; the production profile refuses to start without one.
 */
@Component
class CredentialsCipher {

    private static final Logger log = LoggerFactory.getLogger(CredentialsCipher.class);
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    CredentialsCipher(BankProperties properties, Environment environment) {
        this.key = new SecretKeySpec(keyBytes(properties, environment), "AES");
    }

    String encrypt(String plaintext) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required of every JVM", e);
        }
    }

    String decrypt(String encrypted) {
        try {
            byte[] in = Base64.getDecoder().decode(encrypted);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Bank credentials cannot be decrypted: wrong paygate.banks.credentials-key?", e);
        }
    }

    private static byte[] keyBytes(BankProperties properties, Environment environment) {
        if (properties.credentialsKey() != null && !properties.credentialsKey().isBlank()) {
            byte[] key = Base64.getDecoder().decode(properties.credentialsKey().trim());
            if (key.length != 32) {
                throw new IllegalArgumentException("paygate.banks.credentials-key must be 32 bytes, base64-encoded");
            }
            return key;
        }
        if (environment.matchesProfiles("prod")) {
            throw new IllegalStateException("Set paygate.banks.credentials-key (32 random bytes, base64) to encrypt "
                    + "bank credentials; e.g. openssl rand -base64 32");
        }
        return generatedKey(properties.credentialsKeyFile());
    }

    /** The embedded default's key: made once, owner-readable only, kept so credentials survive restarts. */
    private static byte[] generatedKey(Path file) {
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            Path directory = file.toAbsolutePath().getParent();
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, "bank-key", ".tmp");
            try {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // The directory's access control applies.
            }
            Files.writeString(temporary, Base64.getEncoder().encodeToString(key));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
            log.warn("Banks: generated a credentials key in {}; set paygate.banks.credentials-key in production",
                    file.toAbsolutePath().normalize());
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write the bank credentials key " + file, e);
        }
    }
}
