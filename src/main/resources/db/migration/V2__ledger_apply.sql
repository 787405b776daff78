-- The one statement that moves money. It applies a batch of movements in the order given, each
-- with its own outcome, so one refusal never fails its neighbours; a batch of one is the
-- unbatched path. Everything happens in the caller's single database transaction.

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
    updated_at     timestamptz
);

-- The ISO 20022 reason code recorded for each refusal. TransferRejection in Java carries the
-- same codes; TransferRejectionTest keeps the two in step.
CREATE FUNCTION rejection_reason_code(p_rejection text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_rejection
        WHEN 'ACCOUNT_NOT_FOUND'  THEN 'AC01'
        WHEN 'SAME_ACCOUNT'       THEN 'AG01'
        WHEN 'ACCOUNT_CLOSED'     THEN 'AC04'
        WHEN 'ACCOUNT_FROZEN'     THEN 'AC06'
        WHEN 'CURRENCY_MISMATCH'  THEN 'AM03'
        WHEN 'INSUFFICIENT_FUNDS' THEN 'AM04'
        WHEN 'BALANCE_LIMIT'      THEN 'AM02'
    END
$$;

CREATE FUNCTION ledger_apply(
    p_ids          uuid[],
    p_types        text[],
    p_from         uuid[],   -- NULL: the system cash account of the currency
    p_to           uuid[],   -- NULL: the system cash account of the currency
    p_amounts      bigint[],
    p_currencies   text[],
    p_descriptions text[],
    p_metadata     text[],   -- JSON text or NULL
    p_owners       text[],   -- when not NULL, the user who must own from_account
    p_created_by   text[],
    p_clients      text[],   -- idempotency scope (the calling client), NULL without a key
    p_keys         text[],   -- Idempotency-Key, or NULL
    p_hashes       text[]    -- hash of the request the key was sent with
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
    r           ledger_result;
BEGIN
    IF v_count IS NULL OR v_count = 0 THEN
        RETURN;
    END IF;
    IF cardinality(p_types) <> v_count OR cardinality(p_from) <> v_count OR cardinality(p_to) <> v_count
       OR cardinality(p_amounts) <> v_count OR cardinality(p_currencies) <> v_count
       OR cardinality(p_descriptions) <> v_count OR cardinality(p_metadata) <> v_count
       OR cardinality(p_owners) <> v_count OR cardinality(p_created_by) <> v_count
       OR cardinality(p_clients) <> v_count OR cardinality(p_keys) <> v_count
       OR cardinality(p_hashes) <> v_count THEN
        RAISE EXCEPTION 'ledger_apply: argument arrays differ in length';
    END IF;

    -- A request whose key another transaction holds right now is still in flight: answer 409
    -- rather than wait. Try-locks never wait, so they cannot take part in a deadlock.
    FOR i IN 1 .. v_count LOOP
        IF p_keys[i] IS NOT NULL THEN
            v_in_flight[i] := NOT pg_try_advisory_xact_lock(7340, hashtext(p_clients[i] || chr(31) || p_keys[i]));
        END IF;
        IF v_from[i] IS NULL THEN
            v_from[i] := (SELECT a.id FROM accounts a WHERE a.kind = 'SYSTEM_CASH' AND a.currency = p_currencies[i]);
        END IF;
        IF v_to[i] IS NULL THEN
            v_to[i] := (SELECT a.id FROM accounts a WHERE a.kind = 'SYSTEM_CASH' AND a.currency = p_currencies[i]);
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
                        r.id := v_tx.id; r.type := v_tx.type;
                        r.from_account := v_tx.from_account; r.to_account := v_tx.to_account;
                        r.amount_minor := v_tx.amount_minor; r.currency := v_tx.currency;
                        r.status := v_tx.status; r.failure_reason := v_tx.failure_reason;
                        r.description := v_tx.description; r.metadata := v_tx.metadata::text;
                        r.created_at := v_tx.created_at; r.updated_at := v_tx.updated_at;
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
            WHEN v_src.kind = 'CUSTOMER'
                 AND v_src.balance - v_src.held + v_src.overdraft_limit < p_amounts[i] THEN 'INSUFFICIENT_FUNDS'
            WHEN v_dst.balance > 9223372036854775807 - p_amounts[i]
                 OR v_src.balance < -9223372036854775807 + p_amounts[i] THEN 'BALANCE_LIMIT'
        END;

        IF v_rejection IS NULL THEN
            UPDATE accounts a SET balance = a.balance - p_amounts[i], updated_at = now()
             WHERE a.id = v_from[i]
               AND (a.kind <> 'CUSTOMER' OR a.balance - a.held + a.overdraft_limit >= p_amounts[i]);
            IF NOT FOUND THEN
                RAISE EXCEPTION 'ledger_apply: debit of % refused after its checks passed', v_from[i];
            END IF;
            UPDATE accounts a SET balance = a.balance + p_amounts[i], updated_at = now() WHERE a.id = v_to[i];
            v_status := 'COMPLETED';
            r.outcome := 'APPLIED';
        ELSE
            v_status := 'FAILED';
            r.outcome := 'REJECTED';
            r.rejection := v_rejection;
        END IF;

        -- A refusal is recorded as a FAILED transaction when there is a row to record it against.
        IF v_src.id IS NOT NULL AND v_dst.id IS NOT NULL AND v_src.id <> v_dst.id
           AND v_rejection IS DISTINCT FROM 'ACCOUNT_NOT_FOUND' THEN
            INSERT INTO transactions (id, type, from_account, to_account, amount_minor, currency, status,
                                      failure_reason, description, metadata, created_by)
            VALUES (p_ids[i], p_types[i], v_from[i], v_to[i], p_amounts[i], p_currencies[i], v_status,
                    rejection_reason_code(v_rejection), p_descriptions[i], p_metadata[i]::jsonb, p_created_by[i])
            RETURNING * INTO v_tx;
            r.id := v_tx.id; r.type := v_tx.type;
            r.from_account := v_tx.from_account; r.to_account := v_tx.to_account;
            r.amount_minor := v_tx.amount_minor; r.currency := v_tx.currency;
            r.status := v_tx.status; r.failure_reason := v_tx.failure_reason;
            r.description := v_tx.description; r.metadata := v_tx.metadata::text;
            r.created_at := v_tx.created_at; r.updated_at := v_tx.updated_at;
        END IF;

        IF p_keys[i] IS NOT NULL THEN
            INSERT INTO idempotency_keys (client_id, key, request_hash, transaction_id, rejection)
            VALUES (p_clients[i], p_keys[i], p_hashes[i], r.id, v_rejection);
        END IF;

        RETURN NEXT r;
    END LOOP;
END;
$$;
