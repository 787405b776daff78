-- Movements per account for each VELOCITY rule, counted as the movement is applied (one upsert)
-- rather than by reading the account's history on every movement. Two windows are kept, the
-- current and the previous one, and the count over a sliding window is estimated from both (the
-- usual sliding-window approximation: previous * share of the window still in view + current).
CREATE TABLE aml_counters (
    rule_id        text        NOT NULL,
    account_id     uuid        NOT NULL,
    window_start   timestamptz NOT NULL,
    count          int         NOT NULL CHECK (count >= 0),
    previous_count int         NOT NULL CHECK (previous_count >= 0),
    PRIMARY KEY (rule_id, account_id)
);
