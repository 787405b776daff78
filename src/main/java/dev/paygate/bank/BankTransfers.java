package dev.paygate.bank;

import dev.paygate.common.Actor;
import dev.paygate.common.IdempotencyKey;
import dev.paygate.common.Ids;
import dev.paygate.common.Money;
import dev.paygate.ledger.Ledger;
import dev.paygate.ledger.LedgerCommand;
import dev.paygate.ledger.LedgerOutcome;
import dev.paygate.ledger.TransactionType;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Transfers to and from external banks. Making one only records it: a payout holds its amount on
 * the account (through the ledger's batcher, like every movement), money expected from a bank is
 * noted; the dispatcher then talks to the bank and settles it.
 */
@Service
class BankTransfers {

    private final Ledger ledger;

    BankTransfers(Ledger ledger) {
        this.ledger = ledger;
    }

    Mono<LedgerOutcome> record(UUID bank, UUID account, Direction direction, Money amount,
                               Map<String, String> counterparty, @Nullable String description,
                               @Nullable String owner, Actor actor, @Nullable IdempotencyKey key,
                               Map<String, Object> review) {
        LedgerCommand command = direction == Direction.OUTBOUND
                ? new LedgerCommand(Ids.next(), TransactionType.EXTERNAL_OUTBOUND, LedgerCommand.Mode.HOLD, account, null,
                        amount, description, Map.of(), bank, counterparty, owner, actor, key, review)
                : new LedgerCommand(Ids.next(), TransactionType.EXTERNAL_INBOUND, LedgerCommand.Mode.RECORD, null, account,
                        amount, description, Map.of(), bank, counterparty, null, actor, key, review);
        return ledger.submit(command);
    }

    /** Which way the money goes, seen from the customer's account. */
    enum Direction { OUTBOUND, INBOUND }
}
