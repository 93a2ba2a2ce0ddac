import * as z from 'zod';
import { checkpointKey } from '../lake/layout';
import type { ObjectStore } from '../lake/object-store';
import { CorruptStateError } from './errors';
import { overlaps, type TimeWindow } from './windows';

/**
 * Checkpoints: per (source, scope, dataset), the windows completed and when. Written only after a window's files
 * are in the lake, so a run killed at any moment loses at most the window it was in.
 */
const completedSchema = z.object({
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  rows: z.number().int().nonnegative(),
  completedAt: z.iso.datetime(),
});
const checkpointSchema = z.object({ version: z.literal(1), windows: z.array(completedSchema) });

export interface CompletedWindow extends TimeWindow {
  readonly rows: number;
  readonly completedAt: number;
}

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
export async function loadCheckpoint(ref: CheckpointRef): Promise<CompletedWindow[]> {
  const key = checkpointKey(ref.source, ref.scope, ref.dataset);
  const body = await ref.store.get(key);
  if (!body) return [];
  const parsed = parseStateDocument(body, checkpointSchema);
  if (!parsed.success) throw new CorruptStateError(`checkpoint ${key} is unreadable: ${parsed.error}`);
  return parsed.data.windows.map((w) => ({
    start: Date.parse(w.start),
    end: Date.parse(w.end),
    rows: w.rows,
    completedAt: Date.parse(w.completedAt),
  }));
}

/** Records a completed window, replacing any it overlaps, and returns the new list. */
export async function recordCompleted(
  ref: CheckpointRef,
  current: readonly CompletedWindow[],
  done: CompletedWindow,
): Promise<CompletedWindow[]> {
  const next = [...current.filter((w) => !overlaps(w, done)), done].sort((a, b) => a.start - b.start);
  const iso = (t: number) => new Date(t).toISOString();
  const doc = {
    version: 1 as const,
    windows: next.map((w) => ({ start: iso(w.start), end: iso(w.end), rows: w.rows, completedAt: iso(w.completedAt) })),
  };
  await ref.store.putBytes(
    checkpointKey(ref.source, ref.scope, ref.dataset),
    JSON.stringify(doc, null, 1),
    'application/json',
  );
  return next;
}

/**
 * A completed window is final once it was collected at least `settleMs` after it closed: late records are no longer
 * expected, so later runs skip it. Windows within the trailing days are never final and are re-pulled.
 */
export function isFinal(w: CompletedWindow, settleMs: number): boolean {
  return w.completedAt >= w.end + settleMs;
}

/** Whether final completed windows cover the whole of `window` (then it costs no API call). */
export function coveredByFinal(window: TimeWindow, completed: readonly CompletedWindow[], settleMs: number): boolean {
  let cursor = window.start;
  for (const w of completed.filter((c) => isFinal(c, settleMs)).sort((a, b) => a.start - b.start)) {
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
