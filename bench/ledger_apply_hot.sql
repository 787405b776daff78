-- As ledger_apply_uniform.sql, but every transfer credits the one merchant account (n = 0):
-- each transaction waits for the merchant's row lock, held until the previous one commits.
\set a random(1, :accounts)
SELECT * FROM ledger_apply(
    ARRAY[gen_random_uuid()]::uuid[],
    ARRAY['TRANSFER']::text[],
    ARRAY[(SELECT id FROM bench.accounts WHERE n = :a)]::uuid[],
    ARRAY[(SELECT id FROM bench.accounts WHERE n = 0)]::uuid[],
    ARRAY[1]::bigint[],
    ARRAY['USD']::text[],
    ARRAY['bench']::text[],
    ARRAY[NULL]::text[],
    ARRAY[NULL]::text[],
    ARRAY['bench']::text[],
    ARRAY[NULL]::text[],
    ARRAY[NULL]::text[],
    ARRAY[NULL]::text[]);
