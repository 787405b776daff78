package dev.paygate.bank;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** One connector per bank, made on first use with its decrypted credentials and kept until the bank moves. */
@Component
class BankConnectors {

    private static final TypeReference<Map<String, String>> CREDENTIALS = new TypeReference<>() { };
    private static final int BANK_ANSWER_BYTES_MAX = 32 * 1024 * 1024;

    private final ExternalBanks banks;
    private final CredentialsCipher cipher;
    private final BankResilience resilience;
    private final WebClient http;
    private final JsonMapper json;
    private final Map<UUID, Made> connectors = new ConcurrentHashMap<>();

    BankConnectors(ExternalBanks banks, CredentialsCipher cipher, BankResilience resilience,
                   WebClient.Builder http, JsonMapper json) {
        this.banks = banks;
        this.cipher = cipher;
        this.resilience = resilience;
        // Our own request bodies are capped at 64 KiB; a bank's day statement may be far larger.
        this.http = http.codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(BANK_ANSWER_BYTES_MAX)).build();
        this.json = json;
    }

    Mono<BankConnector> of(UUID bankId) {
        return banks.find(bankId).flatMap(bank -> {
            Made made = connectors.get(bankId);
            if (made != null && made.apiUrl().equals(bank.apiUrl())) {
                return Mono.just(made.connector());
            }
            return banks.encryptedCredentials(bankId).map(encrypted -> {
                Map<String, String> credentials = json.readValue(cipher.decrypt(encrypted), CREDENTIALS);
                BankConnector connector = new HttpBankConnector(bank, credentials, http, resilience, json);
                connectors.put(bankId, new Made(bank.apiUrl(), connector));
                return connector;
            });
        });
    }

    private record Made(String apiUrl, BankConnector connector) {
    }
}
