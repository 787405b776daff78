-- The VELOCITY rules' window counters move from aml_counters (V7) onto the account row, which
-- ledger_apply writes anyway when the account sends money: the count costs no row write of its
-- own. Per rule id: {"window_start": epoch seconds, "count": n, "previous_count": m}, the current
-- and the previous window (see ledger_apply for the sliding-window estimate).
ALTER TABLE accounts ADD COLUMN aml_velocity jsonb NOT NULL DEFAULT '{}'::jsonb;

UPDATE accounts a
   SET aml_velocity = c.counters
  FROM (SELECT account_id,
               jsonb_object_agg(rule_id, jsonb_build_object(
                   'window_start', extract(epoch FROM window_start)::bigint,
                   'count', count, 'previous_count', previous_count)) AS counters
          FROM aml_counters
         GROUP BY account_id) c
 WHERE a.id = c.account_id;

DROP TABLE aml_counters;
