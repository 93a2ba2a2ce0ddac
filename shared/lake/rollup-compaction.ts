import * as z from 'zod';
import { overlaps } from '../core/windows';
import {
  compactedRollupKey,
  compactedRollupOfKey,
  type PartitionValues,
  partitionPrefix,
  stemOfKey,
  windowOfKey,
} from './layout';
import type { ObjectStore } from './object-store';
import { type RollupDocument, rollupOfKey } from './rollup';
import type { TableDef } from './table';

/**
 * Compaction of a final day's rollups: the per-window documents of one (table, rollup, partition) folded into one
 * document, so the digest reads O(days × servers) documents instead of O(windows).
 *
 * The compacted document keeps each folded document whole, with the key it had (its "share"), instead of summing
 * them, because one rule then makes every state of the folder read right — no ordering between writer, compactor and
 * reader is needed:
 *
 *   A part (`part-….<rollup>.json`) present in the folder supersedes every share of the compacted document that has
 *   its key or a window overlapping its window (or its item stem): the part is read, those shares are not.
 *
 * - Killed mid-compaction (compacted document written, parts not yet or partly deleted): each part still present
 *   supersedes its own share, whose counts are the same, so the figures are those of the uncompacted folder.
 * - A window re-collected later (a backfill of a compacted day): its publish writes a part as it always did; that part
 *   supersedes the shares its window overlaps — exactly the parts its publish would have deleted had they still been
 *   files (window-writer's removeOverlapping) — so the figures equal those of a lake never compacted. The window writer
 *   needs no change, and the next compaction folds the new part in, dropping the shares it superseded.
 */

/** What a compacted document holds: the documents it replaced, each under the key it had. */
export interface CompactedRollupDocument {
  readonly version: 1;
  readonly table: string;
  readonly rollup: string;
  readonly partition: PartitionValues;
  readonly parts: readonly CompactedShare[];
}

export interface CompactedShare {
  readonly key: string;
  readonly doc: RollupDocument;
}

/** What a reader needs of a rollup document (the digest checks the cells one by one as it visits them). */
export const rollupDocumentSchema = z.object({
  partition: z.record(z.string(), z.union([z.string(), z.number()])),
  dimensions: z.array(z.string()).min(1),
  counts: z.array(z.unknown()),
});

export const compactedRollupSchema = z.object({
  version: z.literal(1),
  parts: z.array(z.object({ key: z.string(), doc: rollupDocumentSchema.loose() })),
});

/** Whether a part present in the folder supersedes a compacted share (the rule above). */
export function supersedes(partKey: string, shareKey: string): boolean {
  if (partKey === shareKey) return true;
  const a = windowOfKey(partKey);
  const b = windowOfKey(shareKey);
  if (a && b) return overlaps(a, b);
  return !a && !b && stemOfKey(partKey) !== null && stemOfKey(partKey) === stemOfKey(shareKey);
}

/** The shares of a compacted document that no present part supersedes: what a reader counts besides the parts. */
export function liveShares<S extends { readonly key: string }>(shares: readonly S[], partKeys: readonly string[]): S[] {
  return shares.filter((s) => !partKeys.some((p) => supersedes(p, s.key)));
}

/** One rollup's files in a partition folder: its per-window parts and its compacted document, if any. */
export interface RollupFolder {
  readonly rollup: string;
  readonly compacted: string | null;
  readonly parts: string[];
}

/** Groups a listing of rollup keys by folder and rollup. */
export function rollupFolders(keys: readonly string[]): Map<string, Map<string, RollupFolder>> {
  const out = new Map<string, Map<string, RollupFolder>>();
  for (const key of keys) {
    const compacted = compactedRollupOfKey(key);
    const rollup = compacted ?? (stemOfKey(key) === null ? null : rollupOfKey(key));
    if (rollup === null) continue;
    const dir = key.slice(0, key.lastIndexOf('/') + 1);
    const byRollup = out.get(dir) ?? new Map<string, RollupFolder>();
    out.set(dir, byRollup);
    const folder = byRollup.get(rollup) ?? { rollup, compacted: null, parts: [] };
    byRollup.set(rollup, compacted ? { ...folder, compacted: key } : { ...folder, parts: [...folder.parts, key] });
  }
  return out;
}

export interface CompactionResult {
  /** Parts folded into compacted documents. */
  readonly folded: number;
  /** Parts deleted after their compacted document was written (fewer if one was replaced meanwhile). */
  readonly deleted: number;
  /** Why a rollup of the folder was left as it was (a document that does not parse); compaction never guesses. */
  readonly skipped: readonly string[];
}

/**
 * Compacts the rollups of one partition (a table's day of a server) whose windows are final. Idempotent: a folder
 * with no parts is left alone (one LIST), and a run killed at any point is completed by the next. Run it under the
 * lease of the dataset that writes the partition: the tags below only keep it from deleting a part replaced since it
 * was read (that part then supersedes its share), they do not make two compactions of a folder at once safe.
 */
export async function compactRollupPartition(
  store: ObjectStore,
  table: TableDef,
  partition: PartitionValues,
): Promise<CompactionResult> {
  const listing = await store.list(partitionPrefix('rollups', table, partition));
  const folder = rollupFolders(listing).values().next().value ?? new Map<string, RollupFolder>();
  let folded = 0;
  let deleted = 0;
  const skipped: string[] = [];
  for (const def of table.rollups) {
    const files = folder.get(def.name);
    if (!files || files.parts.length === 0) continue;
    const key = compactedRollupKey(table, partition, def.name);
    let previous: readonly CompactedShare[] = [];
    if (files.compacted) {
      const body = await store.get(files.compacted);
      if (body) {
        const parsed = parseJson(body, compactedRollupSchema);
        if (!parsed.ok) {
          skipped.push(`${files.compacted}: ${parsed.error}`);
          continue;
        }
        previous = parsed.value.parts as unknown as CompactedShare[];
      }
    }
    const parts: { key: string; tag: string; doc: RollupDocument }[] = [];
    let unreadable: string | null = null;
    for (const partKey of files.parts) {
      const object = await store.getWithTag(partKey);
      if (!object) continue;
      const parsed = parseJson(object.body, rollupDocumentSchema.loose());
      if (!parsed.ok) {
        unreadable = `${partKey}: ${parsed.error}`;
        break;
      }
      parts.push({ key: partKey, tag: object.tag, doc: parsed.value as unknown as RollupDocument });
    }
    if (unreadable) {
      skipped.push(unreadable);
      continue;
    }
    const shares = [
      ...liveShares(
        previous,
        parts.map((p) => p.key),
      ),
      ...parts.map(({ key: k, doc }) => ({ key: k, doc })),
    ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const doc: CompactedRollupDocument = { version: 1, table: table.name, rollup: def.name, partition, parts: shares };
    // First the compacted document, then the parts: a kill in between leaves parts that supersede their own shares.
    await store.putBytes(key, JSON.stringify(doc), 'application/json');
    folded += parts.length;
    for (const part of parts) if (await store.deleteIfMatch(part.key, part.tag)) deleted++;
  }
  return { folded, deleted, skipped };
}

function parseJson<T>(body: Buffer, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; error: string } {
  try {
    const parsed = schema.safeParse(JSON.parse(body.toString('utf8')));
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: z.prettifyError(parsed.error) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
