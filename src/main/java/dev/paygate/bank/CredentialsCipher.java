package dev.paygate.bank;

import dev.paygate.common.SecretKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Encrypts bank credentials at rest with AES-256-GCM (a fresh nonce each time, authenticated).
 * The key comes from {@code paygate.banks.credentials-key}; the embedded default makes one and
 * keeps it in its data directory; the production profile refuses to start without one.
 */
@Component
class CredentialsCipher {

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
        return SecretKeys.configuredOrGenerated("paygate.banks.credentials-key", properties.credentialsKey(),
                properties.credentialsKeyFile(), environment);
    }
}
