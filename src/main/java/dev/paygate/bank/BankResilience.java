package dev.paygate.bank;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Mono;

/**
 * Guards every call to a bank with resilience4j: a time limiter (an unanswered call is an unknown outcome), a
 * bulkhead (a slow bank cannot take every connection), and a circuit breaker per bank that stops
 * calling a failing bank for a while. Each change of a circuit's state is logged and written to
 * the outbox as {@code paygate.bank.circuit_changed}.
 */
@Component
class BankResilience {

    private static final Logger log = LoggerFactory.getLogger(BankResilience.class);

    private final CircuitBreakerRegistry circuits;
    private final BulkheadRegistry bulkheads;
    private final TimeLimiterRegistry timeLimiters;
    private final BankProperties.Resilience settings;
    private final DatabaseClient db;
    private final MeterRegistry meters;

    BankResilience(BankProperties properties, DatabaseClient db, MeterRegistry meters) {
        this.settings = properties.resilience();
        this.db = db;
        this.meters = meters;
        this.circuits = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRateThreshold())
                .slowCallRateThreshold(settings.slowCallRateThreshold())
                .slowCallDurationThreshold(settings.slowCall())
                .slidingWindowSize(settings.windowSize())
                .minimumNumberOfCalls(settings.minimumCalls())
                .waitDurationInOpenState(settings.waitInOpen())
                .permittedNumberOfCallsInHalfOpenState(settings.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // A refusal by the bank (4xx) is an answer, not a failure of the bank.
                .recordException(BankResilience::isFailure)
                .build());
        circuits.getEventPublisher().onEntryAdded(added -> watch(added.getAddedEntry()));
        this.timeLimiters = TimeLimiterRegistry.of(TimeLimiterConfig.custom()
                .timeoutDuration(settings.callTimeout())
                .cancelRunningFuture(true)
                .build());
        this.bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
                .maxConcurrentCalls(settings.concurrentCallsMax())
                .maxWaitDuration(java.time.Duration.ZERO)
                .build());
    }

    /** The call, guarded: timed out after the call timeout, refused while the circuit is open. */
    <T> Mono<T> guard(UUID bank, Mono<T> call) {
        return call.transformDeferred(TimeLimiterOperator.of(timeLimiters.timeLimiter(bank.toString())))
                .transformDeferred(BulkheadOperator.of(bulkheads.bulkhead(bank.toString())))
                .transformDeferred(CircuitBreakerOperator.of(circuit(bank)));
    }

    CircuitBreaker circuit(UUID bank) {
        return circuits.circuitBreaker(bank.toString());
    }

    boolean isOpen(UUID bank) {
        CircuitBreaker.State state = circuit(bank).getState();
        return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
    }

    /** A call refused by the circuit or the bulkhead never reached the bank: safe to simply try later. */
    static boolean neverSent(Throwable error) {
        return error instanceof CallNotPermittedException
                || error instanceof io.github.resilience4j.bulkhead.BulkheadFullException;
    }

    private void watch(CircuitBreaker circuit) {
        String bank = circuit.getName();
        circuit.getEventPublisher().onStateTransition(event -> {
            CircuitBreaker.StateTransition transition = event.getStateTransition();
            log.warn("Bank {}: circuit {} -> {}", bank, transition.getFromState(), transition.getToState());
            db.sql("SELECT outbox_emit('paygate.bank.circuit_changed', :bank, :bank, "
                            + "jsonb_build_object('bank_id', :bank, 'from', :from, 'to', :to, 'at', now()))")
                    .bind("bank", bank)
                    .bind("from", transition.getFromState().name())
                    .bind("to", transition.getToState().name())
                    .then()
                    .onErrorResume(error -> {
                        log.warn("Could not record the circuit change of bank {}: {}", bank, error.toString());
                        return Mono.empty();
                    })
                    .subscribe();
        });
        Gauge.builder("paygate.bank.circuit.state", circuit, c -> switch (c.getState()) {
                    case CLOSED -> 0;
                    case HALF_OPEN -> 1;
                    default -> 2;
                })
                .description("0 closed, 1 half open, 2 open").tag("bank", bank).register(meters);
    }

    private static boolean isFailure(Throwable error) {
        if (neverSent(error)) {
            // Our own limit refused the call; it says nothing about the bank.
            return false;
        }
        if (error instanceof WebClientResponseException response) {
            return response.getStatusCode().is5xxServerError() || response.getStatusCode().value() == 429;
        }
        return error instanceof TimeoutException || !(error instanceof IllegalArgumentException);
    }
}
