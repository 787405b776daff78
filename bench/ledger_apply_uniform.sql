-- One transfer per transaction, exactly as the gateway sends it (Transactions.applyInOrder with a
-- batch of one): ledger_apply over one-element arrays, a fresh transfer id, no idempotency key.
-- The two account ids come from bench.accounts (filled by run.sh with the accounts it opened
-- through the API); looking them up inside the statement keeps it one round trip.
\set a random(1, :accounts)
\set b 1 + (:a + random(0, :accounts - 2)) % :accounts
SELECT * FROM ledger_apply(
    ARRAY[gen_random_uuid()]::uuid[],          -- ids
    ARRAY['TRANSFER']::text[],                 -- types
    ARRAY['MOVE']::text[],                     -- modes
    ARRAY[(SELECT id FROM bench.accounts WHERE n = :a)]::uuid[],
    ARRAY[(SELECT id FROM bench.accounts WHERE n = :b)]::uuid[],
    ARRAY[1]::bigint[],                        -- amounts (minor units)
    ARRAY['USD']::text[],                      -- currencies
    ARRAY['bench']::text[],                    -- descriptions
    ARRAY[NULL]::text[],                       -- metadata
    ARRAY[NULL]::uuid[],                       -- banks
    ARRAY[NULL]::text[],                       -- counterparties
    ARRAY[NULL]::text[],                       -- required owners
    ARRAY['bench']::text[],                    -- actors (audit)
    ARRAY['127.0.0.1']::text[],                -- client addresses (audit)
    ARRAY[NULL]::text[],                       -- trace ids (audit)
    ARRAY[NULL]::text[],                       -- idempotency clients
    ARRAY[NULL]::text[],                       -- idempotency keys
    ARRAY[NULL]::text[],                       -- request hashes
    ARRAY[NULL]::text[]);                      -- compliance reviews asked for by the caller
