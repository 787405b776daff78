package dev.paygate.bank;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * One connector per bank, made on first use by the factory of the bank's protocol with its
 * decrypted credentials, and kept until the bank moves.
 */
@Component
class BankConnectors {

    private final ExternalBanks banks;
    private final BankRegistry registry;
    private final Map<String, BankConnectorFactory> factories = new TreeMap<>();
    private final Map<UUID, Made> connectors = new ConcurrentHashMap<>();

    BankConnectors(ExternalBanks banks, BankRegistry registry, List<BankConnectorFactory> factories) {
        this.banks = banks;
        this.registry = registry;
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
            return registry.credentials(bankId).map(credentials -> {
                BankConnector connector = factory.connect(bank, credentials);
                connectors.put(bankId, new Made(bank.apiUrl(), connector));
                return connector;
            });
        });
    }

    private record Made(String apiUrl, BankConnector connector) {
    }
}
