package dev.paygate.bank;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The bank protocol of {@code docs/bank-api.yaml}: what Paygate sends a bank and what it expects
 * back. The sandbox bank speaks it; another protocol is another {@link BankConnector}. Answers may
 * carry fields we do not know (a token endpoint's {@code scope}, a bank's extras): they are ignored.
 */
public final class BankProtocol {

    public static final String KEY_ID_HEADER = "X-Paygate-Key-Id";
    public static final String TIMESTAMP_HEADER = "X-Paygate-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Paygate-Signature";
    public static final String NONCE_HEADER = "X-Paygate-Nonce";

    private BankProtocol() {
    }

    /** A payment order; {@code paymentId} is our transaction id and the bank's idempotency key. */
    public record PaymentOrder(UUID paymentId, String direction, String amount, String currency,
                               Map<String, String> counterparty, UUID accountReference) {
    }

    /** The bank's answer about one payment. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BankPayment(UUID paymentId, BankStatus status, @Nullable String reasonCode,
                              @Nullable String bankReference, @Nullable Instant executedAt) {
    }

    /** What the bank executed on a day. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Statement(LocalDate date, List<StatementLine> payments) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StatementLine(UUID paymentId, String direction, String amount, String currency, BankStatus status,
                                @Nullable Instant executedAt) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TokenResponse(String accessToken, String tokenType, long expiresIn) {
    }

    /** The statuses a bank answers with. */
    public enum BankStatus {
        /** The money moved. */
        EXECUTED,
        /** Refused; {@code reason_code} says why. */
        REJECTED,
        /** Cancelled before it was executed: it never will be. */
        CANCELLED,
        /** Accepted, not yet decided: ask again later. */
        PENDING
    }

    /**
     * The canonical text an HMAC-signed request's signature covers. The nonce makes two honest
     * requests in the same second differ, so that an exact repeat can be refused as a replay.
     */
    public static String signedText(String method, String path, String timestamp, String nonce, String body) {
        return method + "\n" + path + "\n" + timestamp + "\n" + nonce + "\n" + body;
    }
}
