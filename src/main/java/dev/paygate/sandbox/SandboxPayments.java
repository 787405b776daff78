package dev.paygate.sandbox;

import dev.paygate.bank.BankProtocol.BankPayment;
import dev.paygate.bank.BankProtocol.BankStatus;
import dev.paygate.bank.BankProtocol.PaymentOrder;
import dev.paygate.bank.BankProtocol.StatementLine;
import io.r2dbc.spi.Readable;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sandbox bank's own ledger. A payment id is its idempotency key: ordering a known id again
 * returns the first result and executes nothing; a cancelled id is never executed.
 */
@Repository
class SandboxPayments {

    private static final String COLUMNS = "payment_id, direction, amount, currency, status, reason_code, bank_reference, created_at";

    private final DatabaseClient db;
    private final JsonMapper json;

    SandboxPayments(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    /** Records the order with this outcome unless the id is known; answers what the bank has for the id. */
    Mono<BankPayment> record(UUID bank, PaymentOrder order, BankStatus status, @Nullable String reasonCode) {
        var spec = db.sql("""
                        WITH inserted AS (
                            INSERT INTO sandbox_payments (bank_id, payment_id, direction, amount, currency, counterparty,
                                                          status, reason_code, bank_reference)
                            VALUES (:bank, :id, :direction, :amount, :currency, CAST(:counterparty AS jsonb), :status,
                                    :reason, :reference)
                            ON CONFLICT (bank_id, payment_id) DO NOTHING
                            RETURNING\s""" + COLUMNS + """

                        )
                        SELECT\s""" + COLUMNS + """
                         FROM inserted
                        UNION ALL
                        SELECT\s""" + COLUMNS + """
                         FROM sandbox_payments WHERE bank_id = :bank AND payment_id = :id
                        LIMIT 1""")
                .bind("bank", bank).bind("id", order.paymentId()).bind("direction", order.direction())
                .bind("amount", order.amount()).bind("currency", order.currency())
                .bind("counterparty", json.writeValueAsString(order.counterparty()))
                .bind("status", status.name()).bind("reference", "SBX-" + UUID.randomUUID().toString().substring(0, 8));
        spec = reasonCode == null ? spec.bindNull("reason", String.class) : spec.bind("reason", reasonCode);
        // A concurrent order of the same id may commit after this statement's snapshot: read it then.
        return spec.map(SandboxPayments::payment).one().switchIfEmpty(Mono.defer(() -> find(bank, order.paymentId())));
    }

    Mono<BankPayment> find(UUID bank, UUID paymentId) {
        return db.sql("SELECT " + COLUMNS + " FROM sandbox_payments WHERE bank_id = :bank AND payment_id = :id")
                .bind("bank", bank).bind("id", paymentId).map(SandboxPayments::payment).one();
    }

    /** Cancels an id not yet executed (remembering it, so a late order for it is refused). */
    Mono<BankPayment> cancel(UUID bank, UUID paymentId) {
        return db.sql("""
                        WITH cancelled AS (
                            INSERT INTO sandbox_payments (bank_id, payment_id, direction, amount, currency, status,
                                                          bank_reference)
                            VALUES (:bank, :id, 'OUTBOUND', '0', 'XXX', 'CANCELLED', 'SBX-CANCELLED')
                            ON CONFLICT (bank_id, payment_id) DO NOTHING
                            RETURNING\s""" + COLUMNS + """

                        )
                        SELECT\s""" + COLUMNS + """
                         FROM cancelled
                        UNION ALL
                        SELECT\s""" + COLUMNS + """
                         FROM sandbox_payments WHERE bank_id = :bank AND payment_id = :id
                        LIMIT 1""")
                .bind("bank", bank).bind("id", paymentId).map(SandboxPayments::payment).one()
                .switchIfEmpty(Mono.defer(() -> find(bank, paymentId)));
    }

    Flux<StatementLine> statement(UUID bank, LocalDate date) {
        return db.sql("SELECT " + COLUMNS + " FROM sandbox_payments WHERE bank_id = :bank AND created_at >= :from "
                        + "AND created_at < :to AND status <> 'CANCELLED' ORDER BY created_at")
                .bind("bank", bank)
                .bind("from", OffsetDateTime.of(date.atStartOfDay(), ZoneOffset.UTC))
                .bind("to", OffsetDateTime.of(date.plusDays(1).atStartOfDay(), ZoneOffset.UTC))
                .map(row -> {
                    BankPayment payment = payment(row);
                    return new StatementLine(payment.paymentId(), row.get("direction", String.class),
                            row.get("amount", String.class), row.get("currency", String.class).trim(), payment.status(),
                            payment.executedAt());
                })
                .all();
    }


    private static BankPayment payment(Readable row) {
        BankStatus status = BankStatus.valueOf(row.get("status", String.class));
        OffsetDateTime at = row.get("created_at", OffsetDateTime.class);
        return new BankPayment(row.get("payment_id", UUID.class), status, row.get("reason_code", String.class),
                row.get("bank_reference", String.class),
                status == BankStatus.EXECUTED && at != null ? at.toInstant() : null);
    }
}
