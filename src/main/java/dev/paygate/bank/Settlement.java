package dev.paygate.bank;

import dev.paygate.bank.BankProtocol.BankPayment;
import org.jspecify.annotations.Nullable;

/**
 * What a bank's answer means for our transfer, decided in one exhaustive switch: a new bank
 * status cannot slip through unhandled.
 */
record Settlement(Kind kind, @Nullable String failureReason) {

    enum Kind { COMPLETE, FAIL, WAIT }

    static Settlement of(BankPayment payment) {
        return switch (payment.status()) {
            case EXECUTED -> new Settlement(Kind.COMPLETE, null);
            case REJECTED -> new Settlement(Kind.FAIL, reasonOrDefault(payment.reasonCode()));
            case CANCELLED -> new Settlement(Kind.FAIL, "NARR");
            case PENDING -> new Settlement(Kind.WAIT, null);
        };
    }

    /** The bank's ISO 20022 code when it gave a well-formed one. */
    private static String reasonOrDefault(@Nullable String reasonCode) {
        return reasonCode != null && reasonCode.matches("[A-Z0-9]{4}") ? reasonCode : "NARR";
    }
}
