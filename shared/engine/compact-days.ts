import { DAY_MS, overlaps, type TimeWindow, utcDay } from '../core/windows';
import type { ObjectStore } from '../lake/object-store';
import { compactRollupPartition } from '../lake/rollup-compaction';
import type { Dataset, DatasetReport } from './collect';

/**
 * Days before the run's first planned day that are also compacted: a scheduled run plans only the days its re-read
 * schedule reaches, so the day that just left them is the one to compact, plus one more in case every run of the day
 * before failed to.
 * Each costs one LIST per dataset when there is nothing left to do, so the look-back stays short; older days a
 * backfill re-collected are compacted by that backfill itself (they are in its plan).
 */
export const COMPACTION_CATCH_UP_DAYS = 2;

/**
 * The UTC days whose rollups may be compacted after a run: planned (or just before the plan) and final — ended at
 * least `settleMs` ago, so no scheduled run re-reads them — and with no window this run left or failed, which a
 * later run would still write.
 */
export function compactableDays(
  planned: readonly TimeWindow[],
  report: Pick<DatasetReport, 'left' | 'failed'>,
  settleMs: number,
  now: number,
): string[] {
  const first = planned[0];
  if (!first) return [];
  const from = Math.floor(first.start / DAY_MS) * DAY_MS - COMPACTION_CATCH_UP_DAYS * DAY_MS;
  const until = planned.at(-1)!.end;
  const pending = [...report.left, ...report.failed.map((f) => f.window)];
  const days: string[] = [];
  for (let start = from; start < until; start += DAY_MS) {
    const day = { start, end: start + DAY_MS };
    if (day.end + settleMs > now) break;
    if (pending.some((w) => overlaps(w, day))) continue;
    days.push(utcDay(start));
  }
  return days;
}

export interface CompactionReport {
  readonly folded: number;
  readonly deleted: number;
  readonly warnings: string[];
}

/**
 * Compacts the final days' rollups of a dataset's partitions. Call it while the run holds the dataset's lease; it
 * stops between partitions when the lease is lost. A failure is a warning: the rollups stay as they were, readable,
 * and the next run tries again.
 */
export async function compactDatasetDays(
  ds: Pick<Dataset, 'table' | 'partition' | 'dataset' | 'scope'>,
  days: readonly string[],
  store: ObjectStore,
  signal: AbortSignal,
): Promise<CompactionReport> {
  const out = { folded: 0, deleted: 0, warnings: [] as string[] };
  if (ds.table.rollups.length === 0) return out;
  for (const day of days) {
    if (signal.aborted) break;
    try {
      const result = await compactRollupPartition(store, ds.table, ds.partition(day));
      out.folded += result.folded;
      out.deleted += result.deleted;
      for (const reason of result.skipped) out.warnings.push(`rollups of ${day} not compacted: ${reason}`);
    } catch (error) {
      out.warnings.push(
        `compacting the rollups of ${ds.dataset} (server ${ds.scope}) for ${day}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return out;
}
