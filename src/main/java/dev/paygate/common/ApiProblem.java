package dev.paygate.common;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** The errors that are not refusals of a money movement: bad input, missing resources, protocol errors. */
public enum ApiProblem implements ProblemKind {
    MALFORMED_REQUEST(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request", "FF01"),
    VALIDATION(HttpStatus.BAD_REQUEST, "validation", "Invalid request", "FF01"),
    UNAUTHENTICATED(HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication required", null),
    FORBIDDEN(HttpStatus.FORBIDDEN, "forbidden", "Not allowed", "AG01"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "not-found", "Not found", null),
    ACCOUNT_NOT_FOUND(HttpStatus.NOT_FOUND, "account-not-found", "Account not found", "AC01"),
    TRANSACTION_NOT_FOUND(HttpStatus.NOT_FOUND, "transaction-not-found", "Transaction not found", null),
    USER_NOT_FOUND(HttpStatus.NOT_FOUND, "user-not-found", "User not found", null),
    BANK_NOT_FOUND(HttpStatus.NOT_FOUND, "bank-not-found", "Bank not found", null),
    BANK_NAME_TAKEN(HttpStatus.CONFLICT, "bank-name-taken", "A bank with this name is registered", null),
    BANK_UNAVAILABLE(HttpStatus.BAD_GATEWAY, "bank-unavailable", "The bank did not answer", null),
    USER_ALREADY_ERASED(HttpStatus.CONFLICT, "user-already-erased", "The user is already erased", null),
    ERASURE_BLOCKED(HttpStatus.CONFLICT, "erasure-blocked", "The user's accounts are not empty", null),
    REVIEW_NOT_PENDING(HttpStatus.CONFLICT, "review-not-pending", "Not on hold for review", null),
    SANCTIONS_LIST_INVALID(HttpStatus.UNPROCESSABLE_CONTENT, "sanctions-list-invalid",
            "The sanctions list could not be loaded", null),
    SANCTIONS_SCREENING_OFF(HttpStatus.CONFLICT, "sanctions-screening-off", "Sanctions screening is off", null),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed", null),
    NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "not-acceptable", "Not acceptable", null),
    IDEMPOTENCY_REQUEST_IN_FLIGHT(HttpStatus.CONFLICT, "idempotency-request-in-flight",
            "A request with this idempotency key is still being processed", "DUPL"),
    IDEMPOTENCY_KEY_REUSED(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused",
            "Idempotency key was used with a different request", "DUPL"),
    ACCOUNT_UPDATE_REFUSED(HttpStatus.UNPROCESSABLE_CONTENT, "account-update-refused",
            "Account update refused", "AG01"),
    PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Request body too large", null),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type", null),
    RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests", null),
    SERVICE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "service-unavailable", "Service temporarily unavailable", null),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error", "NARR");

    private final HttpStatus status;
    private final String slug;
    private final String title;
    private final @Nullable String reasonCode;

    ApiProblem(HttpStatus status, String slug, String title, @Nullable String reasonCode) {
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.reasonCode = reasonCode;
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
}
