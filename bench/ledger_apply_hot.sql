-- As ledger_apply_uniform.sql, but every transfer credits the one merchant account (n = 0):
-- each transaction waits for the merchant's row lock, held until the previous one commits.
\set a random(1, :accounts)
SELECT * FROM ledger_apply(
    ARRAY[gen_random_uuid()]::uuid[],          -- ids
    ARRAY['TRANSFER']::text[],                 -- types
    ARRAY['MOVE']::text[],                     -- modes
    ARRAY[(SELECT id FROM bench.accounts WHERE n = :a)]::uuid[],
    ARRAY[(SELECT id FROM bench.accounts WHERE n = 0)]::uuid[],
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
