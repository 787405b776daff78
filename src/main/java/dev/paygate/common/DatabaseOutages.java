package dev.paygate.common;

import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.stereotype.Component;
import reactor.pool.PoolAcquirePendingLimitException;
import reactor.pool.PoolAcquireTimeoutException;

/**
 * When the database cannot be reached or no connection frees up in time, the answer is a fast
 * 503 with {@code Retry-After}, not a hanging request and not a 500. If the connection broke
 * mid-request the outcome is unknown to us too, so the client retries with the same
 * Idempotency-Key, which replays the outcome if there was one.
 */
@Component
class DatabaseOutages implements ProblemTranslator {

    private static final Logger log = LoggerFactory.getLogger(DatabaseOutages.class);

    @Override
    public @Nullable ApiException translate(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataAccessResourceFailureException
                    || cause instanceof TransientDataAccessResourceException
                    || cause instanceof QueryTimeoutException
                    || cause instanceof R2dbcNonTransientResourceException
                    || cause instanceof R2dbcTransientResourceException
                    || cause instanceof PoolAcquireTimeoutException
                    || cause instanceof PoolAcquirePendingLimitException
                    || cause instanceof java.net.ConnectException) {
                log.warn("Database unavailable, answered 503: {}", cause.toString());
                return new ApiException(ApiProblem.SERVICE_UNAVAILABLE,
                        "The database is unavailable. Retry shortly; a retry with the same Idempotency-Key never applies a request twice.")
                        .withHeader("Retry-After", "1");
            }
        }
        return null;
    }
}
