-- Accounts hold money as BIGINT minor units. The constraints below are the last line of defence:
-- whatever the code does, PostgreSQL refuses a customer balance below its overdraft limit,
-- negative holds, and a closed account that still holds money.
CREATE TABLE accounts (
    id              uuid        PRIMARY KEY,
    kind            text        NOT NULL CHECK (kind IN ('CUSTOMER', 'SYSTEM_CASH', 'BANK_SETTLEMENT')),
    user_id         text        CHECK (user_id IS NULL OR length(user_id) BETWEEN 1 AND 255),
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    currency        char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    balance         bigint      NOT NULL DEFAULT 0,
    held            bigint      NOT NULL DEFAULT 0 CHECK (held >= 0),
    overdraft_limit bigint      NOT NULL DEFAULT 0 CHECK (overdraft_limit >= 0),
    status          text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'FROZEN', 'CLOSED')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customer_has_owner CHECK (kind <> 'CUSTOMER' OR user_id IS NOT NULL),
    CONSTRAINT customer_within_overdraft CHECK (kind <> 'CUSTOMER' OR balance - held + overdraft_limit >= 0),
    CONSTRAINT closed_account_is_empty CHECK (status <> 'CLOSED' OR (balance = 0 AND held = 0))
);

CREATE INDEX accounts_by_owner ON accounts (user_id, id) WHERE kind = 'CUSTOMER';
CREATE UNIQUE INDEX one_cash_account_per_currency ON accounts (currency) WHERE kind = 'SYSTEM_CASH';

-- Every movement of money is one row that debits from_account and credits to_account
-- (double entry in one row). A FAILED row records a refused attempt and moved nothing.
CREATE TABLE transactions (
    id             uuid        PRIMARY KEY,
    type           text        NOT NULL CHECK (type IN ('TRANSFER', 'DEPOSIT', 'WITHDRAWAL',
                                                        'EXTERNAL_OUTBOUND', 'EXTERNAL_INBOUND', 'REVERSAL')),
    from_account   uuid        NOT NULL REFERENCES accounts (id),
    to_account     uuid        NOT NULL REFERENCES accounts (id),
    amount_minor   bigint      NOT NULL CHECK (amount_minor > 0),
    currency       char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status         text        NOT NULL CHECK (status IN ('PENDING', 'ON_HOLD', 'PROCESSING',
                                                          'COMPLETED', 'FAILED', 'REVERSED')),
    failure_reason text        CHECK (failure_reason IS NULL OR failure_reason ~ '^[A-Z0-9]{4}$'),
    description    text        CHECK (description IS NULL OR length(description) <= 500),
    metadata       jsonb,
    created_by     text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT two_distinct_accounts CHECK (from_account <> to_account),
    CONSTRAINT failure_has_reason CHECK ((status = 'FAILED') = (failure_reason IS NOT NULL))
);

-- One account's history, newest first, is two index range scans merged (see Transactions.page).
CREATE INDEX transactions_by_from_account ON transactions (from_account, id);
CREATE INDEX transactions_by_to_account ON transactions (to_account, id);

-- Idempotency keys are scoped to the calling client. The row is written in the same database
-- transaction as the movement it guards, so a key can never be recorded without its outcome.
CREATE TABLE idempotency_keys (
    client_id      text        NOT NULL,
    key            text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash   text        NOT NULL,
    transaction_id uuid        REFERENCES transactions (id),
    rejection      text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, key),
    CONSTRAINT outcome_recorded CHECK (transaction_id IS NOT NULL OR rejection IS NOT NULL)
);

CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- Who did what, when. Rows are never changed or removed (see the trigger).
CREATE TABLE audit_log (
    id          uuid        PRIMARY KEY,
    actor       text        NOT NULL,
    action      text        NOT NULL,
    resource    text        NOT NULL,
    outcome     text        NOT NULL,
    details     jsonb,
    client_ip   text,
    trace_id    text,
    occurred_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_log_by_time ON audit_log (id);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
