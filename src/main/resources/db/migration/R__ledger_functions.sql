-- The ledger's functions: everything that moves money or changes a transaction's state.
-- Flyway re-applies this file whenever it changes (after all versioned migrations), so it is the
-- one place to read and change them. Tables and columns live in the versioned migrations.

-- Dropping the result type drops ledger_apply and ledger_result_of with it.
DROP TYPE IF EXISTS ledger_result CASCADE;
DROP FUNCTION IF EXISTS ledger_transition(uuid, text, text, text, text, text, text);

CREATE TYPE ledger_result AS (
    ord            int,          -- 1-based position in the batch
    outcome        text,         -- APPLIED | REJECTED | REPLAYED | KEY_REUSED | IN_FLIGHT
    rejection      text,         -- a TransferRejection name, when refused
    id             uuid,         -- the transactions row, when one exists
    type           text,
    from_account   uuid,
    to_account     uuid,
    amount_minor   bigint,
    currency       text,
    status         text,
    failure_reason text,
    description    text,
    metadata       text,
    created_at     timestamptz,
    updated_at     timestamptz,
    bank_id        uuid,
    counterparty   text
);

-- The ISO 20022 reason code recorded for each refusal. TransferRejection in Java carries the
-- same codes; TransferRejectionTest keeps the two in step.
CREATE OR REPLACE FUNCTION rejection_reason_code(p_rejection text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_rejection
        WHEN 'ACCOUNT_NOT_FOUND'  THEN 'AC01'
        WHEN 'SAME_ACCOUNT'       THEN 'AG01'
        WHEN 'ACCOUNT_CLOSED'     THEN 'AC04'
        WHEN 'ACCOUNT_FROZEN'     THEN 'AC06'
        WHEN 'CURRENCY_MISMATCH'  THEN 'AM03'
        WHEN 'KYC_NOT_ALLOWED'    THEN 'AG01'
        WHEN 'KYC_LIMIT'          THEN 'AM02'
        WHEN 'INSUFFICIENT_FUNDS' THEN 'AM04'
        WHEN 'BALANCE_LIMIT'      THEN 'AM02'
    END
$$;

-- The allowed changes of a transaction's state. TransactionStatus.next() in Java says the same;
-- TransactionStatusTest keeps the two in step.
CREATE OR REPLACE FUNCTION transaction_status_allowed(p_from text, p_to text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT (p_from, p_to) IN (
        ('PENDING', 'PROCESSING'), ('PENDING', 'ON_HOLD'), ('PENDING', 'FAILED'),
        ('ON_HOLD', 'PENDING'), ('ON_HOLD', 'PROCESSING'), ('ON_HOLD', 'COMPLETED'), ('ON_HOLD', 'FAILED'),
        ('PROCESSING', 'COMPLETED'), ('PROCESSING', 'FAILED'),
        ('COMPLETED', 'REVERSED'))
$$;

-- The helpers below are PL/pgSQL, not SQL, on purpose: a SQL function that PostgreSQL cannot
-- inline is planned again on every call from PL/pgSQL, while PL/pgSQL keeps its plans for the
-- session. On the money path that difference was most of a movement's cost.

-- One event per change of a transaction, in the same database transaction as the change. The
-- relay publishes it once for each customer account the transaction touches (the Kafka key), with
-- the transaction's fields as they were at this change: its status is in the type, its time is
-- created_at, the rest of a transaction never changes.
CREATE OR REPLACE FUNCTION outbox_record(p_tx transactions) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (event_id, partition_key, subject, transaction_id, type)
    VALUES (uuid_v7(), p_tx.id::text, p_tx.id::text, p_tx.id, 'paygate.transaction.' || lower(p_tx.status));
END;
$$;

-- Any other event (e.g. paygate.bank.circuit_changed), written by the caller's own transaction.
CREATE OR REPLACE FUNCTION outbox_emit(p_type text, p_partition_key text, p_subject text, p_payload jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (event_id, partition_key, subject, type, payload)
    VALUES (uuid_v7(), p_partition_key, p_subject, p_type, p_payload);
END;
$$;

-- Settlement account of a bank in a currency, made on first use.
CREATE OR REPLACE FUNCTION settlement_account(p_bank uuid, p_currency text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    v_id uuid;
BEGIN
    SELECT a.id INTO v_id FROM accounts a
     WHERE a.kind = 'BANK_SETTLEMENT' AND a.bank_id = p_bank AND a.currency = p_currency;
    IF v_id IS NULL THEN
        INSERT INTO accounts (id, kind, name, currency, bank_id)
        VALUES (uuid_v7(), 'BANK_SETTLEMENT', 'Settlement ' || p_bank || ' ' || p_currency, p_currency, p_bank)
        ON CONFLICT (bank_id, currency) WHERE kind = 'BANK_SETTLEMENT' DO NOTHING;
        SELECT a.id INTO v_id FROM accounts a
         WHERE a.kind = 'BANK_SETTLEMENT' AND a.bank_id = p_bank AND a.currency = p_currency;
    END IF;
    RETURN v_id;
END;
$$;


-- Lowest UUIDv7 of a moment: ids at or above it were made at or after it, so a time window over
-- one account's transactions is a range scan of its (account, id) index.
CREATE OR REPLACE FUNCTION uuid_v7_floor(p_at timestamptz) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(substring(int8send(floor(extract(epoch FROM p_at) * 1000)::bigint) FROM 3)
                  || '\x70008000000000000000'::bytea, 'hex')::uuid
$$;

-- An amount in major units (a limit, a threshold) as minor units of a currency; NULL stays NULL.
CREATE OR REPLACE FUNCTION minor_units(p_major numeric, p_currency text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_major IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT least(floor(p_major * 10 ^ e.exponent), 9223372036854775807)::bigint
            FROM currency_exponents e WHERE e.code = p_currency::char(3)); -- char(3): the primary key is used
END;
$$;

-- The KYC limits that apply to a user in a currency: their level's, or the default level's.
CREATE OR REPLACE FUNCTION kyc_limits_of(p_user text, p_currency text) RETURNS kyc_limits
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_limits kyc_limits;
BEGIN
    SELECT l.* INTO v_limits FROM kyc_limits l
    WHERE l.currency = p_currency::char(3) -- char(3), so the primary key is used
      AND l.level = coalesce((SELECT k.level FROM kyc_levels k WHERE k.user_id = p_user),
                             (SELECT s.default_kyc_level FROM compliance_settings s));
    RETURN v_limits;
END;
$$;

-- What a user sent in a currency over the last 24 hours and has not had refused: the "used"
-- of the daily KYC limit.
CREATE OR REPLACE FUNCTION kyc_sent_last_day(p_user text, p_currency text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(sum(t.amount_minor), 0)::bigint
            FROM accounts a
            JOIN transactions t ON t.from_account = a.id AND t.id >= uuid_v7_floor(now() - interval '24 hours')
            WHERE a.user_id = p_user AND a.kind = 'CUSTOMER' AND t.currency = p_currency::char(3)
              AND t.status <> 'FAILED' AND t.type IN ('TRANSFER', 'WITHDRAWAL', 'EXTERNAL_OUTBOUND'));
END;
$$;

-- The KYC refusal of a movement, if any: an operation the sender's level does not allow, or an
-- amount beyond the sender's per-transfer or daily limit or the recipient's balance limit.
CREATE OR REPLACE FUNCTION kyc_refusal(p_src accounts, p_dst accounts, p_type text, p_amount bigint,
                                       p_currency text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_limits kyc_limits;
BEGIN
    IF p_src.kind = 'CUSTOMER' AND p_type IN ('TRANSFER', 'WITHDRAWAL', 'EXTERNAL_OUTBOUND') THEN
        v_limits := kyc_limits_of(p_src.user_id, p_currency);
        IF p_type = 'EXTERNAL_OUTBOUND' AND NOT coalesce(v_limits.payouts_allowed, true) THEN
            RETURN 'KYC_NOT_ALLOWED';
        END IF;
        IF p_amount > minor_units(v_limits.per_transfer_max, p_currency) THEN
            RETURN 'KYC_LIMIT';
        END IF;
        IF v_limits.daily_max IS NOT NULL
           AND kyc_sent_last_day(p_src.user_id, p_currency) + p_amount > minor_units(v_limits.daily_max, p_currency) THEN
            RETURN 'KYC_LIMIT';
        END IF;
    END IF;
    IF p_dst.kind = 'CUSTOMER' AND p_type IN ('TRANSFER', 'DEPOSIT', 'EXTERNAL_INBOUND') THEN
        v_limits := kyc_limits_of(p_dst.user_id, p_currency);
        IF p_dst.balance + p_amount > minor_units(v_limits.balance_max, p_currency) THEN
            RETURN 'KYC_LIMIT';
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

-- The AML rules a movement sets off, each with what it found. Called for movements that passed
-- every other check; it counts them for VELOCITY rules as it goes (aml_counters). Structuring
-- looks at the account's recent history only for amounts inside its band, and never reads more
-- of it than the rule needs.
CREATE OR REPLACE FUNCTION aml_fired_rules(p_rules aml_rules[], p_src accounts, p_type text, p_amount bigint,
                                           p_currency text, p_counterparty jsonb)
RETURNS TABLE (rule_id text, action text, details jsonb)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_rule      aml_rules;
    v_threshold bigint;
    v_seen      int;
    v_window    interval;
    v_start     timestamptz;
    v_count     int;
    v_previous  int;
    v_estimate  numeric;
BEGIN
    IF p_rules IS NULL THEN
        RETURN;
    END IF;
    FOREACH v_rule IN ARRAY p_rules LOOP
        CONTINUE WHEN v_rule.currency IS NOT NULL AND v_rule.currency <> p_currency;
        v_threshold := minor_units(v_rule.amount_major, p_currency);
        IF v_rule.kind = 'AMOUNT_AT_LEAST' AND p_amount >= v_threshold THEN
            rule_id := v_rule.id; action := v_rule.action;
            details := jsonb_build_object('amount_minor', p_amount, 'threshold_minor', v_threshold);
            RETURN NEXT;
        ELSIF v_rule.kind = 'VELOCITY' AND p_src.kind = 'CUSTOMER' THEN
            v_window := make_interval(mins => v_rule.window_minutes);
            v_start := date_bin(v_window, now(), timestamptz '2000-01-01');
            INSERT INTO aml_counters AS c (rule_id, account_id, window_start, count, previous_count)
            VALUES (v_rule.id, p_src.id, v_start, 1, 0)
            ON CONFLICT (rule_id, account_id) DO UPDATE SET
                previous_count = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.previous_count
                                      WHEN c.window_start = EXCLUDED.window_start - v_window THEN c.count
                                      ELSE 0 END,
                count = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.count + 1 ELSE 1 END,
                window_start = EXCLUDED.window_start
            RETURNING c.count, c.previous_count INTO v_count, v_previous;
            v_estimate := v_count + v_previous
                          * (1 - extract(epoch FROM now() - v_start) / extract(epoch FROM v_window));
            IF v_estimate > v_rule.count_max THEN
                rule_id := v_rule.id; action := v_rule.action;
                details := jsonb_build_object('movements_in_window', round(v_estimate),
                                              'window_minutes', v_rule.window_minutes);
                RETURN NEXT;
            END IF;
        ELSIF v_rule.kind = 'STRUCTURING' AND p_src.kind = 'CUSTOMER' AND p_amount < v_threshold
              AND p_amount >= v_threshold - v_threshold * v_rule.margin_percent / 100 THEN
            SELECT count(*) INTO v_seen FROM (
                SELECT 1 FROM transactions t
                WHERE t.from_account = p_src.id
                  AND t.id >= uuid_v7_floor(now() - make_interval(mins => v_rule.window_minutes))
                  AND t.status <> 'FAILED'
                  AND t.amount_minor < v_threshold
                  AND t.amount_minor >= v_threshold - v_threshold * v_rule.margin_percent / 100
                LIMIT v_rule.count_max) near;
            IF v_seen + 1 >= v_rule.count_max THEN
                rule_id := v_rule.id; action := v_rule.action;
                details := jsonb_build_object('near_threshold_movements', v_seen + 1, 'threshold_minor', v_threshold);
                RETURN NEXT;
            END IF;
        ELSIF v_rule.kind = 'NEW_COUNTERPARTY' AND p_type = 'EXTERNAL_OUTBOUND' AND p_amount >= v_threshold
              AND p_counterparty IS NOT NULL
              AND NOT EXISTS (
                  SELECT 1 FROM accounts a JOIN transactions t ON t.from_account = a.id
                  WHERE a.user_id = p_src.user_id AND a.kind = 'CUSTOMER' AND t.type = 'EXTERNAL_OUTBOUND'
                    AND t.status = 'COMPLETED'
                    AND coalesce(t.counterparty ->> 'iban', t.counterparty ->> 'account_number')
                        = coalesce(p_counterparty ->> 'iban', p_counterparty ->> 'account_number')) THEN
            rule_id := v_rule.id; action := v_rule.action;
            details := jsonb_build_object('amount_minor', p_amount, 'threshold_minor', v_threshold,
                                          'counterparty', p_counterparty ->> 'name');
            RETURN NEXT;
        END IF;
    END LOOP;
END;
$$;

-- Records the alerts a movement raised: one row each, an event each, and an audit row each.
CREATE OR REPLACE FUNCTION compliance_alerts_raise(p_tx transactions, p_src accounts, p_alerts jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_alert jsonb;
    v_id    uuid;
BEGIN
    FOR v_alert IN SELECT * FROM jsonb_array_elements(p_alerts) LOOP
        v_id := uuid_v7();
        INSERT INTO compliance_alerts (id, rule_id, action, transaction_id, account_id, user_id, details)
        VALUES (v_id, v_alert ->> 'rule_id', v_alert ->> 'action', p_tx.id,
                CASE WHEN p_src.kind = 'CUSTOMER' THEN p_src.id ELSE p_tx.to_account END,
                p_src.user_id, coalesce(v_alert -> 'details', '{}'::jsonb));
        PERFORM outbox_emit('paygate.compliance.alert_raised', coalesce(p_src.id, p_tx.to_account)::text, v_id::text,
                            jsonb_build_object('alert_id', v_id, 'rule_id', v_alert ->> 'rule_id',
                                               'action', v_alert ->> 'action', 'transaction_id', p_tx.id,
                                               'status', p_tx.status));
        INSERT INTO audit_log (id, actor, action, resource, outcome, details)
        VALUES (uuid_v7(), 'compliance', 'ALERT_RAISED', 'transaction:' || p_tx.id, v_alert ->> 'action',
                jsonb_build_object('alert_id', v_id, 'rule_id', v_alert ->> 'rule_id'));
    END LOOP;
END;
$$;

-- Applies a batch of movements in the order given, each with its own outcome. p_modes says what
-- each does once its checks pass:
--   MOVE   debit and credit now: the transaction is COMPLETED
--   HOLD   reserve the amount on from_account (held += amount): the transaction is PENDING
--   RECORD move nothing yet (money expected from a bank): the transaction is PENDING
-- A NULL account is the system side: the currency's cash account, or with a bank, its
-- settlement account.
CREATE FUNCTION ledger_apply(
    p_ids           uuid[],
    p_types         text[],
    p_modes         text[],
    p_from          uuid[],
    p_to            uuid[],
    p_amounts       bigint[],
    p_currencies    text[],
    p_descriptions  text[],
    p_metadata      text[],
    p_banks         uuid[],
    p_counterparty  text[],
    p_owners        text[],
    p_actors        text[],
    p_client_ips    text[],
    p_trace_ids     text[],
    p_clients       text[],
    p_keys          text[],
    p_hashes        text[],
    p_reviews       text[]    -- JSON: why this movement must wait for review (e.g. a sanctions hit), or NULL
) RETURNS SETOF ledger_result
LANGUAGE plpgsql AS $$
DECLARE
    v_count     int := cardinality(p_ids);
    v_from      uuid[] := p_from;
    v_to        uuid[] := p_to;
    v_in_flight boolean[] := array_fill(false, ARRAY[cardinality(p_ids)]);
    v_src       accounts%ROWTYPE;
    v_dst       accounts%ROWTYPE;
    v_key       idempotency_keys%ROWTYPE;
    v_tx        transactions%ROWTYPE;
    v_rejection text;
    v_status    text;
    v_held      bigint;
    v_rules     aml_rules[] := ARRAY(SELECT x FROM aml_rules x WHERE x.enabled ORDER BY x.id);
    v_fired     record;
    v_alerts    jsonb;
    v_review    boolean;
    r           ledger_result;
BEGIN
    IF v_count IS NULL OR v_count = 0 THEN
        RETURN;
    END IF;
    IF cardinality(p_types) <> v_count OR cardinality(p_modes) <> v_count OR cardinality(p_from) <> v_count
       OR cardinality(p_to) <> v_count OR cardinality(p_amounts) <> v_count OR cardinality(p_currencies) <> v_count
       OR cardinality(p_descriptions) <> v_count OR cardinality(p_metadata) <> v_count
       OR cardinality(p_banks) <> v_count OR cardinality(p_counterparty) <> v_count
       OR cardinality(p_owners) <> v_count OR cardinality(p_actors) <> v_count
       OR cardinality(p_client_ips) <> v_count OR cardinality(p_trace_ids) <> v_count
       OR cardinality(p_clients) <> v_count OR cardinality(p_keys) <> v_count
       OR cardinality(p_hashes) <> v_count OR cardinality(p_reviews) <> v_count THEN
        RAISE EXCEPTION 'ledger_apply: argument arrays differ in length';
    END IF;

    -- A request whose key another transaction holds right now is still in flight: answer 409
    -- rather than wait. Try-locks never wait, so they cannot take part in a deadlock.
    FOR i IN 1 .. v_count LOOP
        IF p_keys[i] IS NOT NULL THEN
            v_in_flight[i] := NOT pg_try_advisory_xact_lock(7340, hashtext(p_clients[i] || chr(31) || p_keys[i]));
        END IF;
        IF v_from[i] IS NULL THEN
            v_from[i] := CASE WHEN p_banks[i] IS NULL
                THEN (SELECT a.id FROM accounts a WHERE a.kind = 'SYSTEM_CASH' AND a.currency = p_currencies[i])
                ELSE settlement_account(p_banks[i], p_currencies[i]) END;
        END IF;
        IF v_to[i] IS NULL THEN
            v_to[i] := CASE WHEN p_banks[i] IS NULL
                THEN (SELECT a.id FROM accounts a WHERE a.kind = 'SYSTEM_CASH' AND a.currency = p_currencies[i])
                ELSE settlement_account(p_banks[i], p_currencies[i]) END;
        END IF;
    END LOOP;

    -- Lock every account the batch touches, in id order, so that two batches (or transfers
    -- A->B and B->A) always queue on the same row first and can never deadlock.
    PERFORM a.id FROM accounts a WHERE a.id = ANY (v_from || v_to) ORDER BY a.id FOR UPDATE;

    FOR i IN 1 .. v_count LOOP
        r := NULL;
        r.ord := i;

        IF v_in_flight[i] THEN
            r.outcome := 'IN_FLIGHT';
            RETURN NEXT r;
            CONTINUE;
        END IF;

        IF p_keys[i] IS NOT NULL THEN
            SELECT * INTO v_key FROM idempotency_keys k WHERE k.client_id = p_clients[i] AND k.key = p_keys[i];
            IF FOUND THEN
                IF v_key.request_hash <> p_hashes[i] THEN
                    r.outcome := 'KEY_REUSED';
                ELSE
                    r.outcome := 'REPLAYED';
                    r.rejection := v_key.rejection;
                    IF v_key.transaction_id IS NOT NULL THEN
                        SELECT * INTO v_tx FROM transactions t WHERE t.id = v_key.transaction_id;
                        r := ledger_result_of(r, v_tx);
                    END IF;
                END IF;
                RETURN NEXT r;
                CONTINUE;
            END IF;
        END IF;

        v_src := NULL;
        v_dst := NULL;
        SELECT * INTO v_src FROM accounts a WHERE a.id = v_from[i];
        SELECT * INTO v_dst FROM accounts a WHERE a.id = v_to[i];

        -- Refusals in the precedence of TransferRejection. Accounts named by the caller must be
        -- customer accounts: system accounts are never addressable through the API.
        v_rejection := CASE
            WHEN p_from[i] IS NOT NULL AND (v_src.id IS NULL OR v_src.kind <> 'CUSTOMER') THEN 'ACCOUNT_NOT_FOUND'
            WHEN p_to[i] IS NOT NULL AND (v_dst.id IS NULL OR v_dst.kind <> 'CUSTOMER') THEN 'ACCOUNT_NOT_FOUND'
            WHEN p_owners[i] IS NOT NULL AND v_src.user_id IS DISTINCT FROM p_owners[i] THEN 'ACCOUNT_NOT_FOUND'
            WHEN v_src.id IS NULL OR v_dst.id IS NULL THEN 'CURRENCY_MISMATCH' -- no cash account: no account holds that currency
            WHEN v_src.id = v_dst.id THEN 'SAME_ACCOUNT'
            WHEN v_src.status = 'CLOSED' OR v_dst.status = 'CLOSED' THEN 'ACCOUNT_CLOSED'
            WHEN v_src.status = 'FROZEN' OR v_dst.status = 'FROZEN' THEN 'ACCOUNT_FROZEN'
            WHEN v_src.currency <> p_currencies[i] OR v_dst.currency <> p_currencies[i] THEN 'CURRENCY_MISMATCH'
        END;
        IF v_rejection IS NULL THEN
            v_rejection := kyc_refusal(v_src, v_dst, p_types[i], p_amounts[i], p_currencies[i]);
        END IF;
        IF v_rejection IS NULL THEN
            v_rejection := CASE
                WHEN v_src.kind = 'CUSTOMER' AND p_modes[i] <> 'RECORD'
                     AND v_src.balance - v_src.held + v_src.overdraft_limit < p_amounts[i] THEN 'INSUFFICIENT_FUNDS'
                WHEN v_dst.balance > 9223372036854775807 - p_amounts[i]
                     OR v_src.balance < -9223372036854775807 + p_amounts[i] THEN 'BALANCE_LIMIT'
            END;
        END IF;

        -- AML rules, and reviews asked for by the caller (a sanctions hit): a movement from a
        -- customer that a HOLD rule sets off waits ON_HOLD, its amount held on the sender.
        v_alerts := '[]'::jsonb;
        v_review := false;
        IF v_rejection IS NULL THEN
            FOR v_fired IN SELECT * FROM aml_fired_rules(v_rules, v_src, p_types[i], p_amounts[i], p_currencies[i],
                                                           p_counterparty[i]::jsonb) LOOP
                v_alerts := v_alerts || jsonb_build_object('rule_id', v_fired.rule_id, 'action', v_fired.action,
                                                           'details', v_fired.details);
                v_review := v_review OR v_fired.action = 'HOLD';
            END LOOP;
            IF p_reviews[i] IS NOT NULL THEN
                v_alerts := v_alerts || (p_reviews[i]::jsonb || jsonb_build_object('action', 'HOLD'));
                v_review := true;
            END IF;
            -- Money expected from a bank (RECORD) waits ON_HOLD too, but nothing is held for it.
            v_review := v_review AND (v_src.kind = 'CUSTOMER' OR p_modes[i] = 'RECORD');
        END IF;

        v_held := 0;
        IF v_rejection IS NOT NULL THEN
            v_status := 'FAILED';
            r.outcome := 'REJECTED';
            r.rejection := v_rejection;
        ELSIF v_review THEN
            IF p_modes[i] <> 'RECORD' THEN
                UPDATE accounts a SET held = a.held + p_amounts[i], updated_at = now()
                 WHERE a.id = v_from[i] AND a.balance - a.held + a.overdraft_limit >= p_amounts[i];
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'ledger_apply: hold for review on % refused after its checks passed', v_from[i];
                END IF;
                v_held := p_amounts[i];
            END IF;
            v_status := 'ON_HOLD';
            r.outcome := 'APPLIED';
        ELSIF p_modes[i] = 'MOVE' THEN
            UPDATE accounts a SET balance = a.balance - p_amounts[i], updated_at = now()
             WHERE a.id = v_from[i]
               AND (a.kind <> 'CUSTOMER' OR a.balance - a.held + a.overdraft_limit >= p_amounts[i]);
            IF NOT FOUND THEN
                RAISE EXCEPTION 'ledger_apply: debit of % refused after its checks passed', v_from[i];
            END IF;
            UPDATE accounts a SET balance = a.balance + p_amounts[i], updated_at = now() WHERE a.id = v_to[i];
            v_status := 'COMPLETED';
            r.outcome := 'APPLIED';
        ELSIF p_modes[i] = 'HOLD' THEN
            UPDATE accounts a SET held = a.held + p_amounts[i], updated_at = now()
             WHERE a.id = v_from[i] AND a.balance - a.held + a.overdraft_limit >= p_amounts[i];
            IF NOT FOUND THEN
                RAISE EXCEPTION 'ledger_apply: hold on % refused after its checks passed', v_from[i];
            END IF;
            v_held := p_amounts[i];
            v_status := 'PENDING';
            r.outcome := 'APPLIED';
        ELSIF p_modes[i] = 'RECORD' THEN
            v_status := 'PENDING';
            r.outcome := 'APPLIED';
        ELSE
            RAISE EXCEPTION 'ledger_apply: unknown mode %', p_modes[i];
        END IF;

        -- A refusal is recorded as a FAILED transaction when there is a row to record it against.
        IF v_src.id IS NOT NULL AND v_dst.id IS NOT NULL AND v_src.id <> v_dst.id
           AND v_rejection IS DISTINCT FROM 'ACCOUNT_NOT_FOUND' THEN
            INSERT INTO transactions (id, type, from_account, to_account, amount_minor, currency, status,
                                      failure_reason, description, metadata, created_by, bank_id, counterparty,
                                      held_minor)
            VALUES (p_ids[i], p_types[i], v_from[i], v_to[i], p_amounts[i], p_currencies[i], v_status,
                    rejection_reason_code(v_rejection), p_descriptions[i], p_metadata[i]::jsonb, p_actors[i],
                    p_banks[i], p_counterparty[i]::jsonb, v_held)
            RETURNING * INTO v_tx;
            r := ledger_result_of(r, v_tx);
            PERFORM outbox_record(v_tx);
            IF jsonb_array_length(v_alerts) > 0 THEN
                PERFORM compliance_alerts_raise(v_tx, v_src, v_alerts);
            END IF;
        END IF;

        INSERT INTO audit_log (id, actor, action, resource, outcome, details, client_ip, trace_id)
        VALUES (uuid_v7(), p_actors[i], p_types[i],
                'transaction:' || coalesce(r.id::text, p_ids[i]::text),
                coalesce('REFUSED:' || rejection_reason_code(v_rejection), v_status),
                jsonb_build_object('from', p_from[i], 'to', p_to[i], 'amount_minor', p_amounts[i],
                                   'currency', p_currencies[i], 'bank_id', p_banks[i]),
                p_client_ips[i], p_trace_ids[i]);

        IF p_keys[i] IS NOT NULL THEN
            INSERT INTO idempotency_keys (client_id, key, request_hash, transaction_id, rejection)
            VALUES (p_clients[i], p_keys[i], p_hashes[i], r.id, v_rejection);
        END IF;

        RETURN NEXT r;
    END LOOP;
END;
$$;

-- Copies a transactions row into a result; keeps the row-to-result mapping in one place.
CREATE FUNCTION ledger_result_of(p_result ledger_result, p_tx transactions) RETURNS ledger_result
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    r ledger_result := p_result;
BEGIN
    r.id := p_tx.id; r.type := p_tx.type;
    r.from_account := p_tx.from_account; r.to_account := p_tx.to_account;
    r.amount_minor := p_tx.amount_minor; r.currency := p_tx.currency;
    r.status := p_tx.status; r.failure_reason := p_tx.failure_reason;
    r.description := p_tx.description; r.metadata := p_tx.metadata::text;
    r.created_at := p_tx.created_at; r.updated_at := p_tx.updated_at;
    r.bank_id := p_tx.bank_id; r.counterparty := p_tx.counterparty::text;
    RETURN r;
END;
$$;

-- Moves one transaction from the state it is expected to be in to the next, with the money that
-- goes with it, in one database transaction:
--   to COMPLETED  with a hold: post it (the source pays from its held amount), else move the money
--                 (money a bank sent: from its settlement account); a closed recipient fails it (AC04)
--   to FAILED     with a hold: void it (the hold is released, nothing moves)
--   otherwise     only the state changes
-- Answers the changed row, or nothing when the transaction was not in the expected state (another
-- worker moved it first): the conditional UPDATE is what makes two workers unable to both move it.
CREATE FUNCTION ledger_transition(
    p_id             uuid,
    p_expected       text,
    p_target         text,
    p_failure_reason text,
    p_actor          text,
    p_client_ip      text,
    p_trace_id       text
) RETURNS SETOF transactions
LANGUAGE plpgsql AS $$
DECLARE
    v_tx     transactions%ROWTYPE;
    v_dst    accounts%ROWTYPE;
    v_held   bigint;
    v_target text := p_target;
    v_reason text := p_failure_reason;
BEGIN
    IF NOT transaction_status_allowed(p_expected, p_target) THEN
        RAISE EXCEPTION 'ledger_transition: % -> % is not a transition', p_expected, p_target;
    END IF;
    IF p_target = 'REVERSED' THEN
        RAISE EXCEPTION 'ledger_transition: a reversal is a new REVERSAL transaction, not a state change';
    END IF;
    IF (p_target = 'FAILED') <> (p_failure_reason IS NOT NULL) THEN
        RAISE EXCEPTION 'ledger_transition: a failure needs a reason, and only a failure';
    END IF;
    SELECT * INTO v_tx FROM transactions t WHERE t.id = p_id;
    IF NOT FOUND OR v_tx.status <> p_expected THEN
        RETURN;
    END IF;
    -- Accounts first, in id order, as ledger_apply locks them: no deadlock between the two.
    PERFORM a.id FROM accounts a WHERE a.id IN (v_tx.from_account, v_tx.to_account) ORDER BY a.id FOR UPDATE;
    SELECT * INTO v_dst FROM accounts a WHERE a.id = v_tx.to_account;
    v_held := v_tx.held_minor;
    IF v_target = 'COMPLETED' AND v_held = 0 AND v_dst.status = 'CLOSED' THEN
        v_target := 'FAILED';
        v_reason := 'AC04';
    END IF;

    UPDATE transactions t
       SET status = v_target,
           failure_reason = CASE WHEN v_target = 'FAILED' THEN v_reason END,
           held_minor = CASE WHEN v_target IN ('COMPLETED', 'FAILED') THEN 0 ELSE t.held_minor END,
           updated_at = now()
     WHERE t.id = p_id AND t.status = p_expected
    RETURNING * INTO v_tx;
    IF NOT FOUND THEN
        RETURN;
    END IF;

    IF v_target = 'COMPLETED' THEN
        IF v_held > 0 THEN
            -- Posting a hold: the money was reserved when the transaction was made.
            UPDATE accounts a SET balance = a.balance - v_tx.amount_minor, held = a.held - v_tx.amount_minor,
                                  updated_at = now()
             WHERE a.id = v_tx.from_account AND a.held >= v_tx.amount_minor;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'ledger_transition: % holds less than %', v_tx.from_account, v_tx.amount_minor;
            END IF;
        ELSE
            -- Nothing was reserved: only money a bank sent (from its settlement account) moves so.
            UPDATE accounts a SET balance = a.balance - v_tx.amount_minor, updated_at = now()
             WHERE a.id = v_tx.from_account AND a.kind <> 'CUSTOMER';
            IF NOT FOUND THEN
                RAISE EXCEPTION 'ledger_transition: % completes without a hold on a customer account', p_id;
            END IF;
        END IF;
        UPDATE accounts a SET balance = a.balance + v_tx.amount_minor, updated_at = now() WHERE a.id = v_tx.to_account;
    ELSIF v_target = 'FAILED' AND v_held > 0 THEN
        UPDATE accounts a SET held = a.held - v_tx.amount_minor, updated_at = now()
         WHERE a.id = v_tx.from_account AND a.held >= v_tx.amount_minor;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'ledger_transition: % holds less than %', v_tx.from_account, v_tx.amount_minor;
        END IF;
    END IF;

    PERFORM outbox_record(v_tx);
    INSERT INTO audit_log (id, actor, action, resource, outcome, details, client_ip, trace_id)
    VALUES (uuid_v7(), p_actor, 'TRANSITION', 'transaction:' || p_id, v_target,
            jsonb_build_object('from_status', p_expected, 'to_status', v_target, 'failure_reason', v_reason),
            p_client_ip, p_trace_id);
    RETURN NEXT v_tx;
END;
$$;

-- An operator's decision on a transaction held for compliance review, in one database transaction:
-- approved, it goes on (an internal movement completes, a bank transfer goes back to PENDING for
-- the bank); rejected, it fails (AG01) and its hold is released. Its open alerts are resolved.
-- Answers nothing when it is not ON_HOLD (already decided, or another reviewer was first).
CREATE OR REPLACE FUNCTION compliance_review(p_id uuid, p_approve boolean, p_reason text, p_actor text,
                                             p_client_ip text, p_trace_id text)
RETURNS SETOF transactions
LANGUAGE plpgsql AS $$
DECLARE
    v_tx     transactions%ROWTYPE;
    v_target text;
BEGIN
    SELECT * INTO v_tx FROM transactions t WHERE t.id = p_id;
    IF NOT FOUND OR v_tx.status <> 'ON_HOLD' THEN
        RETURN;
    END IF;
    v_target := CASE
        WHEN NOT p_approve THEN 'FAILED'
        WHEN v_tx.type IN ('EXTERNAL_OUTBOUND', 'EXTERNAL_INBOUND') THEN 'PENDING'
        ELSE 'COMPLETED' END;
    SELECT * INTO v_tx FROM ledger_transition(p_id, 'ON_HOLD', v_target,
                                              CASE WHEN p_approve THEN NULL ELSE 'AG01' END,
                                              p_actor, p_client_ip, p_trace_id);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE compliance_alerts a
       SET status = CASE WHEN p_approve THEN 'APPROVED' ELSE 'REJECTED' END,
           resolved_at = now(), resolved_by = p_actor, resolution = p_reason
     WHERE a.transaction_id = p_id AND a.status = 'OPEN';
    PERFORM outbox_emit(CASE WHEN p_approve THEN 'paygate.compliance.review_approved'
                             ELSE 'paygate.compliance.review_rejected' END,
                        v_tx.from_account::text, p_id::text,
                        jsonb_build_object('transaction_id', p_id, 'status', v_tx.status, 'reason', p_reason,
                                           'reviewer', p_actor));
    INSERT INTO audit_log (id, actor, action, resource, outcome, details, client_ip, trace_id)
    VALUES (uuid_v7(), p_actor, CASE WHEN p_approve THEN 'REVIEW_APPROVED' ELSE 'REVIEW_REJECTED' END,
            'transaction:' || p_id, v_tx.status, jsonb_build_object('reason', p_reason), p_client_ip, p_trace_id);
    RETURN NEXT v_tx;
END;
$$;
