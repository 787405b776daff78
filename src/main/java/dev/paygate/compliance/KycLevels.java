package dev.paygate.compliance;

import dev.paygate.common.Actor;
import dev.paygate.compliance.KycRecords.CurrencyLimitView;
import dev.paygate.compliance.KycRecords.LevelView;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Users' KYC levels, and the limits and daily use that follow from them. */
@Repository
class KycLevels {

    /** The change and its audit row in one statement. */
    private static final String SET = """
            WITH changed AS (
                INSERT INTO kyc_levels (user_id, level, note, updated_by, updated_at)
                VALUES (:user, :level, :note, :actor, now())
                ON CONFLICT (user_id) DO UPDATE SET level = EXCLUDED.level, note = EXCLUDED.note,
                    updated_by = EXCLUDED.updated_by, updated_at = now()
                RETURNING *
            ), audit AS (
                INSERT INTO audit_log (id, actor, action, resource, outcome, details, client_ip, trace_id)
                SELECT uuid_v7(), :actor, 'KYC_LEVEL_SET', 'user:' || user_id, level,
                       jsonb_build_object('note', note), :ip, :trace
                FROM changed
            )
            SELECT user_id, level, note, updated_by, updated_at FROM changed""";

    private static final String FIND = """
            SELECT :user AS user_id,
                   coalesce(k.level, (SELECT default_kyc_level FROM compliance_settings)) AS level,
                   k.note, k.updated_by, k.updated_at
            FROM (SELECT 1) one LEFT JOIN kyc_levels k ON k.user_id = :user""";

    private static final String LIMITS = """
            SELECT c.currency, l.balance_max, l.per_transfer_max, l.daily_max, l.payouts_allowed,
                   kyc_sent_last_day(:user, c.currency) AS used
            FROM (SELECT DISTINCT currency FROM accounts WHERE user_id = :user AND kind = 'CUSTOMER') c
            CROSS JOIN LATERAL kyc_limits_of(:user, c.currency) l
            ORDER BY c.currency""";

    private final DatabaseClient db;

    KycLevels(DatabaseClient db) {
        this.db = db;
    }

    Mono<LevelView> set(String userId, KycLevel level, @Nullable String note, Actor actor) {
        var spec = db.sql(SET).bind("user", userId).bind("level", level.name()).bind("actor", actor.userId());
        spec = note == null ? spec.bindNull("note", String.class) : spec.bind("note", note);
        spec = actor.bindAddressAndTrace(spec);
        return spec.map(KycLevels::level).one();
    }

    Mono<LevelView> find(String userId) {
        return db.sql(FIND).bind("user", userId).map(KycLevels::level).one();
    }

    Flux<CurrencyLimitView> limits(String userId) {
        return db.sql(LIMITS).bind("user", userId)
                .map(row -> CurrencyLimitView.of(
                        row.get("currency", String.class),
                        row.get("balance_max", BigDecimal.class),
                        row.get("per_transfer_max", BigDecimal.class),
                        row.get("daily_max", BigDecimal.class),
                        Boolean.TRUE.equals(row.get("payouts_allowed", Boolean.class)),
                        row.get("used", Long.class)))
                .all();
    }

    private static LevelView level(io.r2dbc.spi.Readable row) {
        OffsetDateTime at = row.get("updated_at", OffsetDateTime.class);
        return new LevelView(row.get("user_id", String.class), KycLevel.valueOf(row.get("level", String.class)),
                row.get("note", String.class), row.get("updated_by", String.class), at == null ? null : at.toInstant());
    }
}
