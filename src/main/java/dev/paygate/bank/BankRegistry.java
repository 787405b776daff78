package dev.paygate.bank;

import dev.paygate.common.Actor;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** What other features may ask of the bank registry: the sandbox registers itself and checks callers with it. */
@Service
public class BankRegistry {

    private static final TypeReference<Map<String, String>> CREDENTIALS = new TypeReference<>() { };

    private final ExternalBanks banks;
    private final CredentialsCipher cipher;
    private final JsonMapper json;

    BankRegistry(ExternalBanks banks, CredentialsCipher cipher, JsonMapper json) {
        this.banks = banks;
        this.cipher = cipher;
        this.json = json;
    }

    /** Registers a sandbox bank under a fixed id, or points the existing one at its current address. */
    public Mono<ExternalBanks.Bank> ensureSandbox(UUID id, String name, String apiUrl, ExternalBanks.AuthMethod method,
                                                  Map<String, String> credentials) {
        return banks.find(id)
                .flatMap(existing -> banks.moveTo(id, apiUrl))
                .switchIfEmpty(Mono.defer(() -> banks.create(id, name, apiUrl, HttpBankConnector.PROTOCOL, method,
                        cipher.encrypt(json.writeValueAsString(credentials)), true, new Actor("system", null, null))));
    }

    public Mono<ExternalBanks.Bank> find(UUID id) {
        return banks.find(id);
    }

    /** A bank's credentials in clear: for its connector, and for the sandbox, which plays the bank's side. */
    public Mono<Map<String, String>> credentials(UUID id) {
        return banks.encryptedCredentials(id).map(encrypted -> json.readValue(cipher.decrypt(encrypted), CREDENTIALS));
    }
}
