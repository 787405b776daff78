package dev.paygate.common;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An outcome that the API answers with a problem+json body. Thrown (or emitted as a reactive
 * error) anywhere below a handler; {@link ProblemResponses} turns it into the response.
 */
public class ApiException extends RuntimeException {

    private final ProblemKind kind;
    private final Map<String, String> fieldErrors;
    private final Map<String, Object> extensions;
    private final Map<String, String> headers;

    public ApiException(ProblemKind kind, String detail) {
        this(kind, detail, Map.of(), Map.of(), Map.of());
    }

    public ApiException(ProblemKind kind, String detail, Map<String, String> fieldErrors,
                        Map<String, Object> extensions) {
        this(kind, detail, fieldErrors, extensions, Map.of());
    }

    private ApiException(ProblemKind kind, String detail, Map<String, String> fieldErrors,
                         Map<String, Object> extensions, Map<String, String> headers) {
        // No stack trace: these are expected outcomes, made often, and never logged as failures.
        super(detail, null, false, false);
        this.kind = kind;
        this.fieldErrors = Map.copyOf(fieldErrors);
        this.extensions = Map.copyOf(extensions);
        this.headers = Map.copyOf(headers);
    }

    /** The same problem, answered with one more response header (e.g. {@code Retry-After}). */
    public ApiException withHeader(String name, String value) {
        var more = new java.util.HashMap<>(headers);
        more.put(name, value);
        return new ApiException(kind, getMessage(), fieldErrors, extensions, more);
    }

    public static ApiException invalid(Map<String, String> fieldErrors) {
        String detail = fieldErrors.size() == 1
                ? fieldErrors.entrySet().iterator().next().getKey() + ": " + fieldErrors.values().iterator().next()
                : "The request has " + fieldErrors.size() + " invalid fields";
        return new ApiException(ApiProblem.VALIDATION, detail, fieldErrors, Map.of());
    }

    public static ApiException invalid(String field, String message) {
        return invalid(Map.of(field, message));
    }

    public static ApiException notFound(ProblemKind kind, @Nullable Object id) {
        return new ApiException(kind, kind.title() + (id == null ? "" : ": " + id));
    }

    public ProblemKind kind() {
        return kind;
    }

    public Map<String, String> fieldErrors() {
        return fieldErrors;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
