-- Compliance controls in the money path: KYC levels with limits, AML rules that raise alerts or
-- hold a transfer for review, and the alerts themselves. ledger_apply checks them in the same
-- database transaction as the movement (R__ledger_functions.sql).

-- The minor-unit exponent of every ISO 4217 currency, kept in step with the JVM's list at startup
-- (ComplianceSettingsSync), so that limits and thresholds given in major units can be compared
-- with minor-unit amounts inside the database.
CREATE TABLE currency_exponents (
    code     char(3) PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    exponent int     NOT NULL CHECK (exponent BETWEEN 0 AND 4)
);

-- A user's KYC level; users without a row have compliance_settings.default_kyc_level.
CREATE TABLE kyc_levels (
    user_id    text        PRIMARY KEY CHECK (length(user_id) BETWEEN 1 AND 255),
    level      text        NOT NULL CHECK (level IN ('NONE', 'BASIC', 'FULL')),
    note       text        CHECK (note IS NULL OR length(note) <= 500),
    updated_by text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The limits of each level in major units (NULL: unlimited), written from configuration at startup.
CREATE TABLE kyc_limits (
    level            text    NOT NULL CHECK (level IN ('NONE', 'BASIC', 'FULL')),
    currency         char(3) NOT NULL,
    balance_max      numeric CHECK (balance_max IS NULL OR balance_max >= 0),
    per_transfer_max numeric CHECK (per_transfer_max IS NULL OR per_transfer_max >= 0),
    daily_max        numeric CHECK (daily_max IS NULL OR daily_max >= 0),
    payouts_allowed  boolean NOT NULL,
    PRIMARY KEY (level, currency)
);

CREATE TABLE compliance_settings (
    singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    default_kyc_level  text    NOT NULL CHECK (default_kyc_level IN ('NONE', 'BASIC', 'FULL'))
);
INSERT INTO compliance_settings (default_kyc_level) VALUES ('FULL');

-- AML rules are data: operators change thresholds and actions here, no code path changes.
--   AMOUNT_AT_LEAST   one movement of at least amount_major
--   VELOCITY          more than count_max movements from one account within window_minutes
--   STRUCTURING       count_max or more movements within window_minutes, each within margin_percent
--                     below amount_major (amounts kept just under a reporting threshold)
--   NEW_COUNTERPARTY  a payout of at least amount_major to a counterparty the user never paid before
-- action ALERT records an alert and lets the movement complete; HOLD also puts it ON_HOLD, its
-- money held on the sender, until an operator approves or rejects it.
CREATE TABLE aml_rules (
    id             text    PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,64}$'),
    kind           text    NOT NULL CHECK (kind IN ('AMOUNT_AT_LEAST', 'VELOCITY', 'STRUCTURING', 'NEW_COUNTERPARTY')),
    action         text    NOT NULL CHECK (action IN ('ALERT', 'HOLD')),
    currency       char(3),
    amount_major   numeric CHECK (amount_major IS NULL OR amount_major > 0),
    count_max      int     CHECK (count_max IS NULL OR count_max > 0),
    window_minutes int     CHECK (window_minutes IS NULL OR window_minutes BETWEEN 1 AND 43200),
    margin_percent int     CHECK (margin_percent IS NULL OR margin_percent BETWEEN 1 AND 50),
    enabled        boolean NOT NULL DEFAULT true,
    description    text    NOT NULL,
    CONSTRAINT rule_is_complete CHECK (CASE kind
        WHEN 'AMOUNT_AT_LEAST'  THEN amount_major IS NOT NULL
        WHEN 'VELOCITY'         THEN count_max IS NOT NULL AND window_minutes IS NOT NULL
        WHEN 'STRUCTURING'      THEN amount_major IS NOT NULL AND count_max IS NOT NULL
                                     AND window_minutes IS NOT NULL AND margin_percent IS NOT NULL
        WHEN 'NEW_COUNTERPARTY' THEN amount_major IS NOT NULL
    END)
);

INSERT INTO aml_rules (id, kind, action, amount_major, count_max, window_minutes, margin_percent, description) VALUES
    ('large-amount', 'AMOUNT_AT_LEAST', 'ALERT', 10000, NULL, NULL, NULL,
     'A single movement of 10,000.00 or more'),
    ('velocity', 'VELOCITY', 'ALERT', NULL, 1000, 60, NULL,
     'More than 1,000 movements from one account within an hour'),
    ('structuring', 'STRUCTURING', 'HOLD', 10000, 3, 1440, 10,
     'Three or more movements within 10% below 10,000.00 in 24 hours'),
    ('new-counterparty', 'NEW_COUNTERPARTY', 'HOLD', 5000, NULL, NULL, NULL,
     'A first payout of 5,000.00 or more to a counterparty never paid before');

CREATE TABLE compliance_alerts (
    id             uuid        PRIMARY KEY,
    rule_id        text        NOT NULL,
    action         text        NOT NULL CHECK (action IN ('ALERT', 'HOLD')),
    status         text        NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'APPROVED', 'REJECTED', 'CLOSED')),
    transaction_id uuid        NOT NULL REFERENCES transactions (id),
    account_id     uuid        NOT NULL,
    user_id        text,
    details        jsonb       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz,
    resolved_by    text,
    resolution     text        CHECK (resolution IS NULL OR length(resolution) <= 500)
);

CREATE INDEX compliance_alerts_by_id ON compliance_alerts (status, id);
CREATE INDEX compliance_alerts_by_transaction ON compliance_alerts (transaction_id);
CREATE INDEX compliance_alerts_by_account ON compliance_alerts (account_id, id);

-- The audit log's primary key already orders it by time (UUIDv7); this index was a duplicate.
DROP INDEX audit_log_by_time;
