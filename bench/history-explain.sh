#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Shows that an account's history page is an index range scan at any depth, on a ledger of
# 1,000,000 transactions: EXPLAIN (ANALYZE, BUFFERS) of the exact query the gateway runs
# (Transactions.page with account_id), for the first page and a deep page of a busy account
# (100,000 rows) and of a typical one (2,000 rows), with both custom and generic plans. Exits non-zero if a Seq Scan on transactions appears.
#
#   bench/history-explain.sh            (about 1-2 minutes; output in bench/out/explain-*/)
#
# It starts its own gateway on a fresh embedded PostgreSQL (so Flyway makes the real schema),
# loads the rows with INSERT ... SELECT generate_series under every constraint of the schema
# (balances consistent: each customer is funded by a deposit, the cash account goes negative),
# and stops everything it started on exit. Talks to 127.0.0.1 only.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROWS=${HISTORY_ROWS:-1000000}
CUSTOMERS=1000
# One row in ten touches the busy account, so a page 90,000 rows down exists (with 1,000,000 rows);
# a typical account holds about 2 x ROWS / CUSTOMERS rows and is paged ROWS / 1,000 rows down.
FOCUS_EVERY=10
DEEP_ROWS=$((ROWS * 9 / (FOCUS_EVERY * 10)))
TYPICAL_DEEP_ROWS=$((ROWS / 1000))
PAGE_LIMIT=50
HEAP=512m
JAR=$ROOT/target/paygate-0.1.0-SNAPSHOT.jar
OUT=$ROOT/bench/out/explain-$(date +%Y%m%d-%H%M%S)
DATA=$OUT/postgres-17
mkdir -p "$OUT"

# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
for tool in java psql curl; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_gateway
  remove_data_directory
  stop_watchdog
  [[ $status -eq 0 ]] || log "exit $status; output in $OUT"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 124' TERM
start_watchdog 900
choose_ports
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d paygate -v ON_ERROR_STOP=1 -qAt)

build_jar_if_missing
start_gateway "$OUT/gateway.log"

log "loading $CUSTOMERS customer accounts and $ROWS transactions"
started=$SECONDS
"${PSQL[@]}" -v rows="$ROWS" -v customers="$CUSTOMERS" -v focus_every="$FOCUS_EVERY" <<'SQL'
-- A UUIDv7 (48-bit Unix milliseconds, version 7, variant 10xx, random bits), as the gateway's Ids
-- makes them: ids sort by creation time, which is what keyset pages rely on.
CREATE FUNCTION pg_temp.uuid_v7_at(ms bigint) RETURNS uuid LANGUAGE sql VOLATILE AS $$
    SELECT (lpad(to_hex(ms), 12, '0') || '7' || lpad(to_hex((random() * 4095)::int), 3, '0')
            || to_hex(8 + (random() * 3)::int) || lpad(to_hex((random() * 4294967295)::bigint), 8, '0')
            || lpad(to_hex((random() * 16777215)::int), 7, '0'))::uuid
$$;

BEGIN;
INSERT INTO accounts (id, kind, name, currency)
VALUES (gen_random_uuid(), 'SYSTEM_CASH', 'System cash USD', 'USD')
ON CONFLICT (currency) WHERE kind = 'SYSTEM_CASH' DO NOTHING;

CREATE TEMP TABLE customer (n int PRIMARY KEY, id uuid NOT NULL);
INSERT INTO customer SELECT n, pg_temp.uuid_v7_at(1700000000000 + n) FROM generate_series(1, :customers) n;
INSERT INTO accounts (id, kind, user_id, name, currency)
SELECT id, 'CUSTOMER', 'history-' || n, 'history ' || n, 'USD' FROM customer;

-- Each customer's first row: a deposit from the cash account, large enough for every debit after it.
INSERT INTO transactions (id, type, from_account, to_account, amount_minor, currency, status,
                          description, created_by, created_at, updated_at)
SELECT pg_temp.uuid_v7_at(1750000000000 + c.n), 'DEPOSIT', cash.id, c.id, 100000000000, 'USD', 'COMPLETED',
       'history bench funding', 'bench', to_timestamp((1750000000000 + c.n) / 1000.0),
       to_timestamp((1750000000000 + c.n) / 1000.0)
FROM customer c CROSS JOIN (SELECT id FROM accounts WHERE kind = 'SYSTEM_CASH' AND currency = 'USD') cash;

-- Then transfers, one per millisecond: between two distinct random customers, except that every
-- focus_every-th row debits or credits customer 1 (the account whose pages are explained).
INSERT INTO transactions (id, type, from_account, to_account, amount_minor, currency, status,
                          description, created_by, created_at, updated_at)
SELECT pg_temp.uuid_v7_at(ms), 'TRANSFER', f.id, t.id, 1 + g % 1000, 'USD', 'COMPLETED',
       'history bench', 'bench', to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0)
FROM (
    SELECT g, 1760000000000 + g AS ms,
           CASE WHEN g % :focus_every = 0 AND g % (2 * :focus_every) = 0 THEN 1
                WHEN g % :focus_every = 0 THEN 2 + r2
                ELSE r1 + 1 END AS f_n,
           CASE WHEN g % :focus_every = 0 AND g % (2 * :focus_every) = 0 THEN 2 + r2
                WHEN g % :focus_every = 0 THEN 1
                ELSE (r1 + 1 + r2) % :customers + 1 END AS t_n
    FROM (SELECT g, floor(random() * :customers)::int AS r1, floor(random() * (:customers - 1))::int AS r2
          FROM generate_series(1, :rows - :customers) g) raw
) pick
JOIN customer f ON f.n = pick.f_n
JOIN customer t ON t.n = pick.t_n;

-- Balances follow from the rows, so the ledger is consistent: what each account received less what it sent.
WITH moved AS (
    SELECT from_account AS id, -amount_minor AS delta FROM transactions WHERE status = 'COMPLETED'
    UNION ALL
    SELECT to_account, amount_minor FROM transactions WHERE status = 'COMPLETED'
), net AS (SELECT id, sum(delta) AS delta FROM moved GROUP BY id)
UPDATE accounts a SET balance = a.balance + net.delta FROM net WHERE a.id = net.id;

DO $$
BEGIN
    IF (SELECT sum(balance) FROM accounts WHERE currency = 'USD') <> 0 THEN
        RAISE EXCEPTION 'balances in USD do not sum to zero';
    END IF;
END $$;
COMMIT;
VACUUM ANALYZE accounts;
VACUUM ANALYZE transactions;
SQL
log "loaded in $((SECONDS - started)) s: $("${PSQL[@]}" -c "SELECT count(*) FROM transactions") transactions"

# Transactions.page for an account_id and no other filter, as the gateway sends it (named binds
# become $n; limit is the page size + 1, to learn whether there is a next page). The statement
# must never use OFFSET: a deep page costs what the first one does.
COLUMNS="id, type, from_account, to_account, amount_minor, currency, status, failure_reason,
            description, metadata::text AS metadata, created_at, updated_at"
FIRST_PAGE="SELECT $COLUMNS FROM ((SELECT * FROM transactions WHERE from_account = \$1 ORDER BY id DESC LIMIT \$2) UNION ALL (SELECT * FROM transactions WHERE to_account = \$1 ORDER BY id DESC LIMIT \$2)) t ORDER BY id DESC LIMIT \$2"
DEEP_PAGE="SELECT $COLUMNS FROM ((SELECT * FROM transactions WHERE from_account = \$1 AND id < \$2 ORDER BY id DESC LIMIT \$3) UNION ALL (SELECT * FROM transactions WHERE to_account = \$1 AND id < \$2 ORDER BY id DESC LIMIT \$3)) t ORDER BY id DESC LIMIT \$3"
for sql in "$FIRST_PAGE" "$DEEP_PAGE"; do
  grep -qi 'offset' <<<"$sql" && die "the history query uses OFFSET"
done

# Two accounts: the busy one (a tenth of all rows) and a typical one (about 2,000 rows). For each,
# the first page and a deep one, under the plan the server picks for these values (custom) and the
# one it may switch to for a cached prepared statement (generic).
PLANS=$OUT/plans.txt
SUMMARY=()
: >"$PLANS"
explain_account() { # user_id depth
  local account rows cursor mode
  account=$("${PSQL[@]}" -c "SELECT id FROM accounts WHERE user_id = '$1'")
  rows=$("${PSQL[@]}" -c "SELECT count(*) FROM transactions WHERE from_account = '$account' OR to_account = '$account'")
  cursor=$("${PSQL[@]}" -c "SELECT id FROM transactions WHERE from_account = '$account' OR to_account = '$account'
    ORDER BY id DESC OFFSET $2 LIMIT 1")
  [[ -n $cursor ]] || die "account $1 has fewer than $2 transactions"
  log "account $1 ($account) has $rows transactions; its deep page starts $2 rows down, below $cursor"
  for mode in force_custom_plan force_generic_plan; do
    explain "$1 ($rows rows) first page, $mode" "$mode" \
      "PREPARE page(uuid, int) AS $FIRST_PAGE; EXPLAIN (ANALYZE, BUFFERS) EXECUTE page('$account', $((PAGE_LIMIT + 1)))"
    explain "$1 ($rows rows) page $2 rows deep, $mode" "$mode" \
      "PREPARE page(uuid, uuid, int) AS $DEEP_PAGE; EXPLAIN (ANALYZE, BUFFERS) EXECUTE page('$account', '$cursor', $((PAGE_LIMIT + 1)))"
  done
}
explain() { # title plan_cache_mode statements
  local plan
  plan=$(printf 'SET plan_cache_mode = %s;\n%s;\n' "$2" "$3" | "${PSQL[@]}")
  printf '==== %s\n%s\n' "$1" "$plan" >>"$PLANS"
  SUMMARY+=("$(printf '%-66s %s' "$1" "$(awk '/Execution Time/ {print $3 " ms"}' <<<"$plan")")")
}
explain_account history-1 "$DEEP_ROWS"
explain_account history-500 "$TYPICAL_DEEP_ROWS"
cat "$PLANS"
echo

if grep -q 'Seq Scan on transactions' "$PLANS"; then
  die "a history page reads transactions with a Seq Scan (see $PLANS)"
fi
for index in transactions_by_from_account transactions_by_to_account; do
  grep -q "Index Scan Backward using $index" "$PLANS" || die "no plan uses $index"
done
echo "history_rows=$("${PSQL[@]}" -c "SELECT count(*) FROM transactions")"
printf '%s\n' "${SUMMARY[@]}"
echo "OK: every page is an index range scan, at any depth; no Seq Scan on transactions, no OFFSET"
