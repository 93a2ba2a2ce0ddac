-- name: top-bouncing-domains
-- description: The 10 recipient domains with the most hard and soft bounces per SocketLabs server over the 7 complete UTC days before today, with each domain's share of the server's bounces.
--
-- Bounces are rows whose failure_type_name is hard or soft, in socketlabs_failed (v1) and socketlabs_messages (v2),
-- as the digest counts them; suppressed failures are not bounces. share is a fraction (0-1) of the server's hard and
-- soft bounces over the whole window, all domains included, not only the 10 listed. Ties rank by domain name; a
-- bounce whose recipient had no domain counts under a NULL domain, ranked like any other.
--
-- Trino (Athena engine 3) and DuckDB both: the window bounds are CAST to DATE (DuckDB makes date - INTERVAL a
-- TIMESTAMP); NULLS LAST is spelt out because the engines' defaults have differed across versions.
WITH bounces AS (
  SELECT server_id, recipient_domain, failure_type_name
  FROM socketlabs_failed
  WHERE dt >= CAST(current_date - INTERVAL '7' DAY AS DATE) AND dt < current_date
    AND failure_type_name IN ('hard', 'soft')
  UNION ALL
  SELECT server_id, recipient_domain, failure_type_name
  FROM socketlabs_messages
  WHERE dt >= CAST(current_date - INTERVAL '7' DAY AS DATE) AND dt < current_date
    AND failure_type_name IN ('hard', 'soft')
),
by_domain AS (
  SELECT
    server_id,
    recipient_domain,
    COUNT(CASE WHEN failure_type_name = 'hard' THEN 1 END) AS hard,
    COUNT(CASE WHEN failure_type_name = 'soft' THEN 1 END) AS soft,
    COUNT(*) AS total
  FROM bounces
  GROUP BY server_id, recipient_domain
),
ranked AS (
  SELECT
    server_id,
    recipient_domain,
    hard,
    soft,
    total,
    SUM(total) OVER (PARTITION BY server_id) AS server_total,
    ROW_NUMBER() OVER (PARTITION BY server_id ORDER BY total DESC, recipient_domain ASC NULLS LAST) AS domain_rank
  FROM by_domain
)
SELECT
  server_id,
  domain_rank,
  recipient_domain,
  hard,
  soft,
  total,
  CAST(total AS DOUBLE) / server_total AS share
FROM ranked
WHERE domain_rank <= 10
ORDER BY server_id, domain_rank
