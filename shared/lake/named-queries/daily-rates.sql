-- name: daily-rates
-- description: Daily bounce and complaint rates per SocketLabs server over the 30 complete UTC days before today, from the v1 tables and the v2 messages table.
--
-- Counts as the digest does (shared/digest/metrics.ts, addCount), so both API generations give the same figures:
--   v1: queued = rows of socketlabs_queued, processed = rows of socketlabs_processed, complaints = rows of
--       socketlabs_complaints, hard/soft = rows of socketlabs_failed by failure_type_name (suppressed is neither).
--   v2: socketlabs_messages rows by event_type (queued, delivered = processed, complaint); hard/soft by
--       failure_type_name whatever the event, so a deferral that names a soft failure counts as a soft bounce.
--   bounce_rate = (hard + soft) / queued and complaint_rate = complaints / processed, as fractions; NULL when the
--   denominator is 0. A server's v1 and v2 rows add up, as in the digest.
-- Days are the UTC partition dates (dt). The digest counts days in its own time zone, so its figures equal these
-- only when it runs in UTC. A day on which a server has no row in any table is absent, not a row of zeros.
--
-- Trino (Athena engine 3) and DuckDB both: current_date is the UTC date in each (Athena sessions run in UTC; the
-- local views set TimeZone UTC). DuckDB turns date - INTERVAL into a TIMESTAMP, so the bounds are CAST back to DATE
-- to compare date with date in both engines. COUNT(CASE ...) rather than COUNT(*) FILTER, and CAST(... AS DOUBLE)
-- because Trino divides integers as integers.
WITH counts AS (
  SELECT dt, server_id, COUNT(*) AS queued, CAST(0 AS BIGINT) AS processed, CAST(0 AS BIGINT) AS hard_bounces,
    CAST(0 AS BIGINT) AS soft_bounces, CAST(0 AS BIGINT) AS complaints
  FROM socketlabs_queued
  WHERE dt >= CAST(current_date - INTERVAL '30' DAY AS DATE) AND dt < current_date
  GROUP BY dt, server_id
  UNION ALL
  SELECT dt, server_id, CAST(0 AS BIGINT), COUNT(*), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT)
  FROM socketlabs_processed
  WHERE dt >= CAST(current_date - INTERVAL '30' DAY AS DATE) AND dt < current_date
  GROUP BY dt, server_id
  UNION ALL
  SELECT dt, server_id, CAST(0 AS BIGINT), CAST(0 AS BIGINT), COUNT(CASE WHEN failure_type_name = 'hard' THEN 1 END),
    COUNT(CASE WHEN failure_type_name = 'soft' THEN 1 END), CAST(0 AS BIGINT)
  FROM socketlabs_failed
  WHERE dt >= CAST(current_date - INTERVAL '30' DAY AS DATE) AND dt < current_date
  GROUP BY dt, server_id
  UNION ALL
  SELECT dt, server_id, CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), COUNT(*)
  FROM socketlabs_complaints
  WHERE dt >= CAST(current_date - INTERVAL '30' DAY AS DATE) AND dt < current_date
  GROUP BY dt, server_id
  UNION ALL
  SELECT dt, server_id,
    COUNT(CASE WHEN event_type = 'queued' THEN 1 END),
    COUNT(CASE WHEN event_type = 'delivered' THEN 1 END),
    COUNT(CASE WHEN failure_type_name = 'hard' THEN 1 END),
    COUNT(CASE WHEN failure_type_name = 'soft' THEN 1 END),
    COUNT(CASE WHEN event_type = 'complaint' THEN 1 END)
  FROM socketlabs_messages
  WHERE dt >= CAST(current_date - INTERVAL '30' DAY AS DATE) AND dt < current_date
  GROUP BY dt, server_id
),
days AS (
  SELECT dt, server_id, SUM(queued) AS queued, SUM(processed) AS processed, SUM(hard_bounces) AS hard_bounces,
    SUM(soft_bounces) AS soft_bounces, SUM(complaints) AS complaints
  FROM counts
  GROUP BY dt, server_id
)
SELECT
  dt,
  server_id,
  queued,
  processed,
  hard_bounces,
  soft_bounces,
  complaints,
  CAST(hard_bounces + soft_bounces AS DOUBLE) / NULLIF(queued, 0) AS bounce_rate,
  CAST(complaints AS DOUBLE) / NULLIF(processed, 0) AS complaint_rate
FROM days
ORDER BY server_id, dt
