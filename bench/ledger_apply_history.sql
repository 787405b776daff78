-- History for the database to carry before anything is measured: 64 transfers of one minor unit
-- between accounts picked at random, applied by one ledger_apply call as the batcher sends them,
-- with time-ordered ids as the gateway makes them. bench.accounts and :accounts as for the other scripts.
SELECT count(*) AS movements, count(*) FILTER (WHERE r.outcome = 'APPLIED') AS applied FROM (
    SELECT array_agg(uuid_v7() ORDER BY p.g) AS ids, array_agg(f.id ORDER BY p.g) AS froms,
           array_agg(t.id ORDER BY p.g) AS tos, count(*)::int AS n,
           array_fill(NULL::text, ARRAY[count(*)::int]) AS no_text
      FROM (SELECT g, 1 + floor(random() * :accounts)::int AS a, floor(random() * (:accounts - 1))::int AS step
              FROM generate_series(1, 64) g) p
      JOIN bench.accounts f ON f.n = p.a
      JOIN bench.accounts t ON t.n = 1 + (p.a + p.step) % :accounts) m,
  LATERAL ledger_apply(
    m.ids,
    array_fill('TRANSFER'::text, ARRAY[m.n]),
    array_fill('MOVE'::text, ARRAY[m.n]),
    m.froms,
    m.tos,
    array_fill(1::bigint, ARRAY[m.n]),
    array_fill('USD'::text, ARRAY[m.n]),
    array_fill('bench history'::text, ARRAY[m.n]),
    m.no_text,
    array_fill(NULL::uuid, ARRAY[m.n]),
    m.no_text,
    m.no_text,
    array_fill('bench'::text, ARRAY[m.n]),
    array_fill('127.0.0.1'::text, ARRAY[m.n]),
    m.no_text,
    m.no_text,
    m.no_text,
    m.no_text,
    m.no_text) r;
