import * as z from 'zod';
import { CorruptStateError } from '../core/errors';
import { overlaps, type TimeWindow } from '../core/windows';
import { checkpointKey } from '../lake/layout';
import type { ObjectStore } from '../lake/object-store';

/**
 * Checkpoints: per (source, scope, dataset), the windows completed and when each was read (the re-read schedule,
 * shared/engine/reread-schedule.ts, works from them). Written only after a window's files are in the lake, so a run
 * killed at any moment loses at most the window it was in. While a backfill's pass over its windows is unfinished (a
 * deadline left some), it also holds when that pass began: the runs that continue it skip what it already did,
 * instead of starting over each time and never reaching the end.
 */
const completedSchema = z.object({
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  rows: z.number().int().nonnegative(),
  completedAt: z.iso.datetime(),
});
/** Version 2: each window's reads, oldest first (the last one is `completedAt`). */
const completedV2Schema = completedSchema.omit({ completedAt: true }).extend({
  reads: z.array(z.iso.datetime()).min(1),
});
const checkpointSchema = z.discriminatedUnion('version', [
  z.object({ version: z.literal(1), windows: z.array(completedSchema), passStartedAt: z.iso.datetime().optional() }),
  z.object({ version: z.literal(2), windows: z.array(completedV2Schema), passStartedAt: z.iso.datetime().optional() }),
]);

/** Reads kept per window: the schedule's (settle + 4 delays by default) with room for backfills; older ones go. */
const MAX_READS_KEPT = 8;

export interface CompletedWindow extends TimeWindow {
  readonly rows: number;
  /** The last read. */
  readonly completedAt: number;
  /** Every read of this very window (same start and end) still kept, oldest first; ends with `completedAt`. */
  readonly reads: readonly number[];
}

export interface Checkpoint {
  readonly windows: readonly CompletedWindow[];
  /** Epoch ms at which the unfinished pass began; null when the last pass finished. */
  readonly passStartedAt: number | null;
}

export const emptyCheckpoint: Checkpoint = { windows: [], passStartedAt: null };

export interface CheckpointRef {
  readonly store: ObjectStore;
  readonly source: string;
  readonly scope: string;
  readonly dataset: string;
}

/**
 * Completed windows recorded for a dataset; none when there is no checkpoint yet. A checkpoint that cannot be read
 * (truncated, not the schema) throws CorruptStateError naming its key.
 */
export async function loadCheckpoint(ref: CheckpointRef): Promise<Checkpoint> {
  const key = checkpointKey(ref.source, ref.scope, ref.dataset);
  const body = await ref.store.get(key);
  if (!body) return emptyCheckpoint;
  const parsed = parseStateDocument(body, checkpointSchema);
  if (!parsed.success) throw new CorruptStateError(`checkpoint ${key} is unreadable: ${parsed.error}`);
  // A version-1 window counts as read once, at its completedAt.
  const windows = parsed.data.windows.map((w) => {
    const reads = ('reads' in w ? w.reads : [w.completedAt]).map((r) => Date.parse(r));
    return { start: Date.parse(w.start), end: Date.parse(w.end), rows: w.rows, completedAt: reads.at(-1)!, reads };
  });
  return {
    windows,
    passStartedAt: parsed.data.passStartedAt === undefined ? null : Date.parse(parsed.data.passStartedAt),
  };
}

/**
 * Records a completed window read at `completedAt`, replacing any it overlaps (as its files replaced theirs), and
 * returns the new checkpoint. A window read again keeps its earlier reads; a larger one begins its own.
 */
export async function recordCompleted(
  ref: CheckpointRef,
  current: Checkpoint,
  done: Omit<CompletedWindow, 'reads'>,
): Promise<Checkpoint> {
  return saveCheckpoint(ref, withCompleted(current, done));
}

/** The checkpoint with `done` recorded (what recordCompleted saves). */
export function withCompleted(current: Checkpoint, done: Omit<CompletedWindow, 'reads'>): Checkpoint {
  const same = current.windows.find((w) => w.start === done.start && w.end === done.end);
  const reads = [...(same?.reads ?? []), done.completedAt].slice(-MAX_READS_KEPT);
  const windows = [...current.windows.filter((w) => !overlaps(w, done)), { ...done, reads }];
  return { ...current, windows: windows.sort((a, b) => a.start - b.start) };
}

/** Marks a pass unfinished since `passStartedAt`, or finished (null); returns the new checkpoint. */
export async function recordPass(
  ref: CheckpointRef,
  current: Checkpoint,
  passStartedAt: number | null,
): Promise<Checkpoint> {
  return current.passStartedAt === passStartedAt ? current : saveCheckpoint(ref, { ...current, passStartedAt });
}

async function saveCheckpoint(ref: CheckpointRef, checkpoint: Checkpoint): Promise<Checkpoint> {
  const iso = (t: number) => new Date(t).toISOString();
  const doc = {
    version: 2 as const,
    windows: checkpoint.windows.map((w) => ({
      start: iso(w.start),
      end: iso(w.end),
      rows: w.rows,
      reads: w.reads.map(iso),
    })),
    ...(checkpoint.passStartedAt === null ? {} : { passStartedAt: iso(checkpoint.passStartedAt) }),
  };
  await ref.store.putBytes(
    checkpointKey(ref.source, ref.scope, ref.dataset),
    JSON.stringify(doc, null, 1),
    'application/json',
  );
  return checkpoint;
}

/**
 * A completed window is final once it was collected at least `settleMs` after it closed (its last scheduled read):
 * late records are no longer expected, so a backfill skips it.
 */
export function isFinal(w: CompletedWindow, settleMs: number): boolean {
  return w.completedAt >= w.end + settleMs;
}

/**
 * Whether completed windows that need no new read cover the whole of `window` (then it costs no API call): final
 * ones, and, when a pass is being continued, those completed since it began.
 */
export function coveredByDone(window: TimeWindow, checkpoint: Checkpoint, settleMs: number): boolean {
  const since = checkpoint.passStartedAt;
  const done = checkpoint.windows.filter((c) => isFinal(c, settleMs) || (since !== null && c.completedAt >= since));
  let cursor = window.start;
  for (const w of done.sort((a, b) => a.start - b.start)) {
    if (w.start > cursor) break;
    if (w.end > cursor) cursor = w.end;
    if (cursor >= window.end) return true;
  }
  return cursor >= window.end;
}

/** A JSON state document checked against its schema; the reason when it is not (never throws). */
export function parseStateDocument<T>(
  body: Buffer,
  schema: z.ZodType<T>,
): { success: true; data: T } | { success: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { success: false, error: (error as Error).message };
  }
  const parsed = schema.safeParse(json);
  return parsed.success
    ? { success: true, data: parsed.data }
    : { success: false, error: z.prettifyError(parsed.error) };
}
