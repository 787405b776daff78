package dev.paygate.compliance;

import dev.paygate.common.Actor;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything Paygate holds about one user, for a GDPR access request: built as one JSON document
 * by the database in one statement, which also writes the request to the audit log.
 */
@Repository
class PersonalData {

    /*
     * Amounts as the API writes them (major units, the currency's own decimals). Webhook secrets
     * are credentials, not personal data, and are never shown again; idempotency keys hold only
     * request hashes and are deleted after their retention.
     */
    private static final String EXPORT = """
            WITH mine AS (
                SELECT id FROM accounts WHERE user_id = :user AND kind = 'CUSTOMER'
            ), audit AS (
                INSERT INTO audit_log (id, actor, action, resource, outcome, details, client_ip, trace_id)
                VALUES (uuid_v7(), :actor, 'PERSONAL_DATA_EXPORTED', 'user:' || :user, 'OK', NULL, :ip, :trace)
            )
            SELECT jsonb_build_object(
                'user_id', :user,
                'generated_at', now(),
                'kyc', (SELECT jsonb_build_object('level', k.level, 'note', k.note, 'updated_by', k.updated_by,
                                                  'updated_at', k.updated_at)
                        FROM kyc_levels k WHERE k.user_id = :user),
                'accounts', coalesce((
                    SELECT jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name, 'currency', a.currency,
                                                        'status', a.status, 'created_at', a.created_at) ORDER BY a.id)
                    FROM accounts a WHERE a.id IN (SELECT id FROM mine)), '[]'::jsonb),
                'transactions', coalesce((
                    SELECT jsonb_agg(jsonb_build_object(
                               'id', t.id, 'type', t.type, 'status', t.status,
                               'amount', round(t.amount_minor::numeric / power(10::numeric, coalesce(e.exponent, 2)),
                                               coalesce(e.exponent, 2))::text,
                               'currency', t.currency, 'from_account', t.from_account, 'to_account', t.to_account,
                               'description', t.description, 'metadata', t.metadata, 'counterparty', t.counterparty,
                               'created_by', t.created_by, 'created_at', t.created_at) ORDER BY t.id)
                    FROM transactions t LEFT JOIN currency_exponents e ON e.code = t.currency
                    WHERE t.from_account IN (SELECT id FROM mine) OR t.to_account IN (SELECT id FROM mine)
                       OR t.created_by = :user), '[]'::jsonb),
                'webhooks', coalesce((
                    SELECT jsonb_agg(jsonb_build_object('id', w.id, 'url', w.url, 'event_types', w.event_types,
                                                        'description', w.description, 'active', w.active,
                                                        'created_at', w.created_at) ORDER BY w.id)
                    FROM webhooks w WHERE w.owner = :user), '[]'::jsonb),
                'compliance_alerts', coalesce((
                    SELECT jsonb_agg(jsonb_build_object('id', c.id, 'rule', c.rule_id, 'status', c.status,
                                                        'transaction_id', c.transaction_id, 'details', c.details,
                                                        'created_at', c.created_at) ORDER BY c.id)
                    FROM compliance_alerts c WHERE c.user_id = :user), '[]'::jsonb),
                'audit_events', coalesce((
                    SELECT jsonb_agg(jsonb_build_object('id', l.id, 'action', l.action, 'resource', l.resource,
                                                        'outcome', l.outcome, 'client_ip', l.client_ip,
                                                        'occurred_at', l.occurred_at) ORDER BY l.id)
                    FROM audit_log l WHERE l.actor = :user), '[]'::jsonb)
            )::text AS document,
            EXISTS (SELECT 1 FROM mine) OR EXISTS (SELECT 1 FROM kyc_levels WHERE user_id = :user)
                OR EXISTS (SELECT 1 FROM audit_log WHERE actor = :user) AS known""";

    private final DatabaseClient db;
    private final JsonMapper json;

    PersonalData(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    /** The user's data, and whether Paygate holds anything about them at all. */
    Mono<Export> export(String userId, Actor actor) {
        var spec = db.sql(EXPORT).bind("user", userId).bind("actor", actor.userId());
        spec = actor.bindAddressAndTrace(spec);
        return spec.map(row -> new Export(json.readTree(row.get("document", String.class)),
                        Boolean.TRUE.equals(row.get("known", Boolean.class))))
                .one();
    }

    record Export(JsonNode document, boolean known) {
    }
}
