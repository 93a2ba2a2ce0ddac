import * as z from 'zod';
import type { Clock } from '../core/clock';
import { AuthenticationError, DeadlineError, InboxlakeError } from '../core/errors';
import { DAY_MS } from '../core/windows';
import { itemStateKey, itemStem, type PartitionValues } from '../lake/layout';
import type { Row, TableDef } from '../lake/table';
import { type LakeTarget, openWindowWriter, type QuarantineEntry } from '../lake/window-writer';
import { parseStateDocument } from './checkpoints';

/**
 * List-then-detail collection (SendSage): list the items of the last days (one call), then fetch each item's details
 * with bounded concurrency. Each item's rows land in files named after the item in its partition, so collecting it
 * again replaces them; an item not finished yet at the source (a test still running) is collected again next run.
 */
export interface ItemTableOutput {
  readonly table: TableDef;
  readonly partition: PartitionValues;
  readonly rows: readonly Row[];
  readonly quarantine: readonly QuarantineEntry[];
}

export interface ItemOutput {
  /** One entry per table the item writes to (an empty `rows` still replaces the item's earlier file). */
  readonly tables: readonly ItemTableOutput[];
  /** False while the source is still working on the item: it is collected again on later runs. */
  readonly complete: boolean;
}

export interface ItemDataset<L> {
  readonly source: string;
  readonly dataset: string;
  readonly scope: string;
  readonly list: (signal: AbortSignal) => Promise<readonly L[]>;
  readonly key: (item: L) => string;
  readonly collect: (item: L, signal: AbortSignal) => Promise<ItemOutput>;
}

export interface ItemCollectOptions extends LakeTarget {
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Monotonic ms (clock.monotonic()) by which the run must have stopped starting new items. */
  readonly deadline: number;
  readonly reserveMs: number;
  /** Items fetched at once; the API states no limit, so this stays gentle. */
  readonly concurrency: number;
  readonly onItem?: (dataset: string, key: string, rows: number) => void;
  /** Something the operator should know that did not stop the dataset (unreadable item state). */
  readonly warn?: (message: string) => void;
}

export interface ItemReport {
  readonly source: string;
  readonly dataset: string;
  readonly scope: string;
  listed: number;
  collected: number;
  /** Items collected but still running at the source (collected again next run). */
  pending: number;
  skippedComplete: number;
  rows: number;
  quarantined: number;
  failed: { key: string; error: string }[];
  left: number;
  warnings: string[];
}

const stateSchema = z.object({
  version: z.literal(1),
  items: z.record(
    z.string(),
    z.object({
      complete: z.boolean(),
      collectedAt: z.iso.datetime(),
      /** The lake files the item wrote, so a re-collection that lands elsewhere (a corrected date) removes them. */
      files: z.array(z.string()).default([]),
    }),
  ),
});
type ItemState = z.output<typeof stateSchema>;

const stateKey = (ds: { source: string; scope: string; dataset: string }) =>
  itemStateKey(ds.source, ds.scope, ds.dataset);

/** Collects every listed item not yet complete; a failed item is reported and retried next run. */
export async function collectItems<L>(ds: ItemDataset<L>, opts: ItemCollectOptions): Promise<ItemReport> {
  const report: ItemReport = {
    source: ds.source,
    dataset: ds.dataset,
    scope: ds.scope,
    listed: 0,
    collected: 0,
    pending: 0,
    skippedComplete: 0,
    rows: 0,
    quarantined: 0,
    failed: [],
    left: 0,
    warnings: [],
  };
  const timeLeft = () => opts.deadline - opts.reserveMs - opts.clock.monotonic();
  // With no time left even to list (or the deadline cutting the list call), the whole dataset waits for the next
  // run; how many items that is is unknown, so it counts as one left, which is enough to ask for another run.
  if (timeLeft() <= 0) return { ...report, left: 1 };
  const state = await loadState(ds, opts, report);
  let items: readonly L[];
  try {
    items = await ds.list(opts.signal);
  } catch (error) {
    if (error instanceof DeadlineError) return { ...report, left: 1 };
    // The list concerns this dataset only; credentials refused concern them all.
    if (error instanceof AuthenticationError) throw error;
    report.failed.push({ key: '(list)', error: error instanceof Error ? error.message : String(error) });
    return report;
  }
  report.listed = items.length;
  const todo = items.filter((item) => {
    const done = state.items[ds.key(item)]?.complete === true;
    if (done) report.skippedComplete++;
    return !done;
  });

  let next = 0;
  let stop: unknown = null;
  const worker = async () => {
    while (stop === null && next < todo.length) {
      if (timeLeft() <= 0) return;
      const item = todo[next++]!;
      const key = ds.key(item);
      try {
        const out = await ds.collect(item, opts.signal);
        const rows = await writeItem(ds, key, out, opts);
        const stale = (state.items[key]?.files ?? []).filter((f) => !rows.keys.includes(f));
        if (stale.length) await opts.store.delete(stale);
        report.collected++;
        report.rows += rows.rows;
        report.quarantined += rows.quarantined;
        if (!out.complete) report.pending++;
        state.items[key] = {
          complete: out.complete,
          collectedAt: new Date(opts.clock.now()).toISOString(),
          files: rows.keys,
        };
        opts.onItem?.(ds.dataset, key, rows.rows);
      } catch (error) {
        // Credentials and the deadline concern every item; anything else concerns this one only.
        if (
          error instanceof AuthenticationError ||
          error instanceof DeadlineError ||
          !(error instanceof InboxlakeError)
        ) {
          stop ??= error;
          return;
        }
        report.failed.push({ key, error: error.message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  // Written once at the end (and before rethrowing), after the items' files: a killed run only repeats work.
  await saveState(ds, state, opts);
  if (stop !== null && !(stop instanceof DeadlineError)) throw stop;
  report.left = todo.length - report.collected - report.failed.length;
  return report;
}

async function writeItem<L>(ds: ItemDataset<L>, key: string, out: ItemOutput, opts: ItemCollectOptions) {
  let rows = 0;
  let quarantined = 0;
  const keys: string[] = [];
  const now = opts.clock.now();
  const day = Math.floor(now / DAY_MS) * DAY_MS;
  for (const t of out.tables) {
    const writer = await openWindowWriter({
      store: opts.store,
      table: t.table,
      partition: t.partition,
      window: { start: day, end: day + DAY_MS },
      item: itemStem(ds.dataset, key),
      formats: opts.formats,
      writers: opts.writers,
      tmpDir: opts.tmpDir,
      now: () => opts.clock.now(),
    });
    try {
      await writer.append(t.rows);
      await writer.quarantine(t.quarantine);
      const result = await writer.commit();
      rows += result.rows;
      quarantined += result.quarantined;
      keys.push(...result.keys);
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }
  return { rows, quarantined, keys };
}

/**
 * The dataset's item state; empty (with a warning naming the key) when unreadable: items are idempotent, so that
 * only collects them again, and files a moved item left under its old date are not removed this once.
 */
async function loadState<L>(ds: ItemDataset<L>, opts: ItemCollectOptions, report: ItemReport): Promise<ItemState> {
  const key = stateKey(ds);
  const body = await opts.store.get(key);
  if (!body) return { version: 1, items: {} };
  const parsed = parseStateDocument(body, stateSchema);
  if (parsed.success) return parsed.data;
  const message = `item state ${key} is unreadable: ${parsed.error}; collecting every listed ${ds.dataset} item again`;
  report.warnings.push(message);
  opts.warn?.(message);
  return { version: 1, items: {} };
}

async function saveState<L>(ds: ItemDataset<L>, state: ItemState, opts: ItemCollectOptions): Promise<void> {
  await opts.store.putBytes(stateKey(ds), JSON.stringify(state, null, 1), 'application/json');
}
