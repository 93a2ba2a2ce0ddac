import type { Clock } from '../core/clock';
import {
  AuthenticationError,
  ConfigError,
  CorruptStateError,
  DeadlineError,
  OutsideHistoryError,
  RereadWindowError,
  TransientApiError,
} from '../core/errors';
import { DAY_MS, splitWindow, type TimeWindow, utcDay, windowId } from '../core/windows';
import type { PartitionValues } from '../lake/layout';
import type { Row, TableDef } from '../lake/table';
import { type LakeTarget, openWindowWriter, type QuarantineEntry, type WindowResult } from '../lake/window-writer';
import {
  type Checkpoint,
  type CheckpointRef,
  coveredByDone,
  emptyCheckpoint,
  loadCheckpoint,
  recordCompleted,
  recordPass,
} from './checkpoints';
import { type Page, type PageRequest, type PagingOutcome, paginate } from './paging';
import { dueWindows } from './reread-schedule';

/** A source record mapped to a table row, or the reason it cannot be. */
export type MapResult = { readonly ok: true; readonly row: Row } | { readonly ok: false; readonly reason: string };

interface DatasetBase {
  /** Which way the data came (e.g. `csv` or `json` pages), for the summary; read when the dataset is done. */
  readonly route?: () => string;
  readonly source: string;
  readonly dataset: string;
  /** What the checkpoints and reports are kept per, e.g. the server id. */
  readonly scope: string;
  readonly table: TableDef;
  readonly partition: (day: string) => PartitionValues;
}

/** A dataset read by event-time windows and offset pages (every SocketLabs report). */
export interface WindowedDataset extends DatasetBase {
  readonly kind: 'windowed';
  readonly mapRecord: (raw: unknown, ingestedAt: number) => MapResult;
  readonly pageSize: number;
  /** How far before the window the source's request starts, so that it works whether the API's bounds are inclusive. */
  readonly requestPadMs: number;
  readonly fetchPage: (window: TimeWindow, req: PageRequest, signal: AbortSignal) => Promise<Page<unknown>>;
  /** This dataset's request rate, when it is not the run's (an endpoint with a stricter limit). */
  readonly requestsPerSecond?: number;
  /** This dataset's window size limit, when it is not the run's (a route with very large pages). */
  readonly maxRowsPerWindow?: number;
}

/** A dataset read whole once per run day (account data); `takenAt` is the API's own time of the snapshot. */
export interface SnapshotDataset extends DatasetBase {
  readonly kind: 'snapshot';
  readonly fetchSnapshot: (
    signal: AbortSignal,
  ) => Promise<{ readonly items: readonly unknown[]; readonly takenAt: number }>;
  readonly mapRecord: (raw: unknown, ingestedAt: number, takenAt: number) => MapResult;
}

export type Dataset = WindowedDataset | SnapshotDataset;

export interface CollectEvent {
  readonly type: 'window-start' | 'page' | 'window-done' | 'window-skipped' | 'window-split' | 'reread';
  readonly dataset: string;
  readonly scope: string;
  readonly window: TimeWindow;
  readonly rows?: number;
  readonly total?: number;
  readonly detail?: string;
}

export interface CollectOptions extends LakeTarget {
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Monotonic ms (clock.monotonic()) by which the run must have stopped starting new work. */
  readonly deadline: number;
  /** Kept free before the deadline for finishing the window in hand and reporting. */
  readonly reserveMs: number;
  /** A window announcing more rows than this is split (by hours), so one window fits a Lambda run. */
  readonly maxRowsPerWindow: number;
  /** How often a window whose total keeps changing is re-read before it is split (at one second: failed). */
  readonly maxRereads: number;
  /** Completed windows collected this long after they closed are final: a backfill skips them. */
  readonly settleMs: number;
  /**
   * A scheduled run's re-read delays (shared/engine/reread-schedule.ts): only the windows due are read. Without it
   * (a backfill) every window asked for is read but the final ones.
   */
  readonly rereadAfterMs?: readonly number[];
  /** The request rate the budget allows, to estimate how long a window takes. */
  readonly requestsPerSecond: number;
  readonly onEvent?: (event: CollectEvent) => void;
  /** Something the operator should know that did not stop the dataset (an unreadable checkpoint). */
  readonly warn?: (message: string) => void;
}

export interface DatasetReport {
  readonly source: string;
  readonly dataset: string;
  readonly scope: string;
  readonly table: string;
  windows: number;
  rows: number;
  quarantined: number;
  /** Records at the padded edge of a request, owned and written by the neighbouring window. */
  boundaryRecords: number;
  skippedFinal: number;
  rereads: number;
  replacedFiles: number;
  /** Rows a total announced that the API did not deliver (empty page early). */
  shortBy: number;
  /** Windows not collected because the deadline came; the next run does them. */
  left: TimeWindow[];
  /**
   * Windows (or the snapshot) that failed: after every retry, or with an error that concerns them alone. Not
   * checkpointed, so the next run retries them; the rest of the run goes on.
   */
  failed: { window: TimeWindow; error: string }[];
  /** Windows the API refused as older than the account's reporting history (plan limit); skipped. */
  outsideHistory: TimeWindow[];
  /** What was passed to `warn` for this dataset, for the summary. */
  warnings: string[];
  route: string | null;
}

function newReport(ds: Dataset): DatasetReport {
  return {
    source: ds.source,
    dataset: ds.dataset,
    scope: ds.scope,
    table: ds.table.name,
    windows: 0,
    rows: 0,
    quarantined: 0,
    boundaryRecords: 0,
    skippedFinal: 0,
    rereads: 0,
    replacedFiles: 0,
    shortBy: 0,
    left: [],
    failed: [],
    outsideHistory: [],
    warnings: [],
    route: null,
  };
}

/**
 * Collects a dataset over the given day windows (windowed) or for the run day (snapshot). A failure is confined to
 * the window or snapshot it happened in and reported in `failed`; only errors that concern the whole run
 * (credentials refused, bad configuration) are thrown, since every other dataset would fail the same way.
 */
export async function collectDataset(
  ds: Dataset,
  days: readonly TimeWindow[],
  opts: CollectOptions,
): Promise<DatasetReport> {
  const report = newReport(ds);
  try {
    if (ds.kind === 'windowed') await collectWindowed(ds, days, opts, report);
    else await collectSnapshot(ds, opts, report);
  } catch (error) {
    if (concernsTheRun(error)) throw error;
    // Outside any one window (reading the checkpoint, say): the dataset's whole range failed for this run.
    const span = { start: days[0]?.start ?? 0, end: days.at(-1)?.end ?? 0 };
    report.failed.push({ window: span, error: describeError(error) });
  }
  report.route = ds.route?.() ?? null;
  return report;
}

/** Errors no other window or dataset of the run could escape: they stop the run. */
const concernsTheRun = (error: unknown) => error instanceof AuthenticationError || error instanceof ConfigError;

const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function collectWindowed(
  ds: WindowedDataset,
  days: readonly TimeWindow[],
  opts: CollectOptions,
  report: DatasetReport,
): Promise<void> {
  const ref: CheckpointRef = { store: opts.store, source: ds.source, scope: ds.scope, dataset: ds.dataset };
  let checkpoint: Checkpoint = emptyCheckpoint;
  try {
    checkpoint = await loadCheckpoint(ref);
  } catch (error) {
    // Windows are idempotent (their files are replaced, not added to), so an unreadable checkpoint costs only API
    // calls: read as empty, it makes this dataset collect its windows again and is written afresh as they complete.
    if (!(error instanceof CorruptStateError)) throw error;
    warn(opts, report, `${error.message}; collecting ${ds.dataset} for server ${ds.scope} as if none were done`);
    // Without the record of what was read, windows of the planned shape are safe to publish (each contains what
    // the lake may hold), the schedule's hours are not.
    return collectQueue(ds, [...days], opts, report, ref, checkpoint);
  }
  if (!opts.rereadAfterMs) return collectQueue(ds, [...days], opts, report, ref, checkpoint);
  const plan = dueWindows(days, checkpoint, opts.clock.now(), opts.rereadAfterMs);
  for (const window of plan.notDue) {
    report.skippedFinal++;
    opts.onEvent?.({ type: 'window-skipped', dataset: ds.dataset, scope: ds.scope, window });
  }
  return collectQueue(ds, plan.due, opts, report, ref, checkpoint);
}

/**
 * Reads the queued windows in order, skipping what is final or was done by the pass this run continues (a day split
 * across invocations: its parts done are not read again, though the day is still due), and records the pass.
 */
async function collectQueue(
  ds: WindowedDataset,
  queue: TimeWindow[],
  opts: CollectOptions,
  report: DatasetReport,
  ref: CheckpointRef,
  loaded: Checkpoint,
): Promise<void> {
  let checkpoint = loaded;
  // This run continues the unfinished pass, if there is one, or begins a new one.
  const passStartedAt = checkpoint.passStartedAt ?? opts.clock.now();
  while (queue.length > 0) {
    const window = queue.shift()!;
    if (coveredByDone(window, checkpoint, opts.settleMs)) {
      report.skippedFinal++;
      opts.onEvent?.({ type: 'window-skipped', dataset: ds.dataset, scope: ds.scope, window });
      continue;
    }
    if (remainingMs(opts) <= 0) {
      report.left.push(window, ...queue);
      break;
    }
    try {
      const outcome = await collectWindow(ds, window, opts, report);
      if ('split' in outcome) {
        queue.unshift(...outcome.split);
        continue;
      }
      checkpoint = await recordCompleted(ref, checkpoint, {
        ...window,
        rows: outcome.rows,
        completedAt: opts.clock.now(),
      });
      report.windows++;
      report.rows += outcome.rows;
      report.quarantined += outcome.quarantined;
      report.replacedFiles += outcome.replaced;
    } catch (error) {
      if (error instanceof DeadlineError) {
        report.left.push(window, ...queue);
        break;
      }
      if (error instanceof OutsideHistoryError) {
        report.outsideHistory.push(window);
        continue;
      }
      // A window the API keeps failing on (or refuses, or cannot be written) must not cost the rest of the run.
      if (concernsTheRun(error)) throw error;
      report.failed.push({ window, error: describeError(error) });
    }
  }
  await recordPass(ref, checkpoint, report.left.length > 0 ? passStartedAt : null);
}

type WindowOutcome = WindowResult | { readonly split: TimeWindow[] };

async function collectWindow(
  ds: WindowedDataset,
  window: TimeWindow,
  opts: CollectOptions,
  report: DatasetReport,
): Promise<WindowOutcome> {
  const fetchPage = (req: PageRequest) => ds.fetchPage(window, req, opts.signal);
  for (let attempt = 0; attempt <= opts.maxRereads; attempt++) {
    opts.onEvent?.({ type: 'window-start', dataset: ds.dataset, scope: ds.scope, window });
    const first = await fetchPage({ offset: 0, size: ds.pageSize, pageNumber: 0 });
    const affordable = affordableRows(ds, opts);
    const limit = Math.min(ds.maxRowsPerWindow ?? opts.maxRowsPerWindow, affordable);
    if (first.total > affordable && affordable < MIN_SPLIT_PAGES * ds.pageSize) {
      // Nearly out of time: splitting now would spend the rest on probes of parts this run cannot page anyway.
      await first.stream?.cancel();
      throw new DeadlineError(`not enough time left for ${first.total} rows of ${ds.dataset} ${windowId(window)}`);
    }
    if (first.total > limit) {
      const parts = splitWindow(window, Math.ceil(first.total / limit) || 2);
      if (parts.length > 1 || first.total > affordable) await first.stream?.cancel();
      if (parts.length > 1) {
        opts.onEvent?.({ type: 'window-split', dataset: ds.dataset, scope: ds.scope, window, total: first.total });
        return { split: parts };
      }
      if (first.total > affordable) {
        throw new DeadlineError(`not enough time left for ${first.total} rows of ${ds.dataset} ${windowId(window)}`);
      }
    }
    const writer = await openWindowWriter({
      store: opts.store,
      table: ds.table,
      partition: ds.partition(utcDay(window.start)),
      window,
      formats: opts.formats,
      writers: opts.writers,
      tmpDir: opts.tmpDir,
      now: () => opts.clock.now(),
    });
    const paging: PagingOutcome = { shortBy: 0 };
    let seen = 0;
    try {
      const pages = paginate(
        { pageSize: ds.pageSize, maxPages: maxPagesFor(first.total, ds), fetchPage, firstPage: first },
        paging,
      );
      for await (const page of pages) {
        for await (const items of page.stream ? page.stream.batches : [page.items]) {
          const { rows, quarantine, boundary } = placeRecords(ds, window, items, opts.clock.now());
          await writer.quarantine(quarantine);
          await writer.append(rows);
          report.boundaryRecords += boundary;
          seen += items.length;
          opts.onEvent?.({ type: 'page', dataset: ds.dataset, scope: ds.scope, window, rows: seen, total: page.total });
        }
      }
      const result = await writer.commit();
      report.shortBy += paging.shortBy;
      opts.onEvent?.({ type: 'window-done', dataset: ds.dataset, scope: ds.scope, window, rows: result.rows });
      return result;
    } catch (error) {
      await writer.abort();
      if (!(error instanceof RereadWindowError)) throw error;
      report.rereads++;
      opts.onEvent?.({ type: 'reread', dataset: ds.dataset, scope: ds.scope, window, detail: error.message });
    }
  }
  // Records kept arriving under every read: smaller windows take fewer pages, so each read is likelier to see none.
  const halves = splitWindow(window, 2);
  if (halves.length > 1) {
    opts.onEvent?.({ type: 'window-split', dataset: ds.dataset, scope: ds.scope, window, detail: 'kept changing' });
    return { split: halves };
  }
  throw new TransientApiError(
    `${ds.dataset} ${windowId(window)}: the result kept changing over ${opts.maxRereads + 1} reads; will retry next run`,
  );
}

/** Maps a page's records: rows inside the window, boundary records skipped (counted), the rest quarantined. */
function placeRecords(ds: WindowedDataset, window: TimeWindow, items: readonly unknown[], ingestedAt: number) {
  const rows: Row[] = [];
  const quarantine: QuarantineEntry[] = [];
  let boundary = 0;
  for (const raw of items) {
    const mapped = ds.mapRecord(raw, ingestedAt);
    if (!mapped.ok) {
      quarantine.push({ reason: mapped.reason, raw });
      continue;
    }
    const t = mapped.row[ds.table.timeColumn] as number;
    if (t >= window.start && t < window.end) rows.push(mapped.row);
    else if (t >= window.start - ds.requestPadMs && t <= window.end + ds.requestPadMs) boundary++;
    else {
      const at = new Date(t).toISOString();
      quarantine.push({ reason: `event time ${at} is outside the requested window ${windowId(window)}`, raw });
    }
  }
  return { rows, quarantine, boundary };
}

async function collectSnapshot(ds: SnapshotDataset, opts: CollectOptions, report: DatasetReport): Promise<void> {
  const now = opts.clock.now();
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const window = { start: dayStart, end: dayStart + DAY_MS };
  if (remainingMs(opts) <= 0) {
    report.left.push(window);
    return;
  }
  try {
    await readSnapshot(ds, opts, report, window, now);
  } catch (error) {
    if (error instanceof DeadlineError) report.left.push(window);
    else if (concernsTheRun(error)) throw error;
    else report.failed.push({ window, error: describeError(error) });
  }
}

async function readSnapshot(
  ds: SnapshotDataset,
  opts: CollectOptions,
  report: DatasetReport,
  window: TimeWindow,
  now: number,
): Promise<void> {
  const dayStart = window.start;
  for (let attempt = 0; ; attempt++) {
    opts.onEvent?.({ type: 'window-start', dataset: ds.dataset, scope: ds.scope, window });
    let snapshot: Awaited<ReturnType<SnapshotDataset['fetchSnapshot']>>;
    try {
      snapshot = await ds.fetchSnapshot(opts.signal);
    } catch (error) {
      // A snapshot read across several pages can be cut or shift like a window; read it again, boundedly.
      if (!(error instanceof RereadWindowError) || attempt >= opts.maxRereads) throw error;
      report.rereads++;
      opts.onEvent?.({ type: 'reread', dataset: ds.dataset, scope: ds.scope, window, detail: error.message });
      continue;
    }
    const writer = await openWindowWriter({
      store: opts.store,
      table: ds.table,
      partition: ds.partition(utcDay(dayStart)),
      window,
      formats: opts.formats,
      writers: opts.writers,
      tmpDir: opts.tmpDir,
      now: () => opts.clock.now(),
    });
    try {
      const rows: Row[] = [];
      const quarantine: QuarantineEntry[] = [];
      for (const raw of snapshot.items) {
        const mapped = ds.mapRecord(raw, now, snapshot.takenAt);
        if (mapped.ok) rows.push(mapped.row);
        else quarantine.push({ reason: mapped.reason, raw });
      }
      await writer.append(rows);
      await writer.quarantine(quarantine);
      const result = await writer.commit();
      report.windows = 1;
      report.rows = result.rows;
      report.quarantined = result.quarantined;
      report.replacedFiles = result.replaced;
      opts.onEvent?.({ type: 'window-done', dataset: ds.dataset, scope: ds.scope, window, rows: result.rows });
      return;
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }
}

function warn(opts: CollectOptions, report: DatasetReport, message: string): void {
  report.warnings.push(message);
  opts.warn?.(message);
}

function remainingMs(opts: CollectOptions): number {
  return opts.deadline - opts.reserveMs - opts.clock.monotonic();
}

/** Below this many pages' worth of time, a window too big for the time left is left to the next run unsplit. */
const MIN_SPLIT_PAGES = 4;

/** Rows that can still be paged before the deadline at the allowed rate, with a 20 % margin for slow answers. */
function affordableRows(ds: WindowedDataset, opts: CollectOptions): number {
  const seconds = remainingMs(opts) / 1000;
  return Math.max(0, Math.floor(seconds * (ds.requestsPerSecond ?? opts.requestsPerSecond) * 0.8) * ds.pageSize);
}

/** The page bound for a result set: what the total needs, plus slack for rows arriving while paging. */
function maxPagesFor(total: number, ds: WindowedDataset): number {
  return Math.ceil(total / ds.pageSize) + 10;
}
