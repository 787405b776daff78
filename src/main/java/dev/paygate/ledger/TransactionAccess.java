package dev.paygate.ledger;

import dev.paygate.common.Caller;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Whether a caller may see an account's history: staff see all, customers their own accounts. */
@Component
class TransactionAccess {

    private final DatabaseClient db;

    TransactionAccess(DatabaseClient db) {
        this.db = db;
    }

    Mono<Boolean> canSeeAccount(UUID accountId, Caller caller) {
        String owner = caller.confinedTo();
        if (owner == null) {
            return Mono.just(true);
        }
        return db.sql("SELECT 1 FROM accounts WHERE id = :id AND user_id = :user")
                .bind("id", accountId).bind("user", owner)
                .map(row -> true).one().defaultIfEmpty(false);
    }
}
