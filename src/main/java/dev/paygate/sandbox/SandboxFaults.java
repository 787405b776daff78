package dev.paygate.sandbox;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The fault knobs of each sandbox bank, kept in the database (so every instance's sandbox agrees)
 * and cached here with their random source, seeded for repeatable runs.
 */
@Component
class SandboxFaults {

    private final DatabaseClient db;
    private final SandboxProperties properties;
    private final Map<UUID, Knobs> cache = new ConcurrentHashMap<>();

    SandboxFaults(DatabaseClient db, SandboxProperties properties) {
        this.db = db;
        this.properties = properties;
    }

    /** What one call should suffer. */
    Mono<Fault> draw(UUID bank, boolean isPayment) {
        return knobs(bank).map(knobs -> knobs.draw(isPayment));
    }

    Mono<Knobs> knobs(UUID bank) {
        Knobs cached = cache.get(bank);
        if (cached != null) {
            return Mono.just(cached);
        }
        return db.sql("SELECT * FROM sandbox_faults WHERE bank_id = :bank").bind("bank", bank)
                .map(row -> new Knobs(row.get("latency_ms", Integer.class), number(row.get("error_rate", BigDecimal.class)),
                        number(row.get("timeout_rate", BigDecimal.class)),
                        number(row.get("execute_then_timeout_rate", BigDecimal.class)),
                        number(row.get("refuse_rate", BigDecimal.class)), row.get("seed", Long.class)))
                .one()
                .defaultIfEmpty(defaults())
                .doOnNext(knobs -> cache.put(bank, knobs));
    }

    Mono<Knobs> set(UUID bank, Knobs knobs) {
        return db.sql("""
                        INSERT INTO sandbox_faults (bank_id, latency_ms, error_rate, timeout_rate,
                                                    execute_then_timeout_rate, refuse_rate, seed, updated_at)
                        VALUES (:bank, :latency, :error, :timeout, :executeThenTimeout, :refuse, :seed, now())
                        ON CONFLICT (bank_id) DO UPDATE SET latency_ms = EXCLUDED.latency_ms,
                            error_rate = EXCLUDED.error_rate, timeout_rate = EXCLUDED.timeout_rate,
                            execute_then_timeout_rate = EXCLUDED.execute_then_timeout_rate,
                            refuse_rate = EXCLUDED.refuse_rate, seed = EXCLUDED.seed, updated_at = now()""")
                .bind("bank", bank).bind("latency", knobs.latencyMs()).bind("error", knobs.errorRate())
                .bind("timeout", knobs.timeoutRate()).bind("executeThenTimeout", knobs.executeThenTimeoutRate())
                .bind("refuse", knobs.refuseRate()).bind("seed", knobs.seed() == null ? 42L : knobs.seed())
                .then()
                .then(Mono.defer(() -> {
                    cache.remove(bank);
                    return knobs(bank);
                }));
    }

    private Knobs defaults() {
        SandboxProperties.Faults faults = properties.faults();
        return new Knobs(faults.latencyMs(), faults.errorRate(), faults.timeoutRate(), faults.executeThenTimeoutRate(),
                faults.refuseRate(), faults.seed());
    }

    private static double number(@Nullable BigDecimal value) {
        return value == null ? 0 : value.doubleValue();
    }

    /** What a call suffers: a delay, then perhaps a failure. */
    enum Fault { NONE, ERROR, TIMEOUT, EXECUTE_THEN_TIMEOUT, REFUSE }

    /** The knobs of one bank, with their seeded random source. */
    record Knobs(int latencyMs, double errorRate, double timeoutRate, double executeThenTimeoutRate,
                 double refuseRate, @Nullable Long seed, Random random) {

        Knobs(int latencyMs, double errorRate, double timeoutRate, double executeThenTimeoutRate, double refuseRate,
              @Nullable Long seed) {
            this(latencyMs, errorRate, timeoutRate, executeThenTimeoutRate, refuseRate, seed,
                    new Random(seed == null ? 42L : seed));
        }

        Fault draw(boolean isPayment) {
            double roll;
            synchronized (random) {
                roll = random.nextDouble();
            }
            double edge = errorRate;
            if (roll < edge) {
                return Fault.ERROR;
            }
            edge += timeoutRate;
            if (roll < edge) {
                return Fault.TIMEOUT;
            }
            if (isPayment) {
                edge += executeThenTimeoutRate;
                if (roll < edge) {
                    return Fault.EXECUTE_THEN_TIMEOUT;
                }
                edge += refuseRate;
                if (roll < edge) {
                    return Fault.REFUSE;
                }
            }
            return Fault.NONE;
        }
    }
}
