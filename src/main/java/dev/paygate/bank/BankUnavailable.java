package dev.paygate.bank;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.ProblemTranslator;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * A bank that cannot be asked right now (its circuit open, its bulkhead full, no answer in time, or
 * a 5xx) is the bank's outage, not our bug: a request that needed its answer (reconciliation) gets
 * 503 with {@code Retry-After} (the circuit's wait), as a database outage does, instead of a 500.
 */
@Component
class BankUnavailable implements ProblemTranslator {

    private final String retryAfterSeconds;

    BankUnavailable(BankProperties properties) {
        this.retryAfterSeconds = Long.toString(Math.max(1, properties.resilience().waitInOpen().toSeconds()));
    }

    @Override
    public @Nullable ApiException translate(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (BankResilience.neverSent(cause) || cause instanceof TimeoutException
                    || cause instanceof WebClientRequestException
                    || cause instanceof WebClientResponseException response && response.getStatusCode().is5xxServerError()) {
                return new ApiException(ApiProblem.SERVICE_UNAVAILABLE,
                        "The bank is unavailable (circuit open, busy or not answering); retry after Retry-After seconds.")
                        .withHeader("Retry-After", retryAfterSeconds);
            }
        }
        return null;
    }
}
