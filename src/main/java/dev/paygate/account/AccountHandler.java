package dev.paygate.account;

import static dev.paygate.common.RequestBodies.pathId;
import static dev.paygate.common.RequestBodies.query;

import dev.paygate.account.AccountRequests.CreateAccount;
import dev.paygate.account.AccountRequests.MoveMoney;
import dev.paygate.account.AccountRequests.UpdateAccount;
import dev.paygate.account.AccountService.AccountChange;
import dev.paygate.common.ApiException;
import dev.paygate.common.Caller;
import dev.paygate.common.Caller.Role;
import dev.paygate.common.Callers;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.FieldErrors;
import dev.paygate.common.FieldErrorsFactory;
import dev.paygate.common.IdempotencyKey;
import dev.paygate.common.Money;
import dev.paygate.common.Page;
import dev.paygate.common.PageCursor;
import dev.paygate.common.RequestBodies;
import dev.paygate.common.Scopes;
import dev.paygate.ledger.LedgerResponses;
import java.net.URI;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** HTTP in and out for accounts: parse, validate, authorise, call the service, answer. */
@Component
class AccountHandler {

    static final int NAME_LENGTH_MAX = 200;
    static final int DESCRIPTION_LENGTH_MAX = 500;
    private static final String DEFAULT_NAME = "Main";

    private final AccountService service;
    private final Callers callers;
    private final FieldErrorsFactory fieldErrors;

    AccountHandler(AccountService service, Callers callers, FieldErrorsFactory fieldErrors) {
        this.service = service;
        this.callers = callers;
        this.fieldErrors = fieldErrors;
    }

    Mono<ServerResponse> create(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_WRITE);
            return RequestBodies.required(request, CreateAccount.class).flatMap(body -> {
                FieldErrors errors = fieldErrors.create();
                CurrencyCode currency = errors.currency("currency", body.currency());
                String name = errors.text("name", body.name(), NAME_LENGTH_MAX, false);
                String owner = errors.text("user_id", body.userId(), 255, false);
                if (owner != null && !caller.isStaff() && !owner.equals(caller.userId())) {
                    errors.add("user_id", "may only be set by an operator");
                }
                errors.throwIfAny();
                return service.open(owner == null ? caller.userId() : owner, name == null ? DEFAULT_NAME : name, currency,
                        caller.actor());
            });
        }).flatMap(account -> ServerResponse.created(URI.create("/accounts/" + account.id()))
                .bodyValue(AccountView.of(account)));
    }

    Mono<ServerResponse> get(ServerRequest request) {
        return visibleAccount(request).flatMap(account -> ServerResponse.ok().bodyValue(AccountView.of(account)));
    }

    Mono<ServerResponse> balance(ServerRequest request) {
        return visibleAccount(request)
                .flatMap(account -> ServerResponse.ok().bodyValue(BalanceView.of(account, Instant.now())));
    }

    Mono<ServerResponse> list(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_READ);
            FieldErrors errors = fieldErrors.create();
            int limit = PageCursor.limit(query(request, "limit"), errors);
            UUID after = PageCursor.decode(query(request, "cursor"), errors);
            String userFilter = query(request, "user_id");
            errors.throwIfAny();
            String owner = caller.isStaff() ? userFilter : caller.userId();
            return service.page(owner, after, limit + 1).collectList()
                    .map(rows -> Page.of(rows, limit, Account::id, AccountView::of));
        }).flatMap(page -> ServerResponse.ok().bodyValue(page));
    }

    Mono<ServerResponse> update(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_WRITE);
            UUID id = pathId(request, "id");
            return RequestBodies.required(request, UpdateAccount.class)
                    .flatMap(body -> service.find(id, caller.confinedTo())
                            .flatMap(account -> service.update(account, change(body, account, caller), caller.actor())));
        }).flatMap(account -> ServerResponse.ok().bodyValue(AccountView.of(account)));
    }

    Mono<ServerResponse> deposit(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_WRITE);
            caller.requireRole(Role.OPERATOR, Role.ADMIN);
            UUID id = pathId(request, "id");
            return RequestBodies.required(request, MoveMoney.class).flatMap(body -> {
                Movement movement = movement(body);
                @Nullable IdempotencyKey key = idempotencyKey(request, caller, movement);
                return service.deposit(id, movement.amount(), movement.description(), caller.actor(), key);
            });
        }).flatMap(outcome -> LedgerResponses.respond(outcome, HttpStatus.CREATED, tx -> "/transactions/" + tx));
    }

    Mono<ServerResponse> withdraw(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_WRITE);
            UUID id = pathId(request, "id");
            return RequestBodies.required(request, MoveMoney.class).flatMap(body -> {
                Movement movement = movement(body);
                @Nullable IdempotencyKey key = idempotencyKey(request, caller, movement);
                return service.withdraw(id, movement.amount(), movement.description(), caller.confinedTo(),
                        caller.actor(), key);
            });
        }).flatMap(outcome -> LedgerResponses.respond(outcome, HttpStatus.CREATED, tx -> "/transactions/" + tx));
    }

    private Mono<Account> visibleAccount(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_READ);
            return service.find(pathId(request, "id"), caller.confinedTo());
        });
    }

    private AccountChange change(UpdateAccount body, Account account, Caller caller) {
        FieldErrors errors = fieldErrors.create();
        String name = errors.text("name", body.name(), NAME_LENGTH_MAX, false);
        AccountStatus status = errors.oneOf("status", body.status(), AccountStatus.class);
        Money overdraft = body.overdraftLimit() == null ? null
                : errors.nonNegativeAmount("overdraft_limit", body.overdraftLimit(), account.currency());
        if (body.status() != null && !caller.isStaff()) {
            errors.add("status", "may only be set by an operator");
        }
        if (body.overdraftLimit() != null && !caller.isStaff()) {
            errors.add("overdraft_limit", "may only be set by an operator");
        }
        if (body.name() == null && body.status() == null && body.overdraftLimit() == null) {
            errors.add("name", "at least one of name, status, overdraft_limit is required");
        }
        errors.throwIfAny();
        if (status != null) {
            caller.requireRole(Role.ADMIN);
        }
        return new AccountChange(name, status, overdraft == null ? null : overdraft.amountMinor());
    }

    private Movement movement(MoveMoney body) {
        FieldErrors errors = fieldErrors.create();
        CurrencyCode currency = errors.currency("currency", body.currency());
        Money amount = errors.positiveAmount("amount", body.amount(), currency);
        String description = errors.text("description", body.description(), DESCRIPTION_LENGTH_MAX, false);
        errors.throwIfAny();
        return new Movement(amount, description);
    }

    private static @Nullable IdempotencyKey idempotencyKey(ServerRequest request, Caller caller, Movement movement) {
        String canonical = request.method() + " " + request.path() + "\n" + movement.amount().amountMinor() + " "
                + movement.amount().currency() + "\n" + movement.description();
        return IdempotencyKey.of(caller.userId(), request.headers().firstHeader(IdempotencyKey.HEADER), canonical);
    }

    private record Movement(Money amount, @Nullable String description) {
    }
}
