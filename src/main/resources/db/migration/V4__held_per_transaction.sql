-- What each transaction holds on its source account right now: its amount while a payout or a
-- transfer under review waits, zero once it is posted or voided. For every account, held is
-- the sum of held_minor over the transactions it sends, which the tests check.
ALTER TABLE transactions ADD COLUMN held_minor bigint NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD CONSTRAINT held_is_all_or_nothing CHECK (held_minor = 0 OR held_minor = amount_minor);
ALTER TABLE transactions ADD CONSTRAINT settled_holds_nothing
    CHECK (held_minor = 0 OR status IN ('PENDING', 'ON_HOLD', 'PROCESSING'));

-- The ledger's functions now live in R__ledger_functions.sql, replaced whenever it changes.
DROP FUNCTION ledger_apply(uuid[], text[], text[], uuid[], uuid[], bigint[], text[], text[], text[], uuid[], text[],
                           text[], text[], text[], text[], text[], text[], text[]);
DROP FUNCTION ledger_result_of(ledger_result, transactions);
DROP FUNCTION outbox_record(transactions);
DROP FUNCTION settlement_account(uuid, text);
DROP FUNCTION rejection_reason_code(text);
DROP TYPE ledger_result;
