package dev.paygate.common;

import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Hears of every problem answered, before it is written (the audit log records refusals of access). */
@FunctionalInterface
public interface ProblemObserver {

    Mono<Void> answered(ServerWebExchange exchange, ApiException problem);
}
