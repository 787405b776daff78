package dev.paygate.compliance;

/** How well a user is known: what they may do and how much grows with the level. */
public enum KycLevel {
    NONE, BASIC, FULL
}
