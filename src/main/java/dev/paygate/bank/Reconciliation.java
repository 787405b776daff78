package dev.paygate.bank;

import dev.paygate.bank.BankProtocol.BankStatus;
import dev.paygate.bank.BankProtocol.StatementLine;
import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.Money;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Compares what Paygate recorded with a bank for a day (UTC) with what the bank says it executed.
 * A completed transfer the bank did not execute, a payment the bank executed that Paygate has
 * failed or does not know, a different amount: each is a mismatch. Transfers still in flight are
 * counted apart. The bank's statements of the day and the next are read, so a transfer made just
 * before midnight and executed just after is matched.
 */
@Service
class Reconciliation {

    private final DatabaseClient db;
    private final BankConnectors connectors;

    Reconciliation(DatabaseClient db, BankConnectors connectors) {
        this.db = db;
        this.connectors = connectors;
    }

    Mono<Report> of(UUID bank, LocalDate date) {
        Mono<List<Ours>> ours = db.sql("""
                        SELECT id, type, amount_minor, currency, status FROM transactions
                        WHERE bank_id = :bank AND type IN ('EXTERNAL_OUTBOUND', 'EXTERNAL_INBOUND')
                          AND created_at >= :from AND created_at < :to""")
                .bind("bank", bank)
                .bind("from", OffsetDateTime.of(date.atStartOfDay(), ZoneOffset.UTC))
                .bind("to", OffsetDateTime.of(date.plusDays(1).atStartOfDay(), ZoneOffset.UTC))
                .map(row -> new Ours(row.get("id", UUID.class), row.get("status", String.class),
                        Money.format(row.get("amount_minor", Long.class), CurrencyCode.of(row.get("currency", String.class))),
                        row.get("currency", String.class)))
                .all().collectList();
        Mono<List<StatementLine>> theirs = connectors.of(bank).flatMapMany(connector ->
                        Flux.concat(connector.statement(date), connector.statement(date.plusDays(1)))).collectList()
                .onErrorMap(error -> !(error instanceof ApiException), error -> new ApiException(
                        ApiProblem.BANK_UNAVAILABLE, "The bank's statement could not be read (" + error.getClass()
                                .getSimpleName() + "); try again later."));
        return Mono.zip(ours, theirs)
                .flatMap(both -> elsewhere(bank, date, both.getT1(), both.getT2())
                        .map(others -> compare(bank, date, both.getT1(), both.getT2(), others)));
    }

    /**
     * Our records of payments on the bank's statement that we made on another day: a transfer made
     * just before midnight, or approved after review, may reach the bank the next day.
     */
    private Mono<Map<UUID, String>> elsewhere(UUID bank, LocalDate date, List<Ours> ours, List<StatementLine> theirs) {
        java.util.Set<UUID> known = new java.util.HashSet<>();
        ours.forEach(transfer -> known.add(transfer.id()));
        UUID[] unmatched = theirs.stream().map(StatementLine::paymentId).filter(id -> !known.contains(id))
                .distinct().toArray(UUID[]::new);
        if (unmatched.length == 0) {
            return Mono.just(Map.of());
        }
        return db.sql("SELECT id, status FROM transactions WHERE bank_id = :bank AND id = ANY(:ids)")
                .bind("bank", bank).bind("ids", unmatched)
                .map(row -> Map.entry(row.get("id", UUID.class), row.get("status", String.class)))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private static Report compare(UUID bank, LocalDate date, List<Ours> ours, List<StatementLine> theirs,
                                  Map<UUID, String> elsewhere) {
        Map<UUID, StatementLine> byId = new HashMap<>();
        theirs.forEach(line -> byId.put(line.paymentId(), line));
        List<Mismatch> mismatches = new ArrayList<>();
        int matched = 0;
        int inFlight = 0;
        for (Ours transfer : ours) {
            StatementLine line = byId.remove(transfer.id());
            boolean executed = line != null && line.status() == BankStatus.EXECUTED;
            switch (transfer.status()) {
                case "COMPLETED" -> {
                    if (!executed) {
                        mismatches.add(new Mismatch(transfer.id(), "MISSING_AT_BANK", transfer.status(), status(line)));
                    } else if (!sameAmount(line.amount(), transfer.amount()) || !line.currency().equals(transfer.currency())) {
                        mismatches.add(new Mismatch(transfer.id(), "AMOUNT_DIFFERS", transfer.amount() + " " + transfer.currency(),
                                line.amount() + " " + line.currency()));
                    } else {
                        matched++;
                    }
                }
                case "FAILED" -> {
                    if (executed) {
                        mismatches.add(new Mismatch(transfer.id(), "EXECUTED_BUT_FAILED", transfer.status(), status(line)));
                    } else {
                        matched++;
                    }
                }
                default -> inFlight++;
            }
        }
        for (StatementLine line : byId.values()) {
            if (line.status() != BankStatus.EXECUTED || line.executedAt() == null
                    || !line.executedAt().atOffset(ZoneOffset.UTC).toLocalDate().equals(date)) {
                continue;
            }
            String ourStatus = elsewhere.get(line.paymentId());
            if (ourStatus == null) {
                mismatches.add(new Mismatch(line.paymentId(), "MISSING_AT_PAYGATE", null, status(line)));
            } else if (ourStatus.equals("FAILED")) {
                mismatches.add(new Mismatch(line.paymentId(), "EXECUTED_BUT_FAILED", ourStatus, status(line)));
            }
        }
        return new Report(bank, date, ours.size(), matched, inFlight, mismatches);
    }

    /** "100.0" and "100.00" are the same amount; text that is no number never matches. */
    private static boolean sameAmount(String theirs, String ours) {
        try {
            return new BigDecimal(theirs).compareTo(new BigDecimal(ours)) == 0;
        } catch (NumberFormatException notANumber) {
            return false;
        }
    }

    private static @Nullable String status(@Nullable StatementLine line) {
        return line == null ? null : line.status().name();
    }

    private record Ours(UUID id, String status, String amount, String currency) {
    }

    /** What reconciliation found for a bank and a day. */
    record Report(UUID bankId, LocalDate date, int transfers, int matched, int inFlight, List<Mismatch> mismatches) {
    }

    /** One difference between Paygate and the bank; {@code ours} and {@code bank} show each side's view. */
    record Mismatch(UUID paymentId, String kind, @Nullable String ours, @Nullable String bank) {
    }
}
