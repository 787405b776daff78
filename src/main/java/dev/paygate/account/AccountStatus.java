package dev.paygate.account;

/** ACTIVE accounts move money; FROZEN ones are blocked until unfrozen; CLOSED is final and empty. */
public enum AccountStatus {
    ACTIVE, FROZEN, CLOSED
}
