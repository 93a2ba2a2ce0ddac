import type { ObjectStore } from '../lake/object-store';
import { byRank, closedUntil, detectAlerts, detectionSpan } from './detect';
import type { AlertsReport } from './model';
import { detectPlacementAlerts, readFinishedTests } from './placement';
import { type AlertTables, readAlertCounts } from './reader';
import type { AlertThresholds } from './thresholds';

/** What the rollups show at an instant, before the lifecycle: every detected alert has state 'open'. */
export type Detection = Omit<AlertsReport, 'lifecycle'>;

/**
 * The intraday alerts detected at `at`, read from the lake's rollups and the placement tests that finished in the
 * longest window (shared/app/alerts.ts adds the lifecycle).
 */
export async function evaluateAlerts(
  store: ObjectStore,
  opts: { readonly at: number; readonly tables: AlertTables; readonly thresholds: AlertThresholds },
): Promise<Detection> {
  const { start, end } = detectionSpan(opts.at, opts.thresholds);
  const counts = await readAlertCounts(store, opts.tables, start, end);
  const traffic = detectAlerts({
    at: opts.at,
    servers: counts.servers,
    failures: counts.failures,
    thresholds: opts.thresholds,
    describeFailureCode: opts.tables.describeFailureCode,
  });
  const unreadable = [...counts.unreadable];
  const tests = opts.tables.placement
    ? await readFinishedTests(
        store,
        opts.tables.placement,
        {
          at: opts.at,
          windowMs: Math.max(...opts.thresholds.windowsMinutes) * 60_000,
          maxRunMs: opts.thresholds.placementMaxRunHours * 3_600_000,
        },
        unreadable,
      )
    : [];
  const alerts = [...traffic, ...detectPlacementAlerts(tests, opts.thresholds)].sort(byRank);
  return {
    schema_version: 1,
    evaluated_at: new Date(opts.at).toISOString(),
    closed_until: new Date(closedUntil(opts.at)).toISOString(),
    windows_minutes: [...opts.thresholds.windowsMinutes].sort((a, b) => a - b),
    baseline_days: opts.thresholds.baselineDays,
    alerts,
    unreadable_files: unreadable.sort((a, b) => a.key.localeCompare(b.key)),
  };
}
