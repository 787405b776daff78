package dev.paygate.bank;

import java.util.Map;

/**
 * Makes the connector of one bank protocol. A bank with another API is one more bean of this kind
 * (with its connector and its status mapping); a bank is registered with the {@link #protocol()} it speaks.
 */
interface BankConnectorFactory {

    /** The name banks are registered with, e.g. {@code paygate-bank-api-v1}. */
    String protocol();

    BankConnector connect(ExternalBanks.Bank bank, Map<String, String> credentials);
}
