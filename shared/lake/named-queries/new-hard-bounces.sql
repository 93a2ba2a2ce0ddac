-- name: new-hard-bounces
-- description: Addresses that hard-bounced yesterday (UTC) and not in the 30 days before, per SocketLabs server, with the first bounce's failure code and reason: the list to suppress.
--
-- Hard bounces are rows with failure_type_name = 'hard' in socketlabs_failed (v1) and socketlabs_messages (v2).
-- Addresses are compared lower-cased, per server (suppression lists are per server); the address shown is the
-- first bounce's, as sent. Rows without an address are left out, as in the digest's hard-bounce list. "Yesterday"
-- and "the 30 days before" are UTC partition dates (dt): yesterday is current_date - 1, the days before are
-- current_date - 31 up to current_date - 2. hard_bounces is how often the address hard-bounced yesterday.
--
-- Trino (Athena engine 3) and DuckDB both: bounds are CAST to DATE (DuckDB makes date - INTERVAL a TIMESTAMP); the
-- anti-join is a LEFT JOIN on a DISTINCT set rather than a correlated NOT EXISTS, which both plan as a hash join;
-- the ROW_NUMBER order ends on every selected column so the "first" bounce is the same in both engines.
WITH hard AS (
  SELECT dt, server_id, to_address, lower(to_address) AS address_key, event_time, failure_code, reason
  FROM socketlabs_failed
  WHERE dt >= CAST(current_date - INTERVAL '31' DAY AS DATE) AND dt < current_date
    AND failure_type_name = 'hard' AND to_address IS NOT NULL AND to_address <> ''
  UNION ALL
  SELECT dt, server_id, to_address, lower(to_address) AS address_key, event_time, failure_code, reason
  FROM socketlabs_messages
  WHERE dt >= CAST(current_date - INTERVAL '31' DAY AS DATE) AND dt < current_date
    AND failure_type_name = 'hard' AND to_address IS NOT NULL AND to_address <> ''
),
yesterday AS (
  SELECT
    server_id,
    address_key,
    to_address,
    event_time,
    failure_code,
    reason,
    ROW_NUMBER() OVER (
      PARTITION BY server_id, address_key
      ORDER BY event_time, failure_code NULLS LAST, reason NULLS LAST, to_address
    ) AS n,
    COUNT(*) OVER (PARTITION BY server_id, address_key) AS hard_bounces
  FROM hard
  WHERE dt = CAST(current_date - INTERVAL '1' DAY AS DATE)
),
earlier AS (
  SELECT DISTINCT server_id, address_key
  FROM hard
  WHERE dt < CAST(current_date - INTERVAL '1' DAY AS DATE)
)
SELECT
  y.server_id,
  y.to_address,
  y.failure_code,
  y.reason,
  y.event_time AS first_bounced_at,
  y.hard_bounces
FROM yesterday y
LEFT JOIN earlier b ON b.server_id = y.server_id AND b.address_key = y.address_key
WHERE y.n = 1 AND b.address_key IS NULL
ORDER BY y.server_id, y.address_key
