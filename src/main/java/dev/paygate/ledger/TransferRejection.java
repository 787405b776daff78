package dev.paygate.ledger;

import dev.paygate.common.ApiProblem;
import dev.paygate.common.ProblemKind;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * Every reason the ledger refuses a movement of money, in the precedence in which they are
 * checked (the first that applies wins). Each knows its HTTP status, problem type and ISO 20022
 * reason code; {@code rejection_reason_code()} in the database records the same codes.
 */
public enum TransferRejection implements ProblemKind {
    ACCOUNT_NOT_FOUND(ApiProblem.ACCOUNT_NOT_FOUND.status(), ApiProblem.ACCOUNT_NOT_FOUND.slug(),
            ApiProblem.ACCOUNT_NOT_FOUND.title(), "AC01",
            "An account of this movement does not exist or is not yours."),
    SAME_ACCOUNT(HttpStatus.UNPROCESSABLE_CONTENT, "same-account", "Same account on both sides", "AG01",
            "The source and destination must be different accounts."),
    ACCOUNT_CLOSED(HttpStatus.UNPROCESSABLE_CONTENT, "account-closed", "Account closed", "AC04",
            "An account of this movement is closed."),
    ACCOUNT_FROZEN(HttpStatus.UNPROCESSABLE_CONTENT, "account-frozen", "Account frozen", "AC06",
            "An account of this movement is frozen."),
    CURRENCY_MISMATCH(HttpStatus.UNPROCESSABLE_CONTENT, "currency-mismatch", "Currency mismatch", "AM03",
            "The currency of the movement does not match the currency of its accounts."),
    KYC_NOT_ALLOWED(HttpStatus.UNPROCESSABLE_CONTENT, "operation-not-allowed", "Operation not allowed", "AG01",
            "The sender's KYC level does not allow this operation."),
    KYC_LIMIT(HttpStatus.UNPROCESSABLE_CONTENT, "limit-exceeded", "Limit exceeded", "AM02",
            "The movement is over a KYC limit: the sender's per-transfer or daily limit, or the recipient's balance limit."),
    INSUFFICIENT_FUNDS(HttpStatus.UNPROCESSABLE_CONTENT, "insufficient-funds", "Insufficient funds", "AM04",
            "The available balance of the source account is lower than the amount."),
    BALANCE_LIMIT(HttpStatus.UNPROCESSABLE_CONTENT, "balance-limit", "Balance limit exceeded", "AM02",
            "The movement would take a balance beyond what the ledger can hold.");

    private final HttpStatus status;
    private final String slug;
    private final String title;
    private final String reasonCode;
    private final String detail;

    TransferRejection(HttpStatus status, String slug, String title, String reasonCode, String detail) {
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.reasonCode = reasonCode;
        this.detail = detail;
    }

    @Override
    public HttpStatus status() {
        return status;
    }

    @Override
    public String slug() {
        return slug;
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public @Nullable String reasonCode() {
        return reasonCode;
    }

    /** A sentence for the problem's {@code detail}. */
    public String detail() {
        return detail;
    }
}
