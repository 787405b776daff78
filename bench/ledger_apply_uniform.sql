-- One transfer per transaction, exactly as the gateway sends it (Transactions.applyInOrder with a
-- batch of one): ledger_apply over one-element arrays, a fresh transfer id, no idempotency key.
-- The two account ids come from bench.accounts (filled by run.sh with the accounts it opened
-- through the API); looking them up inside the statement keeps it one round trip.
\set a random(1, :accounts)
\set b 1 + (:a + random(0, :accounts - 2)) % :accounts
SELECT * FROM ledger_apply(
    ARRAY[gen_random_uuid()]::uuid[],
    ARRAY['TRANSFER']::text[],
    ARRAY[(SELECT id FROM bench.accounts WHERE n = :a)]::uuid[],
    ARRAY[(SELECT id FROM bench.accounts WHERE n = :b)]::uuid[],
    ARRAY[1]::bigint[],
    ARRAY['USD']::text[],
    ARRAY['bench']::text[],
    ARRAY[NULL]::text[],
    ARRAY[NULL]::text[],
    ARRAY['bench']::text[],
    ARRAY[NULL]::text[],
    ARRAY[NULL]::text[],
    ARRAY[NULL]::text[]);
