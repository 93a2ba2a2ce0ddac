import { createHash } from 'node:crypto';
import { monotonicDeadline } from '../core/clock';
import { ConfigError } from '../core/errors';
import { createRedactor } from '../core/redact';
import { DAY_MS, utcDay } from '../core/windows';
import { type CallCounters, createApiCaller, newCallCounters } from '../engine/api-caller';
import { type CollectEvent, collectDataset, type DatasetReport } from '../engine/collect';
import { collectItems, type ItemReport } from '../engine/collect-items';
import { compactableDays, compactDatasetDays } from '../engine/compact-days';
import { planDays } from '../engine/plan';
import type { RateBudget } from '../engine/rate-budget';
import { finalAfterMs } from '../engine/reread-schedule';
import { defaultRetryPolicy } from '../engine/retry';
import { dtOutsideProjectionWarning } from '../lake/projection';
import type {
  ItemCollection,
  ItemRequest,
  OpenContext,
  SourceDescriptor,
  WindowedCollection,
  WindowedRequest,
} from '../sources/descriptor';
import type { CollectorDeps } from './lake';
import { collectLeased } from './leases';
import { withRunScratch } from './scratch';

/**
 * Collecting a source into the lake: the one use case behind `inboxlake collect <source>`, `inboxlake start` and
 * the collector function, whatever the source. The source's descriptor builds its client and datasets; this runs
 * them the way its kind asks (windowed: day windows over a date range; items: list, then fetch each).
 */

export interface CollectDeps extends CollectorDeps {
  /** Windowed collections: each window's progress. */
  readonly onEvent?: (event: CollectEvent) => void;
  /** Item collections: each item collected. */
  readonly onItem?: (dataset: string, key: string, rows: number) => void;
}

/** What a windowed collection did. */
export interface CollectSummary {
  readonly kind: 'windowed';
  readonly source: string;
  readonly from: string;
  readonly to: string;
  /** Where the collected windows end (ISO): midnight after `to`, or today's last closed hour. */
  readonly until: string;
  readonly datasets: readonly DatasetReport[];
  readonly counters: CallCounters;
  readonly elapsedMs: number;
  readonly warnings: readonly string[];
  /** Windows the deadline left for the next run. */
  readonly windowsLeft: number;
  /** Windows that failed after every retry (the run should report failure; the next run retries them). */
  readonly windowsFailed: number;
}

/** What an item collection did. */
export interface ItemSummary {
  readonly kind: 'items';
  readonly source: string;
  readonly days: number;
  readonly datasets: readonly ItemReport[];
  readonly counters: CallCounters;
  readonly elapsedMs: number;
  readonly itemsFailed: number;
  readonly itemsLeft: number;
}

export type SourceSummary = CollectSummary | ItemSummary;

/** Collects a source for a request (a date range, or days of items) into the lake. */
export function collectSource(
  source: SourceDescriptor,
  config: unknown,
  request: WindowedRequest | ItemRequest,
  deps: CollectDeps,
): Promise<SourceSummary> {
  // The run's own scratch folder (window files, CSV spools), removed when the run ends however it ends.
  return withRunScratch<SourceSummary>(deps.tmpDir, (scratch) => {
    const run = { ...deps, tmpDir: scratch };
    return source.collection.kind === 'windowed'
      ? collectWindowed(source, source.collection, config, request as WindowedRequest, run)
      : collectAllItems(source, source.collection, config, request as ItemRequest, run);
  });
}

/** What both collection loops take from a run: its lake, scratch, clock, lease signal, deadline and warnings. */
function loopOptions(deps: CollectDeps, signal: AbortSignal, deadline: number) {
  return {
    store: deps.store,
    formats: deps.formats,
    writers: deps.writers,
    tmpDir: deps.tmpDir,
    clock: deps.clock,
    signal,
    deadline,
    reserveMs: deps.reserveMs ?? 0,
    warn: (message: string) => deps.log.warn(message),
  };
}

/** The caller, budgets and clock a source builds its client from; budgets are shared per credential. */
function openContext(source: SourceDescriptor, config: unknown, deps: CollectDeps, counters: CallCounters) {
  const secrets = source.command.secretsOf(config);
  const redact = createRedactor([...secrets]);
  const deadline = monotonicDeadline(deps.clock, deps.deadline);
  const key = keyTag(secrets.join('\u0000'));
  const ctx: OpenContext = {
    caller: (budget: RateBudget) =>
      createApiCaller({
        fetch: deps.fetch,
        budget,
        retry: deps.retry ?? defaultRetryPolicy,
        clock: deps.clock,
        redact,
        timeoutMs: source.command.timeoutMs(config),
        deadline,
        counters,
        onRetry: (message, attempt, delayMs) => deps.log.warn(redact(`retry ${attempt} in ${delayMs} ms: ${message}`)),
      }),
    // One budget per key and name, shared by every collector in this process.
    budget: (name, perSecond) =>
      deps.budgets.budgetFor(`${source.command.name}:${key}:${name}`, { perSecond, clock: deps.clock }),
    clock: deps.clock,
    tmpDir: deps.tmpDir,
  };
  return { ctx, deadline };
}

async function collectWindowed(
  source: SourceDescriptor,
  collection: WindowedCollection<unknown>,
  config: unknown,
  request: WindowedRequest,
  deps: CollectDeps,
): Promise<CollectSummary> {
  const started = deps.clock.now();
  // Durations on the monotonic clock: a wall-clock step mid-run must not make the summary's time negative or huge.
  const startedMono = deps.clock.monotonic();
  const plan = planDays({ from: request.from, to: request.to, now: started, retentionDays: collection.retentionDays });
  for (const w of plan.warnings) deps.log.warn(w);
  const outside =
    deps.dtProjectionStart && plan.windows.length
      ? dtOutsideProjectionWarning(plan.from, plan.to, deps.dtProjectionStart, started)
      : null;
  if (outside) deps.log.warn(outside);

  const counters = newCallCounters();
  const { ctx, deadline } = openContext(source, config, deps, counters);
  const names = selectDatasets(request.datasets, collection.datasetNames);
  const opened = collection.open(config, { datasets: names, serverIds: request.serverIds }, ctx);
  const { datasets } = opened;

  const settleMs = finalAfterMs(opened.reread);
  const rereadAfterMs = request.scheduled && opened.reread.kind === 'schedule' ? opened.reread.delaysMs : undefined;
  // Held for the whole run: a second run on the same lake would otherwise publish and checkpoint the same windows.
  const reports = await collectLeased(datasets, deps, async (signal) => {
    const reports: DatasetReport[] = [];
    for (const ds of datasets) {
      reports.push(
        await collectDataset(ds, plan.windows, {
          ...loopOptions(deps, signal, deadline),
          maxRowsPerWindow: opened.maxRowsPerWindow,
          maxRereads: 3,
          settleMs,
          rereadAfterMs,
          requestsPerSecond: opened.requestsPerSecond,
          onEvent: deps.onEvent,
        }),
      );
    }
    // Still under the leases, so no window of these partitions is published while their rollups are compacted.
    // A snapshot writes one rollup document per day under one key, so it has nothing to compact.
    for (const [i, ds] of datasets.entries()) {
      if (ds.kind !== 'windowed') continue;
      const days = compactableDays(plan.windows, reports[i]!, settleMs, deps.clock.now());
      const compaction = await compactDatasetDays(ds, days, deps.store, signal);
      for (const w of compaction.warnings) deps.log.warn(w);
    }
    return reports;
  });
  return {
    kind: 'windowed',
    source: source.name,
    from: plan.from,
    to: plan.to,
    until: new Date(plan.until).toISOString(),
    datasets: reports,
    counters,
    elapsedMs: deps.clock.monotonic() - startedMono,
    warnings: plan.warnings,
    windowsLeft: reports.reduce((n, r) => n + r.left.length, 0),
    windowsFailed: reports.reduce((n, r) => n + r.failed.length, 0),
  };
}

async function collectAllItems(
  source: SourceDescriptor,
  collection: ItemCollection<unknown>,
  config: unknown,
  request: ItemRequest,
  deps: CollectDeps,
): Promise<ItemSummary> {
  const started = deps.clock.now();
  // Durations on the monotonic clock: a wall-clock step mid-run must not make the summary's time negative or huge.
  const startedMono = deps.clock.monotonic();
  const counters = newCallCounters();
  const { ctx, deadline } = openContext(source, config, deps, counters);
  if (deps.dtProjectionStart) {
    // Items are partitioned by their day; the list calls reach back `days` days from today.
    const today = Math.floor(started / DAY_MS) * DAY_MS;
    const from = utcDay(today - request.days * DAY_MS);
    const outside = dtOutsideProjectionWarning(from, utcDay(today), deps.dtProjectionStart, started);
    if (outside) deps.log.warn(outside);
  }
  const { datasets, concurrency } = collection.open(config, request, ctx);
  // Held for the whole run: a second run would otherwise write and record the same items at the same time.
  const reports = await collectLeased(datasets, deps, async (signal) => {
    const reports: ItemReport[] = [];
    for (const ds of datasets) {
      reports.push(
        await collectItems(ds, {
          ...loopOptions(deps, signal, deadline),
          concurrency,
          onItem: deps.onItem,
        }),
      );
    }
    return reports;
  });
  return {
    kind: 'items',
    source: source.name,
    days: request.days,
    datasets: reports,
    counters,
    elapsedMs: deps.clock.monotonic() - startedMono,
    itemsFailed: reports.reduce((n, r) => n + r.failed.length, 0),
    itemsLeft: reports.reduce((n, r) => n + r.left, 0),
  };
}

/** What failed after every retry (windows or items): a run with any fails, and the next run retries them. */
export const failuresOf = (s: SourceSummary): number => (s.kind === 'windowed' ? s.windowsFailed : s.itemsFailed);

/** The error a collector function fails with when something failed after every retry (retries, DLQ, alarms). */
export const failureMessage = (s: SourceSummary): string =>
  `${failuresOf(s)} ${s.kind === 'windowed' ? 'windows' : 'items'} failed: ${JSON.stringify(reportOf(s))}`;

/** Rows that landed in the lake. */
export const rowsOf = (s: SourceSummary): number => s.datasets.reduce((n, d) => n + d.rows, 0);

/**
 * The report a collector function returns (and logs). `more` asks its state machine to invoke it again with the
 * same event: windows or items the deadline left. Items still running at the API (`pending`) do not count: the next
 * scheduled run fetches them, and looping on them would only poll the API until they finish.
 */
export function reportOf(s: SourceSummary): Record<string, unknown> & { more: boolean } {
  if (s.kind === 'windowed') {
    return {
      source: s.source,
      from: s.from,
      to: s.to,
      until: s.until,
      rows: rowsOf(s),
      quarantined: s.datasets.reduce((n, d) => n + d.quarantined, 0),
      apiCalls: s.counters.apiCalls,
      retries: s.counters.retries,
      windowsLeft: s.windowsLeft,
      windowsFailed: s.windowsFailed,
      more: s.windowsLeft > 0,
      elapsedMs: s.elapsedMs,
    };
  }
  return {
    source: s.source,
    days: s.days,
    rows: rowsOf(s),
    items: Object.fromEntries(
      s.datasets.map((d) => [d.dataset, { collected: d.collected, pending: d.pending, rows: d.rows }]),
    ),
    apiCalls: s.counters.apiCalls,
    itemsFailed: s.itemsFailed,
    itemsLeft: s.itemsLeft,
    more: s.itemsLeft > 0,
    elapsedMs: s.elapsedMs,
  };
}

/** The requested dataset names, checked against a source's list (all of them when none are requested). */
function selectDatasets(requested: readonly string[] | undefined, known: readonly string[]): string[] {
  if (!requested?.length) return [...known];
  const unknown = requested.filter((d) => !known.includes(d));
  if (unknown.length) throw new ConfigError(`unknown dataset(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return [...requested];
}

/** A non-reversible tag of a key, so budgets are shared per key without the key itself as a map key. */
function keyTag(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}
