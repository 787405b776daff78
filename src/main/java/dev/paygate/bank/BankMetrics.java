package dev.paygate.bank;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The dispatcher's backlog for operators: external transfers waiting for a bank, and those past
 * their deadline that a bank has not answered (their money stays held until it does).
 */
@Component
class BankMetrics {

    private static final Logger log = LoggerFactory.getLogger(BankMetrics.class);

    private final BankDispatches dispatches;
    private final AtomicLong waiting = new AtomicLong();
    private final AtomicLong overdue = new AtomicLong();

    BankMetrics(BankDispatches dispatches, MeterRegistry meters) {
        this.dispatches = dispatches;
        Gauge.builder("paygate.bank.dispatch.backlog", waiting, AtomicLong::get)
                .description("External transfers waiting for their bank (PENDING or PROCESSING)").register(meters);
        Gauge.builder("paygate.bank.dispatch.overdue", overdue, AtomicLong::get)
                .description("External transfers past their deadline with no answer from the bank").register(meters);
    }

    /** Measured off the request path: a scrape never waits for the database. */
    @Scheduled(fixedDelayString = "5s", initialDelayString = "5s")
    Mono<Void> measure() {
        return dispatches.backlog()
                .doOnNext(counts -> {
                    waiting.set(counts.waiting());
                    overdue.set(counts.overdue());
                })
                .onErrorResume(error -> {
                    log.debug("Could not measure the bank dispatch backlog: {}", error.toString());
                    return Mono.empty();
                })
                .then();
    }
}
