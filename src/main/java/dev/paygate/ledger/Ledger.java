package dev.paygate.ledger;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.Caller;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * The only way money moves. Every deposit, withdrawal and transfer is a {@link LedgerCommand}
 * applied by {@code ledger_apply}, which takes a whole batch in order; a single command is a batch of one.
 */
@Service
public class Ledger {

    private final Transactions transactions;

    public Ledger(Transactions transactions) {
        this.transactions = transactions;
    }

    public Mono<LedgerOutcome> submit(LedgerCommand command) {
        return transactions.applyInOrder(List.of(command)).single();
    }

    /** The transaction, if the caller may see it (staff: any; customers: one touching their account); else 404. */
    public Mono<Transaction> findVisible(UUID id, Caller caller) {
        return transactions.findById(id, caller.confinedTo())
                .switchIfEmpty(Mono.error(() -> ApiException.notFound(ApiProblem.TRANSACTION_NOT_FOUND, id)));
    }
}
