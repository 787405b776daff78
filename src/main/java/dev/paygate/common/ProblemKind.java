package dev.paygate.common;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** A kind of error the API reports, with the HTTP status, problem type and ISO 20022 reason code it carries. */
public interface ProblemKind {

    String TYPE_BASE = "https://paygate.dev/problems/";

    HttpStatus status();

    /** The last segment of the problem's {@code type} URI, e.g. {@code insufficient-funds}. */
    String slug();

    String title();

    /** ISO 20022 external status reason code, where a payment industry code fits. */
    @Nullable String reasonCode();

    default String type() {
        return TYPE_BASE + slug();
    }
}
