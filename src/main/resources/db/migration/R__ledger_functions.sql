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

-- An amount in major units (a limit, a threshold) as minor units, given the currency's exponent;
-- NULL stays NULL. Exact (numeric, not floating point) and an expression PostgreSQL inlines.
CREATE OR REPLACE FUNCTION minor_of(p_major numeric, p_exponent int) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_major IS NOT NULL
                THEN least(floor(p_major * power(10::numeric, p_exponent)), 9223372036854775807)::bigint END
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

-- Per-movement helpers of earlier versions, folded into ledger_apply: a PL/pgSQL call per
-- movement, each with its own queries, was most of a movement's cost.
DROP FUNCTION IF EXISTS kyc_refusal(accounts, accounts, text, bigint, text);
DROP FUNCTION IF EXISTS aml_fired_rules(aml_rules[], accounts, text, bigint, text, jsonb);
DROP FUNCTION IF EXISTS compliance_alerts_raise(transactions, accounts, jsonb);
DROP FUNCTION IF EXISTS minor_units(numeric, text);

-- Applies a batch of movements in the order given, each with its own outcome. p_modes says what
-- each does once its checks pass:
--   MOVE   debit and credit now: the transaction is COMPLETED
--   HOLD   reserve the amount on from_account (held += amount): the transaction is PENDING
--   RECORD move nothing yet (money expected from a bank): the transaction is PENDING
-- A NULL account is the system side: the currency's cash account, or with a bank, its
-- settlement account.
--
-- Cost: a statement costs far more to start than to run here (an UPDATE of accounts alone parses
-- the table's CHECK constraints again on every execution), so the number of statements does not
-- grow with the batch. Every account of the batch is locked and read by one statement before the
-- loop, and the loop works on those rows in memory: a later movement sees what an earlier one did
-- to an account. After the loop one UPDATE writes the accounts that changed, with the VELOCITY
-- counters kept on the account row, and one INSERT per table writes the rows the movements made
-- (transactions, alerts, outbox events, audit rows, idempotency keys), in movement order. The KYC
-- limits, currency exponents, known idempotency keys and which movements any amount rule could
-- concern are read once per batch too. Where a later movement must see an earlier one of the same
-- batch (the daily KYC limit, STRUCTURING, a repeated idempotency key), the loop reads the
-- gathered rows as well as the tables. The CHECK constraints on accounts still hold every
-- account's end state: an in-memory mistake fails the batch rather than the money.
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
LANGUAGE plpgsql
-- Its statements read arrays whose length the planner cannot know, so custom plans always look
-- cheaper than a generic one and every statement would be planned again on every call. They are
-- written (primary-key lookups, inserts from arrays) so that one generic plan fits any batch.
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    v_count       int := cardinality(p_ids);
    v_from        uuid[] := p_from;
    v_to          uuid[] := p_to;
    v_in_flight   boolean[] := array_fill(false, ARRAY[cardinality(p_ids)]);
    -- the batch's accounts, locked, as the movements so far leave them
    v_acc         accounts[];
    v_acc_id      uuid[];
    v_acc_dirty   boolean[];
    v_acc_level   text[];     -- their owners' own KYC levels (NULL: the default level), in the same order
    v_exp_code    text[];     -- the batch's currencies' exponents
    v_exp         int[];
    v_limit_key   text[];     -- level || currency of each KYC limits row of the batch's levels and currencies,
    v_limits      kyc_limits[];  -- and the rows
    v_s           int;        -- positions of this movement's accounts in v_acc
    v_d           int;
    v_exponent    int;        -- this movement's currency's
    v_sender_limits    kyc_limits;  -- the KYC limits of the sender's level in this currency,
    v_recipient_limits kyc_limits;  -- and the recipient's (NULL fields: unlimited)
    v_src         accounts%ROWTYPE;
    v_dst         accounts%ROWTYPE;
    v_key         idempotency_keys%ROWTYPE;
    v_known_keys  idempotency_keys[];   -- per movement, its key's row from an earlier batch, if any
    v_tx          transactions%ROWTYPE;
    v_rejection   text;
    v_status      text;
    v_held        bigint;
    v_rules       aml_rules[];   -- the enabled rules but VELOCITY,
    v_velocity    aml_rules[];   -- the enabled VELOCITY rules,
    v_rules_floor numeric;       -- and the smallest amount (major units) any of v_rules may concern
    v_rule        aml_rules;
    v_alerts      jsonb;
    v_alert       jsonb;
    v_alert_id    uuid;
    v_details     jsonb;
    v_review      boolean;
    r             ledger_result;
    v_results     ledger_result[] := '{}';
    v_j           int;
    v_default_level text := (SELECT s.default_kyc_level FROM compliance_settings s);
    v_key_text    text[] := '{}';
    -- AML
    v_threshold   bigint;
    v_seen        int;
    v_window_start bigint[] := '{}';  -- per VELOCITY rule: the window now() falls in (epoch s),
    v_window_seen  numeric[] := '{}'; -- and the share of the previous window still in view
    v_counter     jsonb;
    v_in_window   int;
    v_in_previous int;
    v_estimate    numeric;
    -- rows written after the loop
    v_txs         transactions[] := '{}';
    v_tx_sender   text[] := '{}';   -- the customer who sent each of v_txs, for the daily limit
    v_ae_after    int[] := '{}';    -- alert events: the position in v_txs of the transaction each follows,
    v_ae_key      text[] := '{}';
    v_ae_subject  text[] := '{}';
    v_ae_payload  jsonb[] := '{}';
    v_al_id       uuid[] := '{}';
    v_al_rule     text[] := '{}';
    v_al_action   text[] := '{}';
    v_al_tx       uuid[] := '{}';
    v_al_account  uuid[] := '{}';
    v_al_user     text[] := '{}';
    v_al_details  jsonb[] := '{}';
    v_au_id       uuid[] := '{}';
    v_au_actor    text[] := '{}';
    v_au_action   text[] := '{}';
    v_au_resource text[] := '{}';
    v_au_outcome  text[] := '{}';
    v_au_details  jsonb[] := '{}';
    v_au_ip       text[] := '{}';
    v_au_trace    text[] := '{}';
    v_ik_client   text[] := '{}';
    v_ik_key      text[] := '{}';
    v_ik_hash     text[] := '{}';
    v_ik_tx       uuid[] := '{}';
    v_ik_rejection text[] := '{}';
    v_up_id       uuid[] := '{}';
    v_up_balance  bigint[] := '{}';
    v_up_held     bigint[] := '{}';
    v_up_velocity jsonb[] := '{}';
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
    -- A->B and B->A) always queue on the same row first and can never deadlock; the rows come
    -- back as they are once locked (a batch that committed meanwhile included).
    SELECT coalesce(array_agg(l.a ORDER BY (l.a).id), '{}'), coalesce(array_agg((l.a).id ORDER BY (l.a).id), '{}'),
           coalesce(array_agg(l.level ORDER BY (l.a).id), '{}')
      INTO v_acc, v_acc_id, v_acc_level
      FROM (SELECT a, k.level FROM accounts a LEFT JOIN kyc_levels k ON k.user_id = a.user_id
             WHERE a.id = ANY (v_from || v_to) ORDER BY a.id FOR UPDATE OF a) l;
    v_acc_dirty := array_fill(false, ARRAY[cardinality(v_acc)]);

    -- The currency exponents and KYC limits of the batch's currencies and levels: a few rows, read
    -- once by primary key, then looked up per movement in memory (a subquery per movement cost
    -- more). An index scan sorts and deduplicates an = ANY array once, so repeats cost nothing.
    SELECT lim.keys, lim.rows, ex.codes, ex.exponents
      INTO v_limit_key, v_limits, v_exp_code, v_exp
      FROM (SELECT coalesce(array_agg(l.level || l.currency), '{}') AS keys, coalesce(array_agg(l), '{}') AS rows
              FROM kyc_limits l
             WHERE l.level = ANY (v_acc_level || v_default_level) AND l.currency = ANY (p_currencies::char(3)[])) lim,
           (SELECT coalesce(array_agg(e.code::text), '{}') AS codes, coalesce(array_agg(e.exponent), '{}') AS exponents
              FROM currency_exponents e WHERE e.code = ANY (p_currencies::char(3)[])) ex;

    -- The rows of keys used before: a primary-key lookup per movement with a key.
    IF EXISTS (SELECT 1 FROM unnest(p_keys) k WHERE k IS NOT NULL) THEN
        SELECT array_agg((SELECT k FROM idempotency_keys k WHERE k.client_id = u.client AND k.key = u.key) ORDER BY u.ord)
          INTO v_known_keys
          FROM unnest(p_clients, p_keys) WITH ORDINALITY u(client, key, ord);
    END IF;

    -- The enabled AML rules. Below v_rules_floor no amount rule can fire, whatever the currency:
    -- the loop looks at v_rules only for movements of at least that much.
    SELECT coalesce(array_agg(x ORDER BY x.id) FILTER (WHERE x.kind <> 'VELOCITY'), '{}'),
           coalesce(array_agg(x ORDER BY x.id) FILTER (WHERE x.kind = 'VELOCITY'), '{}'),
           min(CASE WHEN x.kind = 'STRUCTURING' THEN x.amount_major * (100 - x.margin_percent) / 100
                    ELSE x.amount_major END)
      INTO v_rules, v_velocity, v_rules_floor
      FROM aml_rules x WHERE x.enabled;

    -- VELOCITY: each rule's window is fixed for the whole batch (now() is the transaction's time).
    FOR k IN 1 .. cardinality(v_velocity) LOOP
        v_window_start[k] := extract(epoch FROM date_bin(make_interval(mins => (v_velocity[k]).window_minutes),
                                                          now(), timestamptz '2000-01-01'))::bigint;
        v_window_seen[k] := 1 - (extract(epoch FROM now()) - v_window_start[k]) / ((v_velocity[k]).window_minutes * 60);
    END LOOP;

    FOR i IN 1 .. v_count LOOP
        r := NULL;
        r.ord := i;
        v_key_text[i] := CASE WHEN p_keys[i] IS NOT NULL THEN p_clients[i] || chr(31) || p_keys[i] END;

        IF v_in_flight[i] THEN
            r.outcome := 'IN_FLIGHT';
            v_results[i] := r;
            RETURN NEXT r;
            CONTINUE;
        END IF;

        IF p_keys[i] IS NOT NULL THEN
            v_key := v_known_keys[i];
            IF v_key.client_id IS NULL THEN
                -- The same key earlier in this batch: its row is not written yet.
                v_j := array_position(v_key_text, v_key_text[i]);
                IF v_j < i THEN
                    IF p_hashes[v_j] <> p_hashes[i] THEN
                        r.outcome := 'KEY_REUSED';
                    ELSE
                        r := v_results[v_j];
                        r.ord := i;
                        r.outcome := 'REPLAYED';
                    END IF;
                    v_results[i] := r;
                    RETURN NEXT r;
                    CONTINUE;
                END IF;
            ELSE
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
                v_results[i] := r;
                RETURN NEXT r;
                CONTINUE;
            END IF;
        END IF;

        v_s := array_position(v_acc_id, v_from[i]);
        v_d := array_position(v_acc_id, v_to[i]);
        v_src := v_acc[v_s];
        v_dst := v_acc[v_d];

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

        -- KYC: an operation the sender's level does not allow, or an amount beyond the sender's
        -- per-transfer or daily limit or the recipient's balance limit.
        v_exponent := v_exp[array_position(v_exp_code, p_currencies[i])];
        IF v_rejection IS NULL AND v_src.kind = 'CUSTOMER' AND p_types[i] IN ('TRANSFER', 'WITHDRAWAL', 'EXTERNAL_OUTBOUND') THEN
            v_sender_limits := v_limits[array_position(v_limit_key, coalesce(v_acc_level[v_s], v_default_level) || p_currencies[i])];
            IF p_types[i] = 'EXTERNAL_OUTBOUND' AND NOT coalesce(v_sender_limits.payouts_allowed, true) THEN
                v_rejection := 'KYC_NOT_ALLOWED';
            ELSIF p_amounts[i] > minor_of(v_sender_limits.per_transfer_max, v_exponent) THEN
                v_rejection := 'KYC_LIMIT';
            ELSIF v_sender_limits.daily_max IS NOT NULL THEN
                -- A test of its own: a condition with a query in it is a statement to start, even
                -- where the daily limit it guards is unset and it would stop at its first term.
                IF kyc_sent_last_day(v_src.user_id, p_currencies[i]) + p_amounts[i]
                   + (SELECT coalesce(sum(t.amount_minor), 0) FROM unnest(v_txs) WITH ORDINALITY t
                       WHERE v_tx_sender[t.ordinality::int] = v_src.user_id AND t.currency = p_currencies[i]::char(3)
                         AND t.status <> 'FAILED' AND t.type IN ('TRANSFER', 'WITHDRAWAL', 'EXTERNAL_OUTBOUND'))
                   > minor_of(v_sender_limits.daily_max, v_exponent) THEN
                    v_rejection := 'KYC_LIMIT';
                END IF;
            END IF;
        END IF;
        IF v_rejection IS NULL AND v_dst.kind = 'CUSTOMER' AND p_types[i] IN ('TRANSFER', 'DEPOSIT', 'EXTERNAL_INBOUND') THEN
            v_recipient_limits := v_limits[array_position(v_limit_key, coalesce(v_acc_level[v_d], v_default_level) || p_currencies[i])];
            IF v_dst.balance + p_amounts[i] > minor_of(v_recipient_limits.balance_max, v_exponent) THEN
                v_rejection := 'KYC_LIMIT';
            END IF;
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
        -- Structuring looks at the account's recent history only for amounts inside its band, and
        -- never reads more of it than the rule needs.
        v_alerts := '[]'::jsonb;
        v_review := false;
        IF v_rejection IS NULL THEN
            IF p_amounts[i] >= minor_of(v_rules_floor, v_exponent) - 1 THEN -- - 1: rounding
                FOREACH v_rule IN ARRAY v_rules LOOP
                    CONTINUE WHEN v_rule.currency IS NOT NULL AND v_rule.currency <> p_currencies[i];
                    v_threshold := minor_of(v_rule.amount_major, v_exponent);
                    v_details := NULL;
                    IF v_rule.kind = 'AMOUNT_AT_LEAST' AND p_amounts[i] >= v_threshold THEN
                        v_details := jsonb_build_object('amount_minor', p_amounts[i], 'threshold_minor', v_threshold);
                    ELSIF v_rule.kind = 'STRUCTURING' AND v_src.kind = 'CUSTOMER' AND p_amounts[i] < v_threshold
                          AND p_amounts[i] >= v_threshold - v_threshold * v_rule.margin_percent / 100 THEN
                        SELECT count(*) INTO v_seen FROM (
                            SELECT 1 FROM transactions t
                            WHERE t.from_account = v_src.id
                              AND t.id >= uuid_v7_floor(now() - make_interval(mins => v_rule.window_minutes))
                              AND t.status <> 'FAILED'
                              AND t.amount_minor < v_threshold
                              AND t.amount_minor >= v_threshold - v_threshold * v_rule.margin_percent / 100
                            LIMIT v_rule.count_max) near;
                        v_seen := v_seen + (SELECT count(*) FROM unnest(v_txs) t
                            WHERE t.from_account = v_src.id AND t.status <> 'FAILED'
                              AND t.amount_minor < v_threshold
                              AND t.amount_minor >= v_threshold - v_threshold * v_rule.margin_percent / 100);
                        IF v_seen + 1 >= v_rule.count_max THEN
                            v_details := jsonb_build_object('near_threshold_movements', v_seen + 1,
                                                            'threshold_minor', v_threshold);
                        END IF;
                    ELSIF v_rule.kind = 'NEW_COUNTERPARTY' AND p_types[i] = 'EXTERNAL_OUTBOUND'
                          AND p_amounts[i] >= v_threshold AND p_counterparty[i] IS NOT NULL
                          -- Payouts are made PENDING: none of this batch's is COMPLETED yet.
                          AND NOT EXISTS (
                              SELECT 1 FROM accounts a JOIN transactions t ON t.from_account = a.id
                              WHERE a.user_id = v_src.user_id AND a.kind = 'CUSTOMER' AND t.type = 'EXTERNAL_OUTBOUND'
                                AND t.status = 'COMPLETED'
                                AND coalesce(t.counterparty ->> 'iban', t.counterparty ->> 'account_number')
                                    = coalesce(p_counterparty[i]::jsonb ->> 'iban', p_counterparty[i]::jsonb ->> 'account_number')) THEN
                        v_details := jsonb_build_object('amount_minor', p_amounts[i], 'threshold_minor', v_threshold,
                                                        'counterparty', p_counterparty[i]::jsonb ->> 'name');
                    END IF;
                    IF v_details IS NOT NULL THEN
                        v_alerts := v_alerts || jsonb_build_object('rule_id', v_rule.id, 'action', v_rule.action,
                                                                   'details', v_details);
                        v_review := v_review OR v_rule.action = 'HOLD';
                    END IF;
                END LOOP;
            END IF;
            -- VELOCITY counts every movement from a customer that passed the other checks, on the
            -- sender's row: the current window's count and the previous one's, and the usual
            -- sliding-window estimate from both (previous * share of it still in view + current).
            IF v_src.kind = 'CUSTOMER' THEN
                FOR k IN 1 .. cardinality(v_velocity) LOOP
                    v_rule := v_velocity[k];
                    CONTINUE WHEN v_rule.currency IS NOT NULL AND v_rule.currency <> p_currencies[i];
                    v_counter := v_src.aml_velocity -> v_rule.id;
                    v_in_window := 0;
                    v_in_previous := 0;
                    IF (v_counter ->> 'window_start')::bigint = v_window_start[k] THEN
                        v_in_window := (v_counter ->> 'count')::int;
                        v_in_previous := (v_counter ->> 'previous_count')::int;
                    ELSIF (v_counter ->> 'window_start')::bigint = v_window_start[k] - v_rule.window_minutes * 60 THEN
                        v_in_previous := (v_counter ->> 'count')::int;
                    END IF;
                    v_in_window := v_in_window + 1;
                    v_src.aml_velocity := v_src.aml_velocity || jsonb_build_object(v_rule.id, jsonb_build_object(
                        'window_start', v_window_start[k], 'count', v_in_window, 'previous_count', v_in_previous));
                    v_acc_dirty[v_s] := true;
                    v_estimate := v_in_window + v_in_previous * v_window_seen[k];
                    IF v_estimate > v_rule.count_max THEN
                        v_alerts := v_alerts || jsonb_build_object('rule_id', v_rule.id, 'action', v_rule.action,
                            'details', jsonb_build_object('movements_in_window', round(v_estimate),
                                                          'window_minutes', v_rule.window_minutes));
                        v_review := v_review OR v_rule.action = 'HOLD';
                    END IF;
                END LOOP;
            END IF;
            IF p_reviews[i] IS NOT NULL THEN
                v_alerts := v_alerts || (p_reviews[i]::jsonb || jsonb_build_object('action', 'HOLD'));
                v_review := true;
            END IF;
            -- Money expected from a bank (RECORD) waits ON_HOLD too, but nothing is held for it.
            v_review := v_review AND (v_src.kind = 'CUSTOMER' OR p_modes[i] = 'RECORD');
        END IF;

        -- The checks above passed against these very rows, so no debit or hold below can take an
        -- account past what it may spend.
        v_held := 0;
        IF v_rejection IS NOT NULL THEN
            v_status := 'FAILED';
            r.outcome := 'REJECTED';
            r.rejection := v_rejection;
        ELSIF v_review THEN
            IF p_modes[i] <> 'RECORD' THEN
                v_src.held := v_src.held + p_amounts[i];
                v_acc_dirty[v_s] := true;
                v_held := p_amounts[i];
            END IF;
            v_status := 'ON_HOLD';
            r.outcome := 'APPLIED';
        ELSIF p_modes[i] = 'MOVE' THEN
            v_src.balance := v_src.balance - p_amounts[i];
            v_dst.balance := v_dst.balance + p_amounts[i];
            v_acc_dirty[v_s] := true;
            v_acc_dirty[v_d] := true;
            v_status := 'COMPLETED';
            r.outcome := 'APPLIED';
        ELSIF p_modes[i] = 'HOLD' THEN
            v_src.held := v_src.held + p_amounts[i];
            v_acc_dirty[v_s] := true;
            v_held := p_amounts[i];
            v_status := 'PENDING';
            r.outcome := 'APPLIED';
        ELSIF p_modes[i] = 'RECORD' THEN
            v_status := 'PENDING';
            r.outcome := 'APPLIED';
        ELSE
            RAISE EXCEPTION 'ledger_apply: unknown mode %', p_modes[i];
        END IF;
        IF v_rejection IS NULL THEN
            v_acc[v_s] := v_src;
            v_acc[v_d] := v_dst;
        END IF;

        -- A refusal is recorded as a FAILED transaction when there is a row to record it against.
        IF v_src.id IS NOT NULL AND v_dst.id IS NOT NULL AND v_src.id <> v_dst.id
           AND v_rejection IS DISTINCT FROM 'ACCOUNT_NOT_FOUND' THEN
            v_tx := NULL;
            v_tx.id := p_ids[i]; v_tx.type := p_types[i];
            v_tx.from_account := v_from[i]; v_tx.to_account := v_to[i];
            v_tx.amount_minor := p_amounts[i]; v_tx.currency := p_currencies[i];
            v_tx.status := v_status; v_tx.failure_reason := rejection_reason_code(v_rejection);
            v_tx.description := p_descriptions[i]; v_tx.metadata := p_metadata[i]::jsonb;
            v_tx.created_by := p_actors[i]; v_tx.bank_id := p_banks[i];
            v_tx.counterparty := p_counterparty[i]::jsonb; v_tx.held_minor := v_held;
            v_tx.created_at := now(); v_tx.updated_at := now();
            v_txs[cardinality(v_txs) + 1] := v_tx;
            v_tx_sender[cardinality(v_txs)] := CASE WHEN v_src.kind = 'CUSTOMER' THEN v_src.user_id END;
            r := ledger_result_of(r, v_tx);
            -- Each alert: a row, an event and an audit row. The transaction's own event and audit
            -- row are written from v_txs and v_results after the loop.
            -- Most movements raise none, and a loop over a query is a statement to start.
            IF v_alerts <> '[]'::jsonb THEN
                FOR v_alert IN SELECT * FROM jsonb_array_elements(v_alerts) LOOP
                    v_alert_id := uuid_v7();
                    v_al_id := v_al_id || v_alert_id; v_al_rule := v_al_rule || (v_alert ->> 'rule_id');
                    v_al_action := v_al_action || (v_alert ->> 'action'); v_al_tx := v_al_tx || v_tx.id;
                    v_al_account := v_al_account || CASE WHEN v_src.kind = 'CUSTOMER' THEN v_src.id ELSE v_tx.to_account END;
                    v_al_user := v_al_user || v_src.user_id;
                    v_al_details := v_al_details || coalesce(v_alert -> 'details', '{}'::jsonb);
                    v_ae_after := v_ae_after || cardinality(v_txs); v_ae_key := v_ae_key || v_src.id::text;
                    v_ae_subject := v_ae_subject || v_alert_id::text;
                    v_ae_payload := v_ae_payload || jsonb_build_object('alert_id', v_alert_id, 'rule_id', v_alert ->> 'rule_id',
                        'action', v_alert ->> 'action', 'transaction_id', v_tx.id, 'status', v_status);
                    v_au_id := v_au_id || uuid_v7(); v_au_actor := v_au_actor || 'compliance'::text;
                    v_au_action := v_au_action || 'ALERT_RAISED'::text; v_au_resource := v_au_resource || ('transaction:' || v_tx.id);
                    v_au_outcome := v_au_outcome || (v_alert ->> 'action');
                    v_au_details := v_au_details || jsonb_build_object('alert_id', v_alert_id, 'rule_id', v_alert ->> 'rule_id');
                    v_au_ip := v_au_ip || NULL::text; v_au_trace := v_au_trace || NULL::text;
                END LOOP;
            END IF;
        END IF;

        IF p_keys[i] IS NOT NULL THEN
            v_ik_client := v_ik_client || p_clients[i]; v_ik_key := v_ik_key || p_keys[i];
            v_ik_hash := v_ik_hash || p_hashes[i]; v_ik_tx := v_ik_tx || r.id; v_ik_rejection := v_ik_rejection || v_rejection;
        END IF;

        v_results[i] := r;
        RETURN NEXT r;
    END LOOP;

    -- The accounts the batch changed, as it leaves them: absolute values, since every one of them
    -- has been locked since it was read.
    FOR k IN 1 .. cardinality(v_acc) LOOP
        IF v_acc_dirty[k] THEN
            v_up_id := v_up_id || (v_acc[k]).id;
            v_up_balance := v_up_balance || (v_acc[k]).balance;
            v_up_held := v_up_held || (v_acc[k]).held;
            v_up_velocity := v_up_velocity || (v_acc[k]).aml_velocity;
        END IF;
    END LOOP;
    IF cardinality(v_up_id) > 0 THEN
        UPDATE accounts a
           SET balance = u.balance, held = u.held, aml_velocity = u.velocity, updated_at = now()
          FROM unnest(v_up_id, v_up_balance, v_up_held, v_up_velocity) u(id, balance, held, velocity)
         WHERE a.id = u.id;
    END IF;

    -- The batch's rows, one statement per table; transactions and events in movement order (the
    -- outbox's position orders events, and every account they concern is still locked), audit
    -- rows in any (their ids order them, to the millisecond). Transactions first: alerts and
    -- idempotency keys refer to them.
    IF cardinality(v_txs) > 0 THEN
        INSERT INTO transactions (id, type, from_account, to_account, amount_minor, currency, status,
                                  failure_reason, description, metadata, created_by, bank_id, counterparty,
                                  held_minor, created_at, updated_at)
        SELECT t.id, t.type, t.from_account, t.to_account, t.amount_minor, t.currency, t.status,
               t.failure_reason, t.description, t.metadata, t.created_by, t.bank_id, t.counterparty,
               t.held_minor, t.created_at, t.updated_at
          FROM unnest(v_txs) WITH ORDINALITY t ORDER BY t.ordinality;
    END IF;
    IF cardinality(v_al_id) > 0 THEN
        INSERT INTO compliance_alerts (id, rule_id, action, transaction_id, account_id, user_id, details)
        SELECT * FROM unnest(v_al_id, v_al_rule, v_al_action, v_al_tx, v_al_account, v_al_user, v_al_details);
    END IF;
    -- One event per change of a transaction (see outbox_record), each followed by its alerts' events.
    IF cardinality(v_txs) > 0 THEN
        INSERT INTO outbox (event_id, partition_key, subject, transaction_id, type, payload)
        SELECT uuid_v7(), e.key, e.subject, e.tx, e.type, e.payload
          FROM (SELECT t.ordinality AS after, 0::bigint AS seq, t.id::text AS key, t.id::text AS subject, t.id AS tx,
                       'paygate.transaction.' || lower(t.status) AS type, NULL::jsonb AS payload
                  FROM unnest(v_txs) WITH ORDINALITY t
                UNION ALL
                SELECT a.after, a.seq, a.key, a.subject, NULL, 'paygate.compliance.alert_raised', a.payload
                  FROM unnest(v_ae_after, v_ae_key, v_ae_subject, v_ae_payload) WITH ORDINALITY a(after, key, subject, payload, seq)) e
         ORDER BY e.after, e.seq;
    END IF;
    -- An audit row per movement that was decided here (a replay or a request in flight is not a
    -- new action), and one per alert.
    INSERT INTO audit_log (id, actor, action, resource, outcome, details, client_ip, trace_id)
    SELECT uuid_v7(), p_actors[res.ord], p_types[res.ord], 'transaction:' || coalesce(res.id, p_ids[res.ord]),
           coalesce('REFUSED:' || rejection_reason_code(res.rejection), res.status),
           jsonb_build_object('from', p_from[res.ord], 'to', p_to[res.ord], 'amount_minor', p_amounts[res.ord],
                              'currency', p_currencies[res.ord], 'bank_id', p_banks[res.ord]),
           p_client_ips[res.ord], p_trace_ids[res.ord]
      FROM unnest(v_results) res
     WHERE res.outcome IN ('APPLIED', 'REJECTED')
    UNION ALL
    SELECT * FROM unnest(v_au_id, v_au_actor, v_au_action, v_au_resource, v_au_outcome, v_au_details, v_au_ip, v_au_trace);
    IF cardinality(v_ik_key) > 0 THEN
        INSERT INTO idempotency_keys (client_id, key, request_hash, transaction_id, rejection)
        SELECT * FROM unnest(v_ik_client, v_ik_key, v_ik_hash, v_ik_tx, v_ik_rejection);
    END IF;
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
