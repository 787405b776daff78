package dev.paygate.bank;

import dev.paygate.bank.BankProtocol.BankPayment;
import dev.paygate.bank.BankProtocol.PaymentOrder;
import dev.paygate.bank.BankProtocol.StatementLine;
import java.time.LocalDate;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * How Paygate talks to one bank. Every call may be retried: the payment id is the bank's
 * idempotency key. A bank with another protocol is one more implementation of this interface,
 * made by a {@link BankConnectorFactory} bean; its answers map to {@link BankProtocol.BankPayment}
 * statuses, which {@link Settlement} maps to ours.
 */
interface BankConnector {

    /** Orders the payment, or returns the bank's answer for an order it already has. */
    Mono<BankPayment> pay(PaymentOrder order);

    /** The bank's answer for a payment; empty when the bank never received it. */
    Mono<BankPayment> inquire(UUID paymentId);

    /** Cancels a payment not yet executed; answers EXECUTED when it is too late for that. */
    Mono<BankPayment> cancel(UUID paymentId);

    Flux<StatementLine> statement(LocalDate date);
}
