package dev.paygate.ledger;

/** What a transactions row records. */
public enum TransactionType {
    TRANSFER, DEPOSIT, WITHDRAWAL, EXTERNAL_OUTBOUND, EXTERNAL_INBOUND, REVERSAL
}
