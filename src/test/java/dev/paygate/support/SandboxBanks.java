package dev.paygate.support;

import dev.paygate.bank.BankRegistry;
import dev.paygate.bank.ExternalBanks.AuthMethod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Sandbox banks of a test's own, served by the suite's instance, and both sides of their books:
 * Paygate's transactions and the sandbox bank's ledger of what it executed.
 */
public final class SandboxBanks {

    private final BankRegistry registry;
    private final DatabaseClient db;
    private final int port;

    /** {@code port} is the suite instance's, which serves the sandbox. */
    public SandboxBanks(BankRegistry registry, DatabaseClient db, int port) {
        this.registry = registry;
        this.db = db;
        this.port = port;
    }

    /** Registers a sandbox bank of its own (fresh id, credentials and fault knobs). */
    public UUID register(AuthMethod method) {
        UUID id = UUID.randomUUID();
        Map<String, String> credentials = method == AuthMethod.HMAC
                ? Map.of("key_id", "test-" + id, "secret", "secret-" + id)
                : Map.of("client_id", "paygate-" + id, "client_secret", "secret-" + id);
        registry.ensureSandbox(id, "Test bank " + id, "http://localhost:" + port + "/sandbox/banks/" + id, method,
                credentials).block();
        return id;
    }

    /** Transfers to or from the bank not yet COMPLETED or FAILED. */
    public long unsettled(UUID bank) {
        return db.sql("SELECT count(*) AS n FROM transactions WHERE bank_id = :bank AND status NOT IN ('COMPLETED', 'FAILED')")
                .bind("bank", bank).map(row -> row.get("n", Long.class)).one().block();
    }

    /** Paygate's status of each transfer with the bank, by transfer id. */
    public Map<String, String> statuses(UUID bank) {
        return idsAndStatuses("SELECT id::text AS id, status FROM transactions WHERE bank_id = :bank", bank);
    }

    /** The bank's status (EXECUTED, REJECTED, CANCELLED) of each payment it knows, by our transfer id. */
    public Map<String, String> bankSide(UUID bank) {
        return idsAndStatuses("SELECT payment_id::text AS id, status FROM sandbox_payments WHERE bank_id = :bank", bank);
    }

    /**
     * Transfers with the bank where the two sides disagree: COMPLETED here but not EXECUTED there, or
     * EXECUTED there but not COMPLETED here. The bank's ledger is keyed by our id, so it executes one at most once.
     */
    public List<Map<String, Object>> disagreements(UUID bank) {
        return db.sql("""
                        SELECT t.id, t.status, t.failure_reason, p.status AS bank_status, d.call, d.attempts, d.last_error
                        FROM transactions t
                        LEFT JOIN sandbox_payments p ON p.payment_id = t.id AND p.bank_id = t.bank_id
                        LEFT JOIN bank_dispatch d ON d.transaction_id = t.id
                        WHERE t.bank_id = :bank
                          AND (t.status = 'COMPLETED') <> (p.status IS NOT DISTINCT FROM 'EXECUTED')""")
                .bind("bank", bank).fetch().all().collectList().block();
    }

    private Map<String, String> idsAndStatuses(String query, UUID bank) {
        Map<String, String> statuses = new HashMap<>();
        db.sql(query).bind("bank", bank)
                .map(row -> Map.entry(row.get("id", String.class), row.get("status", String.class)))
                .all().toIterable().forEach(entry -> statuses.put(entry.getKey(), entry.getValue()));
        return statuses;
    }
}
