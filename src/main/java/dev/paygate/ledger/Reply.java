package dev.paygate.ledger;

import io.r2dbc.spi.R2dbcTimeoutException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import reactor.core.publisher.MonoSink;
import reactor.pool.PoolAcquirePendingLimitException;
import reactor.pool.PoolAcquireTimeoutException;

/**
 * The way back to the caller of one movement, batched or not. A caller may stop waiting (its
 * request's deadline, a client that hung up) while its movement runs on to its commit. An error
 * that arrives after that has no one to hear it: Reactor would drop it and log an ERROR with a
 * stack trace, so it is logged here for what it means instead.
 */
final class Reply {

    private static final Logger log = LoggerFactory.getLogger(Reply.class);

    private final UUID movementId;
    private final MonoSink<LedgerOutcome> sink;
    private final AtomicBoolean callerGone = new AtomicBoolean();

    Reply(UUID movementId, MonoSink<LedgerOutcome> sink) {
        this.movementId = movementId;
        this.sink = sink;
        sink.onCancel(() -> callerGone.set(true));
    }

    void succeed(LedgerOutcome outcome) {
        // After a cancel the sink discards the value quietly; the movement stands and its key replays it.
        sink.success(outcome);
    }

    void fail(Throwable error) {
        if (!callerGone.get()) {
            sink.error(error);
        } else if (neverStarted(error)) {
            // Routine under overload, where the caller already had its 503: not worth a line each.
            log.debug("Movement {} was not applied: no connection came free before its caller stopped waiting", movementId);
        } else {
            log.warn("Movement {} failed after its caller had stopped waiting: {}", movementId, error.toString());
        }
    }

    /**
     * Whether the statement never reached the database: the pool had no connection to give in time.
     * Spring wraps a failed acquisition (r2dbc-pool's timeout is an {@link R2dbcTimeoutException})
     * in a {@link DataAccessResourceFailureException}; a statement that timed out is translated to
     * a {@code QueryTimeoutException} instead.
     */
    private static boolean neverStarted(Throwable error) {
        if (error instanceof DataAccessResourceFailureException && error.getCause() instanceof R2dbcTimeoutException) {
            return true;
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof PoolAcquireTimeoutException || cause instanceof PoolAcquirePendingLimitException) {
                return true;
            }
        }
        return false;
    }
}
