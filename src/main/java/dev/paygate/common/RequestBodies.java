package dev.paygate.common;

import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/** Reading what a request carries: its JSON body, path ids and query parameters. */
public final class RequestBodies {

    private RequestBodies() {
    }

    /** The JSON body; an empty body is a 400, unreadable JSON is a 400 that names the field. */
    public static <T> Mono<T> required(ServerRequest request, Class<T> type) {
        return request.bodyToMono(type)
                .switchIfEmpty(Mono.error(() -> new ApiException(ApiProblem.MALFORMED_REQUEST,
                        "A JSON request body is required.")));
    }

    /** A UUID path variable; anything else is a 400 naming it. */
    public static UUID pathId(ServerRequest request, String name) {
        UUID id = Ids.parseOrNull(request.pathVariable(name));
        if (id == null) {
            throw ApiException.invalid(name, "must be a UUID");
        }
        return id;
    }

    public static @Nullable String query(ServerRequest request, String name) {
        return request.queryParam(name).filter(value -> !value.isEmpty()).orElse(null);
    }
}
