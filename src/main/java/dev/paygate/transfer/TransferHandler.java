package dev.paygate.transfer;

import dev.paygate.common.Caller;
import dev.paygate.common.Callers;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.FieldErrors;
import dev.paygate.common.FieldErrorsFactory;
import dev.paygate.common.IdempotencyKey;
import dev.paygate.common.Money;
import dev.paygate.common.RequestBodies;
import dev.paygate.common.Scopes;
import dev.paygate.ledger.Ledger;
import dev.paygate.ledger.LedgerCommand;
import dev.paygate.ledger.LedgerResponses;
import dev.paygate.ledger.TransactionType;
import dev.paygate.ledger.TransactionView;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP in and out for internal transfers. */
@Component
class TransferHandler {

    static final int DESCRIPTION_LENGTH_MAX = 500;

    private final TransferService service;
    private final Ledger ledger;
    private final Callers callers;
    private final FieldErrorsFactory fieldErrors;

    TransferHandler(TransferService service, Ledger ledger, Callers callers, FieldErrorsFactory fieldErrors) {
        this.service = service;
        this.ledger = ledger;
        this.callers = callers;
        this.fieldErrors = fieldErrors;
    }

    Mono<ServerResponse> create(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.TRANSFERS_WRITE);
            return RequestBodies.required(request, TransferRequest.class)
                    .map(body -> command(request, body, caller))
                    .flatMap(command -> service.transfer(command));
        }).flatMap(outcome -> LedgerResponses.respond(outcome, HttpStatus.CREATED, id -> "/transfers/" + id));
    }

    Mono<ServerResponse> get(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.TRANSFERS_READ);
            return ledger.findVisible(RequestBodies.pathId(request, "id"), caller);
        }).flatMap(transaction -> ServerResponse.ok().bodyValue(TransactionView.of(transaction)));
    }

    Mono<ServerResponse> status(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.TRANSFERS_READ);
            return ledger.findVisible(RequestBodies.pathId(request, "id"), caller);
        }).flatMap(transaction -> ServerResponse.ok().bodyValue(TransferStatusView.of(transaction)));
    }

    /** Validates the body and makes the ledger command; a customer may only send from their own account. */
    private LedgerCommand command(ServerRequest request, TransferRequest body, Caller caller) {
        FieldErrors errors = fieldErrors.create();
        UUID from = errors.uuid("from_account", body.fromAccount(), true);
        UUID to = errors.uuid("to_account", body.toAccount(), true);
        CurrencyCode currency = errors.currency("currency", body.currency());
        Money amount = errors.positiveAmount("amount", body.amount(), currency);
        String description = errors.text("description", body.description(), DESCRIPTION_LENGTH_MAX, false);
        Map<String, String> metadata = errors.metadata("metadata", body.metadata());
        errors.throwIfAny();
        String canonical = "POST /transfers\n" + from + "\n" + to + "\n" + amount.amountMinor() + " " + currency
                + "\n" + description + "\n" + new TreeMap<>(metadata);
        IdempotencyKey key = IdempotencyKey.of(caller.userId(), request.headers().firstHeader(IdempotencyKey.HEADER),
                canonical);
        return LedgerCommand.move(TransactionType.TRANSFER, from, to, amount, description, metadata,
                caller.confinedTo(), caller.actor(), key);
    }
}
