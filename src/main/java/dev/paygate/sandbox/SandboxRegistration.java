package dev.paygate.sandbox;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import dev.paygate.bank.BankRegistry;
import dev.paygate.bank.ExternalBanks;

/**
 * Registers the sandbox bank once the server knows its port, so a newcomer can pay out at once.
 * Idempotent: a restart only points the bank at the new address.
 */
@Component
@ConditionalOnBooleanProperty(name = "paygate.sandbox.enabled", matchIfMissing = true)
class SandboxRegistration {

    private static final Logger log = LoggerFactory.getLogger(SandboxRegistration.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BankRegistry registry;

    SandboxRegistration(BankRegistry registry) {
        this.registry = registry;
    }

    @EventListener
    void onServerStarted(WebServerInitializedEvent event) {
        String url = "http://localhost:" + event.getWebServer().getPort() + "/sandbox/banks/" + SandboxBank.ID;
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        Map<String, String> credentials = Map.of("key_id", "sandbox-" + UUID.randomUUID().toString().substring(0, 8),
                "secret", Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
        registry.ensureSandbox(SandboxBank.ID, SandboxBank.NAME, url, ExternalBanks.AuthMethod.HMAC, credentials)
                .doOnNext(bank -> log.info("Sandbox bank {} ready at {} (id {})", bank.name(), bank.apiUrl(), bank.id()))
                .doOnError(error -> log.error("Could not register the sandbox bank", error))
                .subscribe();
    }
}
