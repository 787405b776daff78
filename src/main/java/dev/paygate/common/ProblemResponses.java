package dev.paygate.common;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place where every error becomes an RFC 9457 problem+json response: refusals and bad
 * input thrown as {@link ApiException}, the framework's own errors (unreadable JSON, wrong media
 * type, unknown route), and, as a last resort, bugs, which are logged and answered without detail.
 */
@Component
@Order(-2)
public class ProblemResponses implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);
    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

    private final JsonMapper json;
    private final List<ProblemTranslator> translators;
    private final List<ProblemObserver> observers;

    public ProblemResponses(JsonMapper json, List<ProblemTranslator> translators, List<ProblemObserver> observers) {
        this.json = json;
        this.translators = translators;
        this.observers = observers;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(error);
        }
        ApiException problem = translate(error);
        response.setStatusCode(problem.kind().status());
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(PROBLEM_JSON);
        problem.headers().forEach(headers::set);
        Map<String, Object> document = body(problem, exchange.getRequest().getPath().value());
        String traceId = TraceIds.of(exchange);
        if (traceId != null) {
            document.put("trace_id", traceId);
        }
        byte[] body = json.writeValueAsBytes(document);
        return reactor.core.publisher.Flux.fromIterable(observers)
                .concatMap(observer -> observer.answered(exchange, problem))
                .then(Mono.defer(() -> response.writeWith(Mono.just(response.bufferFactory().wrap(body)))));
    }

    /** The problem+json document for a problem, in the field order of API.md. */
    public static Map<String, Object> body(ApiException problem, @Nullable String instance) {
        ProblemKind kind = problem.kind();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", kind.type());
        body.put("title", kind.title());
        body.put("status", kind.status().value());
        body.put("detail", problem.getMessage());
        if (instance != null) {
            body.put("instance", instance);
        }
        if (kind.reasonCode() != null) {
            body.put("reason_code", kind.reasonCode());
        }
        if (!problem.fieldErrors().isEmpty()) {
            body.put("errors", problem.fieldErrors());
        }
        body.putAll(problem.extensions());
        return body;
    }

    private ApiException translate(Throwable error) {
        if (error instanceof ApiException api) {
            return api;
        }
        if (hasCause(error, DataBufferLimitException.class)) {
            // A body sent without Content-Length that outgrows the decoder's limit.
            return new ApiException(ApiProblem.PAYLOAD_TOO_LARGE, "The request body is larger than allowed.");
        }
        for (ProblemTranslator translator : translators) {
            ApiException translated = translator.translate(error);
            if (translated != null) {
                return translated;
            }
        }
        if (error instanceof ResponseStatusException status) {
            return fromStatusException(status);
        }
        log.error("Unhandled error answered with 500", error);
        return new ApiException(ApiProblem.INTERNAL, "An internal error occurred; it has been logged.");
    }

    private static ApiException fromStatusException(ResponseStatusException error) {
        if (error instanceof ServerWebInputException input) {
            return fromInputException(input);
        }
        if (error instanceof UnsupportedMediaTypeStatusException mediaType) {
            String detail = "Content-Type " + (mediaType.getContentType() == null ? "(none)" : mediaType.getContentType())
                    + " is not supported; send application/json.";
            return new ApiException(ApiProblem.UNSUPPORTED_MEDIA_TYPE, detail);
        }
        if (error instanceof MethodNotAllowedException method) {
            String allowed = method.getSupportedMethods().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", "));
            return new ApiException(ApiProblem.METHOD_NOT_ALLOWED, "Method " + method.getHttpMethod()
                    + " is not allowed here.").withHeader(HttpHeaders.ALLOW, allowed);
        }
        if (error instanceof NotAcceptableStatusException) {
            return new ApiException(ApiProblem.NOT_ACCEPTABLE, "The requested media type cannot be produced.");
        }
        HttpStatus status = HttpStatus.resolve(error.getStatusCode().value());
        if (status == HttpStatus.NOT_FOUND) {
            return new ApiException(ApiProblem.NOT_FOUND, "No such resource.");
        }
        if (status == HttpStatus.CONTENT_TOO_LARGE) {
            return new ApiException(ApiProblem.PAYLOAD_TOO_LARGE, "The request body is larger than allowed.");
        }
        if (status != null && status.is4xxClientError()) {
            return new ApiException(ApiProblem.MALFORMED_REQUEST, status.getReasonPhrase());
        }
        log.error("Framework error answered with 500", error);
        return new ApiException(ApiProblem.INTERNAL, "An internal error occurred; it has been logged.");
    }

    private static ApiException fromInputException(ServerWebInputException error) {
        Throwable cause = error.getCause();
        while (cause instanceof DecodingException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof UnrecognizedPropertyException unknown) {
            String field = unknown.getPropertyName();
            return ApiException.invalid(field, "is not a field of this request or may not be set here");
        }
        if (cause instanceof StreamConstraintsException) {
            return new ApiException(ApiProblem.MALFORMED_REQUEST, "The JSON document exceeds a size limit.");
        }
        if (cause instanceof InvalidNullException || cause instanceof MismatchedInputException) {
            String field = fieldPath((JacksonException) cause);
            if (!field.isEmpty()) {
                return ApiException.invalid(field, "has the wrong type or format");
            }
            return new ApiException(ApiProblem.MALFORMED_REQUEST, "The request body must be a JSON object.");
        }
        if (cause instanceof StreamReadException read) {
            var location = read.getLocation();
            String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
            return new ApiException(ApiProblem.MALFORMED_REQUEST, "The request body is not valid JSON" + where + ".");
        }
        if (cause instanceof JacksonException jackson) {
            String field = fieldPath(jackson);
            if (!field.isEmpty()) {
                return ApiException.invalid(field, "is not valid");
            }
        }
        String reason = error.getReason();
        return new ApiException(ApiProblem.MALFORMED_REQUEST,
                reason == null || reason.isBlank() ? "The request could not be read." : sanitize(reason));
    }

    private static String fieldPath(JacksonException error) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : error.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** Framework reasons name Java types and methods; clients get the first sentence only. */
    private static String sanitize(String reason) {
        int cut = reason.indexOf(':');
        String text = cut > 0 ? reason.substring(0, cut) : reason;
        return text.length() > 200 ? text.substring(0, 200) : text;
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }
}
