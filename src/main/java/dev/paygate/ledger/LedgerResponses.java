package dev.paygate.ledger;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.IdempotencyKey;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** Turns what the ledger did into the HTTP answer, the same way for every endpoint that moves money. */
public final class LedgerResponses {

    private LedgerResponses() {
    }

    /**
     * @param created the status of a fresh success (201 for movements done at once, 202 for ones that go on)
     * @param location the path under which the new transaction can be read, given its id
     */
    public static Mono<ServerResponse> respond(LedgerOutcome outcome, HttpStatus created,
                                               java.util.function.Function<java.util.UUID, String> location) {
        return switch (outcome.kind()) {
            case APPLIED -> success(outcome, created, location, false);
            case REJECTED -> Mono.error(refusal(outcome, false));
            case REPLAYED -> outcome.rejection() == null
                    ? success(outcome, created, location, true)
                    : Mono.error(refusal(outcome, true));
            case KEY_REUSED -> Mono.error(new ApiException(ApiProblem.IDEMPOTENCY_KEY_REUSED,
                    "This Idempotency-Key was already used with a different request; use a new key for a new request."));
            case IN_FLIGHT -> Mono.error(new ApiException(ApiProblem.IDEMPOTENCY_REQUEST_IN_FLIGHT,
                    "A request with this Idempotency-Key is still being processed; retry shortly.")
                    .withHeader("Retry-After", "1"));
        };
    }

    private static Mono<ServerResponse> success(LedgerOutcome outcome, HttpStatus status,
                                                java.util.function.Function<java.util.UUID, String> location,
                                                boolean replayed) {
        Transaction transaction = Objects.requireNonNull(outcome.transaction(), "a success records a transaction");
        var response = ServerResponse.status(status)
                .location(URI.create(location.apply(transaction.id())))
                .contentType(MediaType.APPLICATION_JSON);
        if (replayed) {
            response = response.header(IdempotencyKey.REPLAYED_HEADER, "true");
        }
        return response.bodyValue(TransactionView.of(transaction));
    }

    private static ApiException refusal(LedgerOutcome outcome, boolean replayed) {
        TransferRejection rejection = Objects.requireNonNull(outcome.rejection(), "a refusal has a reason");
        Transaction recorded = outcome.transaction();
        Map<String, Object> extensions = recorded == null ? Map.of() : Map.of("transaction_id", recorded.id());
        ApiException problem = new ApiException(rejection, rejection.detail(), Map.of(), extensions);
        return replayed ? problem.withHeader(IdempotencyKey.REPLAYED_HEADER, "true") : problem;
    }
}
