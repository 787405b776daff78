-- One outbox row per change of a transaction (not one per account): the relay fans it out to
-- every customer account the transaction touches, reading the transaction's unchanging fields
-- from its row. A transaction event's payload is empty: its type names the new status, its
-- created_at is the moment of the change. Half the rows, no JSON copy, fewer indexes.
DROP INDEX outbox_by_account;
ALTER TABLE outbox DROP CONSTRAINT outbox_event_id_key;
ALTER TABLE outbox ALTER COLUMN payload DROP NOT NULL;
ALTER TABLE outbox ADD CONSTRAINT event_has_data CHECK (transaction_id IS NOT NULL OR payload IS NOT NULL);

-- Webhooks: a client's URL that receives, signed, the events of its accounts.
CREATE TABLE webhooks (
    id           uuid        PRIMARY KEY,
    owner        text        NOT NULL,
    all_accounts boolean     NOT NULL,
    url          text        NOT NULL CHECK (length(url) <= 2000),
    event_types  text[]      NOT NULL,
    secret       text        NOT NULL,
    description  text        CHECK (description IS NULL OR length(description) <= 500),
    active       boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX webhooks_active ON webhooks (owner) WHERE active;

-- Each event each webhook is owed, with its attempts. The body is fixed when the delivery is
-- made, so every retry sends the same bytes under a fresh signature timestamp.
CREATE TABLE webhook_deliveries (
    id               uuid        PRIMARY KEY,
    webhook_id       uuid        NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         uuid        NOT NULL,
    event_type       text        NOT NULL,
    body             text        NOT NULL,
    status           text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts         int         NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status_code int,
    last_error       text,
    last_duration_ms int,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    UNIQUE (webhook_id, event_id)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id);
