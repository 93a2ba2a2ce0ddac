import * as z from 'zod';
import { CorruptStateError } from '../core/errors';
import { overlaps, type TimeWindow } from '../core/windows';
import { checkpointKey } from '../lake/layout';
import type { ObjectStore } from '../lake/object-store';

/**
 * Checkpoints: per (source, scope, dataset), the windows completed and when. Written only after a window's files
 * are in the lake, so a run killed at any moment loses at most the window it was in. While a pass over the planned
 * windows is unfinished (a deadline left some), it also holds when that pass began: the runs that continue it skip
 * what it already did, instead of re-pulling the trailing days each time and never reaching the end.
 */
const completedSchema = z.object({
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  rows: z.number().int().nonnegative(),
  completedAt: z.iso.datetime(),
});
const checkpointSchema = z.object({
  version: z.literal(1),
  windows: z.array(completedSchema),
  passStartedAt: z.iso.datetime().optional(),
});

export interface CompletedWindow extends TimeWindow {
  readonly rows: number;
  readonly completedAt: number;
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
  return {
    windows: parsed.data.windows.map((w) => ({
      start: Date.parse(w.start),
      end: Date.parse(w.end),
      rows: w.rows,
      completedAt: Date.parse(w.completedAt),
    })),
    passStartedAt: parsed.data.passStartedAt === undefined ? null : Date.parse(parsed.data.passStartedAt),
  };
}

/** Records a completed window, replacing any it overlaps, and returns the new checkpoint. */
export async function recordCompleted(
  ref: CheckpointRef,
  current: Checkpoint,
  done: CompletedWindow,
): Promise<Checkpoint> {
  const windows = [...current.windows.filter((w) => !overlaps(w, done)), done].sort((a, b) => a.start - b.start);
  return saveCheckpoint(ref, { ...current, windows });
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
    version: 1 as const,
    windows: checkpoint.windows.map((w) => ({
      start: iso(w.start),
      end: iso(w.end),
      rows: w.rows,
      completedAt: iso(w.completedAt),
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
 * A completed window is final once it was collected at least `settleMs` after it closed: late records are no longer
 * expected, so later runs skip it. Windows within the trailing days are never final and are re-pulled.
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
