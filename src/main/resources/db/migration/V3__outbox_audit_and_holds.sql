-- The ledger now also writes, in the same database transaction as every movement: an outbox
-- event per customer account it touches (published later to Kafka and SSE, never lost), and an
-- audit row. Movements can also reserve money (a hold, for payouts) or record an expected one
-- (an inbound transfer) instead of moving it at once.

-- Time-ordered ids made inside the database (RFC 9562 version 7), for rows the database makes itself.
CREATE FUNCTION uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;

-- External banks' settlement accounts carry the other side of payouts and inbound transfers.
ALTER TABLE accounts ADD COLUMN bank_id uuid;
ALTER TABLE accounts ADD CONSTRAINT settlement_has_bank CHECK ((kind = 'BANK_SETTLEMENT') = (bank_id IS NOT NULL));
CREATE UNIQUE INDEX one_settlement_account_per_bank_and_currency ON accounts (bank_id, currency)
    WHERE kind = 'BANK_SETTLEMENT';

ALTER TABLE transactions ADD COLUMN bank_id uuid;
ALTER TABLE transactions ADD COLUMN counterparty jsonb;
ALTER TABLE transactions ADD CONSTRAINT external_has_bank
    CHECK ((type IN ('EXTERNAL_OUTBOUND', 'EXTERNAL_INBOUND')) = (bank_id IS NOT NULL));

-- Events waiting to be published, and kept a while after for clients that reconnect.
-- position orders events per account: it is drawn while the account's row is locked, so for
-- one account it grows in commit order.
CREATE TABLE outbox (
    position       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id       uuid        NOT NULL UNIQUE,
    account_id     uuid        NOT NULL,
    transaction_id uuid        NOT NULL,
    type           text        NOT NULL,
    snapshot       jsonb       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz
);

CREATE INDEX outbox_unpublished ON outbox (position) WHERE published_at IS NULL;
CREATE INDEX outbox_by_account ON outbox (account_id, position);
CREATE INDEX outbox_by_transaction ON outbox (transaction_id, position);

-- One event per customer account a transaction touches, in the same transaction as the change.
CREATE FUNCTION outbox_record(p_tx transactions) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO outbox (event_id, account_id, transaction_id, type, snapshot)
    SELECT uuid_v7(), a.id, p_tx.id, 'paygate.transaction.' || lower(p_tx.status), to_jsonb(p_tx)
    FROM accounts a
    WHERE a.id IN (p_tx.from_account, p_tx.to_account) AND a.kind = 'CUSTOMER'
    ORDER BY a.id
$$;

CREATE INDEX audit_log_by_actor ON audit_log (actor, id);

ALTER TYPE ledger_result ADD ATTRIBUTE bank_id uuid, ADD ATTRIBUTE counterparty text;

DROP FUNCTION ledger_apply(uuid[], text[], uuid[], uuid[], bigint[], text[], text[], text[], text[], text[],
                           text[], text[], text[]);

-- Settlement account of a bank in a currency, made on first use.
CREATE FUNCTION settlement_account(p_bank uuid, p_currency text) RETURNS uuid
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
    p_hashes        text[]
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
    IF cardinality(p_types) <> v_count OR cardinality(p_modes) <> v_count OR cardinality(p_from) <> v_count
       OR cardinality(p_to) <> v_count OR cardinality(p_amounts) <> v_count OR cardinality(p_currencies) <> v_count
       OR cardinality(p_descriptions) <> v_count OR cardinality(p_metadata) <> v_count
       OR cardinality(p_banks) <> v_count OR cardinality(p_counterparty) <> v_count
       OR cardinality(p_owners) <> v_count OR cardinality(p_actors) <> v_count
       OR cardinality(p_client_ips) <> v_count OR cardinality(p_trace_ids) <> v_count
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
            WHEN v_src.kind = 'CUSTOMER' AND p_modes[i] <> 'RECORD'
                 AND v_src.balance - v_src.held + v_src.overdraft_limit < p_amounts[i] THEN 'INSUFFICIENT_FUNDS'
            WHEN v_dst.balance > 9223372036854775807 - p_amounts[i]
                 OR v_src.balance < -9223372036854775807 + p_amounts[i] THEN 'BALANCE_LIMIT'
        END;

        IF v_rejection IS NOT NULL THEN
            v_status := 'FAILED';
            r.outcome := 'REJECTED';
            r.rejection := v_rejection;
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
                                      failure_reason, description, metadata, created_by, bank_id, counterparty)
            VALUES (p_ids[i], p_types[i], v_from[i], v_to[i], p_amounts[i], p_currencies[i], v_status,
                    rejection_reason_code(v_rejection), p_descriptions[i], p_metadata[i]::jsonb, p_actors[i],
                    p_banks[i], p_counterparty[i]::jsonb)
            RETURNING * INTO v_tx;
            r := ledger_result_of(r, v_tx);
            PERFORM outbox_record(v_tx);
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
