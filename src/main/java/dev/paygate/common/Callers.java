package dev.paygate.common;

import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/** Resolves the caller of a request; the security feature provides the implementation. */
@FunctionalInterface
public interface Callers {

    /** The authenticated caller; a request without one never reaches a handler. */
    Mono<Caller> of(ServerRequest request);
}
