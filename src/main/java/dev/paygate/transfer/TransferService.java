package dev.paygate.transfer;

import dev.paygate.ledger.Ledger;
import dev.paygate.ledger.LedgerCommand;
import dev.paygate.ledger.LedgerOutcome;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/** Internal transfers: one ledger command each, debit and credit in one database transaction. */
@Service
class TransferService {

    private final Ledger ledger;

    TransferService(Ledger ledger) {
        this.ledger = ledger;
    }

    Mono<LedgerOutcome> transfer(LedgerCommand command) {
        return ledger.submit(command);
    }
}
