-- A JSON object with its personal values replaced: the values of the given keys become
-- "erased", and any value that is the user id becomes the pseudonym. Top level only, which is
-- where Paygate writes names, notes and user ids.
CREATE OR REPLACE FUNCTION erased_json(p_doc jsonb, p_keys text[], p_user text, p_pseudonym text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_doc IS NULL OR jsonb_typeof(p_doc) <> 'object' THEN p_doc ELSE
        coalesce((SELECT jsonb_object_agg(key,
                             CASE WHEN key = ANY(p_keys) AND jsonb_typeof(value) <> 'null' THEN to_jsonb('erased'::text)
                                  WHEN value = to_jsonb(p_user) THEN to_jsonb(p_pseudonym)
                                  ELSE value END)
                  FROM jsonb_each(p_doc)), '{}'::jsonb) END
$$;

-- Erases a user (GDPR art. 17) in one database transaction: closes their accounts, which must be
-- empty with nothing in flight; replaces their user id by p_pseudonym everywhere it is kept and
-- their names, notes, descriptions, metadata and counterparty details by "erased"; removes the
-- client addresses of what they did; deletes their webhooks and idempotency keys; records the
-- erasure. Amounts, ids, currencies, statuses and dates are kept: the ledger and every balance
-- are exactly as before. The outcome says what happened:
--   ERASED          with the counts of what was changed
--   BLOCKED         nothing changed: accounts that still hold money or have movements in flight
--   UNKNOWN         nothing is held about the user
--   ALREADY_ERASED  nothing is held about the user any more, and an erasure of them is recorded
CREATE OR REPLACE FUNCTION user_erase(p_user text, p_pseudonym text, p_actor text, p_client_ip text,
                                      p_trace_id text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_free_text  text[] := ARRAY['name', 'note', 'reason', 'description', 'screened_name', 'counterparty'];
    v_accounts   uuid[];
    v_busy       jsonb;
    v_tx         uuid[];
    v_resources  text[];
    v_counts     jsonb := '{}'::jsonb;
    v_rows       bigint;
BEGIN
    -- One erasure of a user at a time: the second waits, then finds nothing left to erase.
    PERFORM pg_advisory_xact_lock(7341, hashtext(p_user));
    -- Locked in id order, as the ledger locks accounts: a movement either commits first (and is
    -- seen below) or waits and then finds the account closed.
    SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO v_accounts FROM (
        SELECT id FROM accounts WHERE user_id = p_user AND kind = 'CUSTOMER' ORDER BY id FOR UPDATE) mine;

    IF cardinality(v_accounts) = 0
       AND NOT EXISTS (SELECT 1 FROM kyc_levels WHERE user_id = p_user)
       AND NOT EXISTS (SELECT 1 FROM audit_log WHERE actor = p_user)
       AND NOT EXISTS (SELECT 1 FROM webhooks WHERE owner = p_user) THEN
        RETURN jsonb_build_object('outcome',
            CASE WHEN EXISTS (SELECT 1 FROM user_erasures WHERE pseudonym = p_pseudonym)
                 THEN 'ALREADY_ERASED' ELSE 'UNKNOWN' END);
    END IF;

    SELECT jsonb_agg(jsonb_build_object('account_id', a.id, 'balance_minor', a.balance, 'held_minor', a.held,
                                        'in_flight', (SELECT count(*) FROM transactions t
                                                      WHERE (t.from_account = a.id OR t.to_account = a.id)
                                                        AND t.status IN ('PENDING', 'ON_HOLD', 'PROCESSING')))
                     ORDER BY a.id)
      INTO v_busy
      FROM accounts a
     WHERE a.id = ANY(v_accounts)
       AND (a.balance <> 0 OR a.held <> 0 OR EXISTS (
               SELECT 1 FROM transactions t
               WHERE (t.from_account = a.id OR t.to_account = a.id)
                 AND t.status IN ('PENDING', 'ON_HOLD', 'PROCESSING')));
    IF v_busy IS NOT NULL THEN
        RETURN jsonb_build_object('outcome', 'BLOCKED', 'accounts', v_busy);
    END IF;

    SELECT coalesce(array_agg(id), '{}') INTO v_tx FROM transactions
     WHERE from_account = ANY(v_accounts) OR to_account = ANY(v_accounts);

    PERFORM set_config('paygate.erasure_pseudonym', p_pseudonym, true);

    UPDATE accounts SET user_id = p_pseudonym, name = 'erased', status = 'CLOSED', updated_at = now()
     WHERE id = ANY(v_accounts);
    v_counts := v_counts || jsonb_build_object('accounts', cardinality(v_accounts));

    UPDATE transactions
       SET description = CASE WHEN description IS NULL THEN NULL ELSE 'erased' END,
           metadata = CASE WHEN metadata IS NULL THEN NULL ELSE '{}'::jsonb END,
           counterparty = CASE WHEN counterparty IS NULL THEN NULL ELSE jsonb_build_object('name', 'erased') END,
           created_by = CASE WHEN created_by = p_user THEN p_pseudonym ELSE created_by END
     WHERE id = ANY(v_tx);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_counts := v_counts || jsonb_build_object('transactions', v_rows);

    -- The simulated bank's own record of the same payouts.
    UPDATE sandbox_payments SET counterparty = jsonb_build_object('name', 'erased')
     WHERE payment_id = ANY(v_tx) AND counterparty IS NOT NULL;

    UPDATE compliance_alerts
       SET user_id = CASE WHEN user_id = p_user THEN p_pseudonym ELSE user_id END,
           details = erased_json(details, v_free_text, p_user, p_pseudonym),
           resolution = CASE WHEN resolution IS NULL THEN NULL ELSE 'erased' END
     WHERE account_id = ANY(v_accounts) OR transaction_id = ANY(v_tx);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_counts := v_counts || jsonb_build_object('compliance_alerts', v_rows);

    -- A level already kept under the pseudonym (the user came back and was erased again) gives
    -- way to the newer one.
    DELETE FROM kyc_levels WHERE user_id = p_pseudonym AND EXISTS (SELECT 1 FROM kyc_levels WHERE user_id = p_user);
    UPDATE kyc_levels SET user_id = p_pseudonym, note = NULL WHERE user_id = p_user;

    SELECT array_agg(r) INTO v_resources FROM (
        SELECT 'user:' || p_user AS r UNION ALL SELECT 'account:' || unnest(v_accounts)) parties;
    UPDATE audit_log
       SET actor = CASE WHEN actor = p_user THEN p_pseudonym ELSE actor END,
           client_ip = CASE WHEN actor = p_user THEN NULL ELSE client_ip END,
           resource = CASE WHEN resource = 'user:' || p_user THEN 'user:' || p_pseudonym ELSE resource END,
           details = erased_json(details, v_free_text, p_user, p_pseudonym)
     WHERE actor = p_user OR (resource = ANY(v_resources) AND resource NOT LIKE 'transaction:%');
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_counts := v_counts || jsonb_build_object('audit_entries', v_rows);

    -- Signed copies of events already sent or owed to webhooks carry the same free text.
    UPDATE webhook_deliveries
       SET body = jsonb_set(body::jsonb, '{data}',
                            erased_json(body::jsonb -> 'data', v_free_text, p_user, p_pseudonym)
                            || CASE WHEN body::jsonb #> '{data,metadata}' IS NULL THEN '{}'::jsonb
                                    ELSE jsonb_build_object('metadata', '{}'::jsonb) END
                            || CASE WHEN body::jsonb #> '{data,counterparty}' IS NULL
                                      OR body::jsonb #> '{data,counterparty}' = 'null' THEN '{}'::jsonb
                                    ELSE jsonb_build_object('counterparty', jsonb_build_object('name', 'erased')) END)::text
     WHERE body::jsonb ->> 'subject' = ANY(v_tx::text[]);

    DELETE FROM webhooks WHERE owner = p_user;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_counts := v_counts || jsonb_build_object('webhooks_deleted', v_rows);

    DELETE FROM idempotency_keys WHERE client_id = p_user;

    INSERT INTO user_erasures (id, pseudonym, erased_by, accounts_closed)
    VALUES (uuid_v7(), p_pseudonym, p_actor, v_accounts);
    INSERT INTO audit_log (id, actor, action, resource, outcome, details, client_ip, trace_id)
    VALUES (uuid_v7(), p_actor, 'PERSONAL_DATA_ERASED', 'user:' || p_pseudonym, 'OK', v_counts, p_client_ip, p_trace_id);

    RETURN jsonb_build_object('outcome', 'ERASED', 'pseudonym', p_pseudonym, 'erased_at', now(),
                              'accounts_closed', to_jsonb(v_accounts), 'changed', v_counts);
END;
$$;
