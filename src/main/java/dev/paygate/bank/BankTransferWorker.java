package dev.paygate.bank;

import dev.paygate.bank.BankDispatches.Call;
import dev.paygate.bank.BankDispatches.Work;
import dev.paygate.bank.BankProtocol.BankPayment;
import dev.paygate.bank.BankProtocol.PaymentOrder;
import dev.paygate.common.Actor;
import dev.paygate.common.PollingWorker;
import dev.paygate.ledger.Ledger;
import dev.paygate.ledger.TransactionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Sends external transfers to their banks and settles them, on every instance at once.
 *
 * <p>A PENDING transfer is sent once its bank's circuit lets calls through (while it is open the
 * transfer waits, PENDING). Every call may be repeated: the transfer id is the bank's idempotency
 * key. An answered call settles the transfer (the hold is posted, or voided, or inbound money
 * credited); an unanswered one is an unknown outcome, settled by asking the bank. Past its
 * deadline (or after its last allowed attempt) a transfer is settled for good: if it was never sent
 * it fails; if the bank may have it, Paygate cancels it at the bank first and completes it instead
 * if the bank had executed it.
 */
@Component
class BankTransferWorker extends PollingWorker {

    private static final Logger log = LoggerFactory.getLogger(BankTransferWorker.class);
    private static final Actor WORKER = new Actor("bank-dispatcher", null, null);

    private final BankDispatches dispatches;
    private final BankConnectors connectors;
    private final BankResilience resilience;
    private final Ledger ledger;
    private final BankProperties.Dispatch settings;

    BankTransferWorker(BankDispatches dispatches, BankConnectors connectors, BankResilience resilience, Ledger ledger,
                       BankProperties properties) {
        super("Bank dispatch", properties.dispatch().batchMax(), properties.dispatch().pollInterval());
        this.dispatches = dispatches;
        this.connectors = connectors;
        this.resilience = resilience;
        this.ledger = ledger;
        this.settings = properties.dispatch();
    }

    @Override
    protected Mono<Integer> round() {
        return dispatches.take(settings.batchMax(), settings.lease(), settings.deadline())
                .flatMap(work -> process(work).onErrorResume(error -> {
                    log.warn("Transfer {}: dispatch step failed: {}", work.transactionId(), error.toString());
                    // The step may have got as far as calling the bank: its call state stays as recorded.
                    return dispatches.retryLater(work.transactionId(), backoff(work.attempts()), error.toString()).then();
                }), settings.concurrencyMax())
                .count()
                .map(Math::toIntExact);
    }

    private Mono<Void> process(Work work) {
        boolean pastDeadline = Instant.now().isAfter(work.deadline()) || work.attempts() >= settings.attemptsMax();
        if (work.call() == Call.NONE && pastDeadline) {
            // Never sent: nothing can have happened at the bank.
            return settle(work, TransactionStatus.valueOf(work.status()), TransactionStatus.FAILED, "NARR", null);
        }
        if (work.call() == Call.NONE && resilience.isOpen(work.bankId())) {
            // The bank is failing: the transfer waits, untouched, until its circuit lets calls through.
            return dispatches.reschedule(work.transactionId(), Call.NONE, false, settings.backoffMax(),
                    "bank circuit open", null).then();
        }
        return connectors.of(work.bankId()).flatMap(connector -> begin(work)
                .then(dispatches.markMaybeSent(work.transactionId()))
                .then(pastDeadline ? connector.cancel(work.transactionId()) : ask(connector, work))
                .flatMap(payment -> answered(work, payment, pastDeadline))
                .switchIfEmpty(Mono.defer(() -> unanswered(work, null, pastDeadline)))
                // Refused by the circuit or the bulkhead, the call never left: nothing changed at the
                // bank, and it does not count as an attempt.
                .onErrorResume(error -> BankResilience.neverSent(error)
                        ? neverSent(work, error)
                        : unanswered(work, error, pastDeadline)));
    }

    /** The call did not leave, so a transfer that had never been sent is again one the bank cannot have. */
    private Mono<Void> neverSent(Work work, Throwable error) {
        return work.call() == Call.NONE
                ? dispatches.reschedule(work.transactionId(), Call.NONE, false, backoff(work.attempts()),
                        error.toString(), null).then()
                : dispatches.retryLater(work.transactionId(), backoff(work.attempts()), error.toString()).then();
    }

    /** PENDING becomes PROCESSING the first time the transfer goes to its bank. */
    private Mono<Void> begin(Work work) {
        if (!"PENDING".equals(work.status())) {
            return Mono.empty();
        }
        return ledger.transition(work.transactionId(), TransactionStatus.PENDING, TransactionStatus.PROCESSING,
                null, WORKER).then();
    }

    /** After an unanswered call the bank is asked first; a payment it never received is sent again. */
    private static Mono<BankPayment> ask(BankConnector connector, Work work) {
        PaymentOrder order = new PaymentOrder(work.transactionId(), work.direction(), work.amount().toDecimalString(),
                work.amount().currency().code(), work.counterparty(), work.account());
        if (work.call() == Call.NONE) {
            return connector.pay(order);
        }
        return connector.inquire(work.transactionId()).switchIfEmpty(Mono.defer(() -> connector.pay(order)));
    }

    private Mono<Void> answered(Work work, BankPayment payment, boolean pastDeadline) {
        Settlement settlement = Settlement.of(payment);
        return switch (settlement.kind()) {
            case COMPLETE -> settle(work, TransactionStatus.PROCESSING, TransactionStatus.COMPLETED, null,
                    payment.bankReference());
            case FAIL -> settle(work, TransactionStatus.PROCESSING, TransactionStatus.FAILED, settlement.failureReason(),
                    payment.bankReference());
            case WAIT -> pastDeadline
                    ? unanswered(work, null, true)
                    : dispatches.reschedule(work.transactionId(), Call.SENT, true, backoff(work.attempts()),
                            null, payment.bankReference()).then();
        };
    }

    /**
     * No answer: the outcome is unknown, so the transfer stays PROCESSING and is asked about again.
     * Past its deadline Paygate keeps asking the bank to cancel it, and keeps its money held: the
     * bank may have paid, and releasing the hold then could pay the money twice. Such a transfer is
     * logged on every try (and counted as overdue) so that an operator calls the bank; only after
     * {@code unanswered-hold-max} more without a word from the bank does it fail.
     */
    private Mono<Void> unanswered(Work work, @Nullable Throwable error, boolean pastDeadline) {
        String reason = error == null ? "no answer" : error.toString();
        if (pastDeadline && Instant.now().isAfter(work.deadline().plus(settings.unansweredHoldMax()))) {
            log.error("Transfer {}: no answer from its bank for {} past its deadline ({}); failing it and releasing "
                    + "its hold. If the bank executed it after all, reconciliation lists it as EXECUTED_BUT_FAILED",
                    work.transactionId(), settings.unansweredHoldMax(), reason);
            return settle(work, TransactionStatus.PROCESSING, TransactionStatus.FAILED, "NARR", null);
        }
        if (pastDeadline) {
            log.warn("Transfer {}: past its deadline and the bank has not confirmed a cancel ({}); its money stays "
                    + "held until the bank answers", work.transactionId(), reason);
        }
        return dispatches.reschedule(work.transactionId(), Call.UNKNOWN, true, backoff(work.attempts()), reason, null)
                .then();
    }

    private Mono<Void> settle(Work work, TransactionStatus from, TransactionStatus target, @Nullable String reason,
                              @Nullable String reference) {
        return ledger.transition(work.transactionId(), from, target, reason, WORKER)
                .then(dispatches.reschedule(work.transactionId(), work.call(), false, Duration.ZERO, null, reference))
                .then();
    }

    /** 0.5 s, 1 s, 2 s, ... capped, each with up to half again of random jitter. */
    private Duration backoff(int attemptsSoFar) {
        long base = settings.backoffInitial().toMillis() << Math.min(attemptsSoFar, 16);
        long capped = Math.min(base, settings.backoffMax().toMillis());
        return Duration.ofMillis(capped + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }
}
