-- External banks, the dispatch of transfers to them, and the built-in sandbox bank.

CREATE TABLE external_banks (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    api_url     text        NOT NULL CHECK (length(api_url) <= 2000),
    auth_method text        NOT NULL CHECK (auth_method IN ('HMAC', 'OAUTH2')),
    -- AES-256-GCM ciphertext of the credentials JSON (nonce + ciphertext, base64); never returned.
    credentials text        NOT NULL,
    sandbox     boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE transactions ADD CONSTRAINT transactions_bank FOREIGN KEY (bank_id) REFERENCES external_banks (id);
ALTER TABLE accounts ADD CONSTRAINT accounts_bank FOREIGN KEY (bank_id) REFERENCES external_banks (id);

-- The transfers a bank still owes an answer for, found fast by the dispatcher.
CREATE INDEX transactions_external_in_flight ON transactions (bank_id, id)
    WHERE type IN ('EXTERNAL_OUTBOUND', 'EXTERNAL_INBOUND') AND status IN ('PENDING', 'PROCESSING');
CREATE INDEX transactions_external_by_day ON transactions (bank_id, created_at)
    WHERE type IN ('EXTERNAL_OUTBOUND', 'EXTERNAL_INBOUND');

-- Where the dispatch of each external transfer stands. Made by the dispatcher on first contact;
-- the transfer's state itself lives on its transactions row.
--   call       NONE (never sent), SENT (sent, answer pending), UNKNOWN (sent, no answer: a timeout)
CREATE TABLE bank_dispatch (
    transaction_id  uuid        PRIMARY KEY REFERENCES transactions (id),
    bank_id         uuid        NOT NULL REFERENCES external_banks (id),
    call            text        NOT NULL CHECK (call IN ('NONE', 'SENT', 'UNKNOWN')),
    attempts        int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    deadline_at     timestamptz NOT NULL,
    last_error      text,
    bank_reference  text,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The sandbox bank's own ledger: what it executed, keyed by the payment id Paygate sends (its
-- idempotency key). Executing a known payment id again returns the first result.
CREATE TABLE sandbox_payments (
    bank_id        uuid        NOT NULL REFERENCES external_banks (id),
    payment_id     uuid        NOT NULL,
    direction      text        NOT NULL CHECK (direction IN ('OUTBOUND', 'INBOUND')),
    amount         text        NOT NULL,
    currency       char(3)     NOT NULL,
    counterparty   jsonb,
    status         text        NOT NULL CHECK (status IN ('EXECUTED', 'REJECTED', 'CANCELLED')),
    reason_code    text,
    bank_reference text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bank_id, payment_id)
);

CREATE INDEX sandbox_payments_by_day ON sandbox_payments (bank_id, created_at);

-- The sandbox's fault knobs, per bank; rates are shares of calls (0 to 1).
CREATE TABLE sandbox_faults (
    bank_id                   uuid        PRIMARY KEY REFERENCES external_banks (id),
    latency_ms                int         NOT NULL DEFAULT 0 CHECK (latency_ms BETWEEN 0 AND 60000),
    error_rate                numeric     NOT NULL DEFAULT 0 CHECK (error_rate BETWEEN 0 AND 1),
    timeout_rate              numeric     NOT NULL DEFAULT 0 CHECK (timeout_rate BETWEEN 0 AND 1),
    execute_then_timeout_rate numeric     NOT NULL DEFAULT 0 CHECK (execute_then_timeout_rate BETWEEN 0 AND 1),
    refuse_rate               numeric     NOT NULL DEFAULT 0 CHECK (refuse_rate BETWEEN 0 AND 1),
    seed                      bigint,
    updated_at                timestamptz NOT NULL DEFAULT now()
);
