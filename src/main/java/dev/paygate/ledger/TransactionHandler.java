package dev.paygate.ledger;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.Caller;
import dev.paygate.common.Callers;
import dev.paygate.common.FieldErrors;
import dev.paygate.common.Page;
import dev.paygate.common.PageCursor;
import dev.paygate.common.RequestBodies;
import dev.paygate.common.Scopes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP in and out for reading transactions: one by id, its status, and the filtered, paged history. */
@Component
class TransactionHandler {

    private final Ledger ledger;
    private final Transactions transactions;
    private final TransactionAccess access;
    private final Callers callers;

    TransactionHandler(Ledger ledger, Transactions transactions, TransactionAccess access, Callers callers) {
        this.ledger = ledger;
        this.transactions = transactions;
        this.access = access;
        this.callers = callers;
    }

    Mono<ServerResponse> get(ServerRequest request) {
        return visibleTransaction(request)
                .flatMap(transaction -> ServerResponse.ok().bodyValue(TransactionView.of(transaction)));
    }

    Mono<ServerResponse> list(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.TRANSFERS_READ);
            TransactionQuery query = query(request, caller);
            Mono<Boolean> allowed = query.accountId() == null
                    ? Mono.just(true)
                    : access.canSeeAccount(query.accountId(), caller);
            return allowed.flatMap(visible -> visible
                    ? transactions.page(withLimitPlusOne(query)).collectList()
                            .map(rows -> Page.of(rows, query.limit(), Transaction::id, TransactionView::of))
                            .flatMap(page -> ServerResponse.ok().bodyValue(page))
                    : Mono.error(ApiException.notFound(ApiProblem.ACCOUNT_NOT_FOUND, query.accountId())));
        });
    }

    private Mono<Transaction> visibleTransaction(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.TRANSFERS_READ);
            return ledger.findVisible(RequestBodies.pathId(request, "id"), caller);
        });
    }

    private static TransactionQuery query(ServerRequest request, Caller caller) {
        FieldErrors errors = new FieldErrors();
        UUID accountId = errors.uuid("account_id", param(request, "account_id"), false);
        TransactionType type = errors.oneOf("type", param(request, "type"), TransactionType.class);
        TransactionStatus status = errors.oneOf("status", param(request, "status"), TransactionStatus.class);
        String currency = param(request, "currency");
        if (currency != null && !dev.paygate.common.CurrencyCode.isKnown(currency)) {
            errors.add("currency", "must be an ISO 4217 currency code such as USD");
        }
        Instant from = timestamp(request, "created_from", errors);
        Instant to = timestamp(request, "created_to", errors);
        int limit = PageCursor.limit(param(request, "limit"), errors);
        UUID before = PageCursor.decode(param(request, "cursor"), errors);
        errors.throwIfAny();
        return new TransactionQuery(accountId, type, status, currency, from, to, before, limit, caller.confinedTo());
    }

    private static TransactionQuery withLimitPlusOne(TransactionQuery query) {
        return new TransactionQuery(query.accountId(), query.type(), query.status(), query.currency(),
                query.createdFrom(), query.createdTo(), query.before(), query.limit() + 1, query.visibleTo());
    }

    private static @Nullable Instant timestamp(ServerRequest request, String name, FieldErrors errors) {
        String value = param(request, name);
        if (value == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(name, "must be an RFC 3339 timestamp such as 2026-01-31T00:00:00Z");
            return null;
        }
    }

    private static @Nullable String param(ServerRequest request, String name) {
        return RequestBodies.query(request, name);
    }
}
