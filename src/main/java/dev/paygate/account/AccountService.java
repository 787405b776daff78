package dev.paygate.account;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.IdempotencyKey;
import dev.paygate.common.Actor;
import dev.paygate.common.Money;
import dev.paygate.ledger.Ledger;
import dev.paygate.ledger.LedgerCommand;
import dev.paygate.ledger.LedgerOutcome;
import dev.paygate.ledger.TransactionType;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Opening, reading and changing accounts; deposits and withdrawals through the ledger. */
@Service
class AccountService {

    private final Accounts accounts;
    private final Ledger ledger;

    AccountService(Accounts accounts, Ledger ledger) {
        this.accounts = accounts;
        this.ledger = ledger;
    }

    Mono<Account> open(String userId, String name, CurrencyCode currency, Actor actor) {
        return accounts.create(userId, name, currency, actor);
    }

    /** The account, if it exists and {@code owner} (when given) owns it; else 404. */
    Mono<Account> find(UUID id, @Nullable String owner) {
        return accounts.find(id, owner)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound(ApiProblem.ACCOUNT_NOT_FOUND, id)));
    }

    Flux<Account> page(@Nullable String owner, @Nullable UUID after, int limit) {
        return accounts.page(owner, after, limit);
    }

    /**
     * Applies a change to an account the caller may see, or explains with a 422 why the account
     * refuses it (re-read after the refused update, so the reason is the current one).
     */
    Mono<Account> update(Account account, AccountChange change, Actor actor) {
        return accounts.update(account.id(), change.name(), change.status(), change.overdraftLimitMinor(), actor)
                .switchIfEmpty(Mono.defer(() -> find(account.id(), null)
                        .flatMap(current -> Mono.error(refusal(current, change)))));
    }

    Mono<LedgerOutcome> deposit(UUID accountId, Money amount, @Nullable String description, Actor actor,
                                @Nullable IdempotencyKey key) {
        return ledger.submit(LedgerCommand.move(TransactionType.DEPOSIT, null, accountId, amount,
                description, Map.of(), null, actor, key));
    }

    Mono<LedgerOutcome> withdraw(UUID accountId, Money amount, @Nullable String description, @Nullable String owner,
                                 Actor actor, @Nullable IdempotencyKey key) {
        return ledger.submit(LedgerCommand.move(TransactionType.WITHDRAWAL, accountId, null, amount,
                description, Map.of(), owner, actor, key));
    }

    private static ApiException refusal(Account current, AccountChange change) {
        String detail;
        if (current.status() == AccountStatus.CLOSED) {
            detail = "The account is closed; a closed account cannot change.";
        } else if (change.status() == AccountStatus.CLOSED && (current.balanceMinor() != 0 || current.heldMinor() != 0)) {
            detail = "The account still holds money (balance " + Money.format(current.balanceMinor(), current.currency())
                    + ", held " + Money.format(current.heldMinor(), current.currency()) + "); empty it before closing.";
        } else {
            detail = "The overdraft limit would be below what the account already owes.";
        }
        return new ApiException(ApiProblem.ACCOUNT_UPDATE_REFUSED, detail);
    }

    /** A validated change to an account; {@code null} fields stay as they are. */
    record AccountChange(@Nullable String name, @Nullable AccountStatus status, @Nullable Long overdraftLimitMinor) {
    }
}
