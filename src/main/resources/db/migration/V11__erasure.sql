-- GDPR erasure (user_erase, R__erasure.sql): a user's identity and free text are replaced by a
-- pseudonym while amounts, ids and dates stay, as financial record keeping requires.

-- Each erasure: who asked for it and when, under the pseudonym only, never the user id. The
-- pseudonym is a keyed hash of the user id, so an operator holding the key can still answer
-- "was this person erased, and when?".
CREATE TABLE user_erasures (
    id              uuid        PRIMARY KEY,
    pseudonym       text        NOT NULL,
    erased_by       text        NOT NULL,
    accounts_closed uuid[]      NOT NULL,
    erased_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX user_erasures_by_pseudonym ON user_erasures (pseudonym, erased_at);

-- The audit log stays append-only with one exception: inside an erasure's own transaction
-- (which sets paygate.erasure_pseudonym), a row may have its actor replaced by the pseudonym,
-- its client address removed and its details pseudonymised. What was done, to what kind of
-- resource, when, with which outcome and trace is never changed, and rows are never removed.
CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_pseudonym text := current_setting('paygate.erasure_pseudonym', true);
BEGIN
    IF TG_OP = 'UPDATE' AND v_pseudonym IS NOT NULL AND v_pseudonym <> ''
       AND NEW.id = OLD.id AND NEW.action = OLD.action AND NEW.outcome = OLD.outcome
       AND NEW.occurred_at = OLD.occurred_at AND NEW.trace_id IS NOT DISTINCT FROM OLD.trace_id
       AND (NEW.actor = OLD.actor OR NEW.actor = v_pseudonym)
       AND (NEW.client_ip IS NULL OR NEW.client_ip = OLD.client_ip)
       AND split_part(NEW.resource, ':', 1) = split_part(OLD.resource, ':', 1) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;

-- Audit rows about users and accounts (not the many about transactions), found by resource
-- when a user is erased. Rows about transactions do not enter this index.
CREATE INDEX audit_log_by_party ON audit_log (resource) WHERE resource NOT LIKE 'transaction:%';
