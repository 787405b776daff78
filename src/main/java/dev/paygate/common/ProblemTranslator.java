package dev.paygate.common;

import org.jspecify.annotations.Nullable;

/**
 * Lets a feature map errors of its own infrastructure (a database outage, a security
 * failure) to a problem, so that {@link ProblemResponses} stays the one writer of errors.
 */
@FunctionalInterface
public interface ProblemTranslator {

    /** The problem for this error, or {@code null} when the error is not this translator's. */
    @Nullable ApiException translate(Throwable error);
}
