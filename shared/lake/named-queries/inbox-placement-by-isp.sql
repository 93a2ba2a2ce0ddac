-- name: inbox-placement-by-isp
-- description: SendSage inbox placement per ISP over the 30 complete UTC days before today: finished tests, seeds, and inbox, bulk and missing percentages weighted by seeds.
--
-- From sendsage_isp_results (one row per test and ISP), joined to sendsage_campaigns to keep finished tests only: a
-- test still running reports its not-yet-collected seeds as missing, which would drag the figures down. Percentages
-- (0-100, one decimal, as SendSage rounds) are seed-weighted: the ISP's inbox seeds over all its seeds, not the mean
-- of the per-test percentages, so a large test weighs more than a small one. seeds is the number of seed copies
-- sent (count_total summed over tests); an ISP row without seeds is left out. Days are the UTC partition dates
-- (dt), the tests' send days. Worst inbox placement first.
--
-- Trino (Athena engine 3) and DuckDB both: bounds are CAST to DATE (DuckDB makes date - INTERVAL a TIMESTAMP); the
-- join also matches dt, which is free (a test and its ISP rows share the send day) and lets Athena prune both
-- tables' partitions; CAST(... AS DOUBLE) because Trino divides integers as integers; round(x, 1) rounds half away
-- from zero in both. The counts are read through TRY_CAST(... AS BIGINT): a CSV deployment declares every column
-- string (its SerDe cannot type them) and writes a missing count as an empty field, and Trino neither sums nor
-- compares a varchar as a number; on Parquet the cast is a no-op. So the one file runs on either format.
WITH finished AS (
  SELECT DISTINCT dt, campaign_id
  FROM sendsage_campaigns
  WHERE dt >= CAST(current_date - INTERVAL '30' DAY AS DATE) AND dt < current_date AND status = 'done'
),
isp AS (
  SELECT
    i.isp_name,
    i.category,
    i.campaign_id,
    TRY_CAST(i.count_inbox AS BIGINT) AS count_inbox,
    TRY_CAST(i.count_bulk AS BIGINT) AS count_bulk,
    TRY_CAST(i.count_missing AS BIGINT) AS count_missing,
    TRY_CAST(i.count_total AS BIGINT) AS count_total
  FROM sendsage_isp_results i
  JOIN finished f ON f.dt = i.dt AND f.campaign_id = i.campaign_id
  WHERE i.dt >= CAST(current_date - INTERVAL '30' DAY AS DATE) AND i.dt < current_date
    AND TRY_CAST(i.count_total AS BIGINT) > 0
)
SELECT
  isp_name,
  max(category) AS category,
  COUNT(DISTINCT campaign_id) AS campaigns,
  SUM(count_total) AS seeds,
  round(100 * CAST(SUM(count_inbox) AS DOUBLE) / SUM(count_total), 1) AS pct_inbox,
  round(100 * CAST(SUM(count_bulk) AS DOUBLE) / SUM(count_total), 1) AS pct_bulk,
  round(100 * CAST(SUM(count_missing) AS DOUBLE) / SUM(count_total), 1) AS pct_missing
FROM isp
GROUP BY isp_name
ORDER BY pct_inbox ASC, isp_name ASC NULLS LAST
