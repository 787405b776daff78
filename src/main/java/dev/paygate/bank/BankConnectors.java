package dev.paygate.bank;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * One connector per bank, made on first use by the factory of the bank's protocol with its
 * decrypted credentials, and kept until the bank moves.
 */
@Component
class BankConnectors {

    private static final TypeReference<Map<String, String>> CREDENTIALS = new TypeReference<>() { };

    private final ExternalBanks banks;
    private final CredentialsCipher cipher;
    private final JsonMapper json;
    private final Map<String, BankConnectorFactory> factories = new TreeMap<>();
    private final Map<UUID, Made> connectors = new ConcurrentHashMap<>();

    BankConnectors(ExternalBanks banks, CredentialsCipher cipher, List<BankConnectorFactory> factories, JsonMapper json) {
        this.banks = banks;
        this.cipher = cipher;
        this.json = json;
        factories.forEach(factory -> {
            if (this.factories.put(factory.protocol(), factory) != null) {
                throw new IllegalStateException("Two bank connectors for protocol " + factory.protocol());
            }
        });
    }

    /** The protocols a bank may be registered with. */
    Set<String> protocols() {
        return factories.keySet();
    }

    Mono<BankConnector> of(UUID bankId) {
        return banks.find(bankId).flatMap(bank -> {
            Made made = connectors.get(bankId);
            if (made != null && made.apiUrl().equals(bank.apiUrl())) {
                return Mono.just(made.connector());
            }
            BankConnectorFactory factory = factories.get(bank.protocol());
            if (factory == null) {
                return Mono.error(new IllegalStateException("No connector for protocol " + bank.protocol()
                        + " of bank " + bank.id()));
            }
            return banks.encryptedCredentials(bankId).map(encrypted -> {
                Map<String, String> credentials = json.readValue(cipher.decrypt(encrypted), CREDENTIALS);
                BankConnector connector = factory.connect(bank, credentials);
                connectors.put(bankId, new Made(bank.apiUrl(), connector));
                return connector;
            });
        });
    }

    private record Made(String apiUrl, BankConnector connector) {
    }
}
