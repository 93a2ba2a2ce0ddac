/**
 * The faults the v2 simulator injects: their kinds and the seeded decision per request, the shapes of the
 * `recase` and `extra-fields` faults (shared by the JSON and CSV renderers), and the late item an
 * `insert-between-pages` fault plants. Apart so that every renderer and the server read one definition of each fault.
 */
import { decideFault, type FaultDecision, type FaultOptions, renameKeysDeep, validateFaultOptions } from '../faults';
import { hashSeed, mixSeed, Rng } from '../random';
import type { PageContext } from './answers';
import type { V2Store } from './dataset';
import { formatV2DateTime, parseV2DateTime } from './dates';
import type { V2Item } from './model';

export type V2FaultKind =
  | '5xx'
  | 'truncated'
  | 'csv-cut-mid-row'
  | 'hang'
  | 'recase'
  | 'extra-fields'
  | '429'
  | 'insert-between-pages'
  | 'suppressions-change-between-pages'
  | 'non-json';

/** Every fault kind, e.g. for "inject anything" runs. */
export const v2FaultKinds: readonly V2FaultKind[] = [
  '5xx',
  'truncated',
  'csv-cut-mid-row',
  'hang',
  'recase',
  'extra-fields',
  '429',
  'insert-between-pages',
  'suppressions-change-between-pages',
  'non-json',
];

/** Same shape as the v1 simulator's FaultOptions, with the v2 kinds. */
export type V2FaultOptions = FaultOptions<V2FaultKind>;

export type V2FaultDecision = FaultDecision<V2FaultKind>;

/** Checks fault options, throwing on an out-of-range probability or an unknown kind. */
export function validateV2FaultOptions(options: V2FaultOptions): void {
  validateFaultOptions(options, v2FaultKinds);
}

/** The fault (or none) for the n-th request that passed auth and the rate limits; pure in (options, seed, sequence). */
export function decideV2Fault(options: V2FaultOptions, seed: number, sequence: number): V2FaultDecision | null {
  // A salt of its own keeps v2's fault sequence independent of v1's for the same seed.
  return decideFault(options, seed, sequence, 'v2-faults');
}

type RecaseMode = 'lower' | 'upper' | 'pascal';

export function recaseKey(key: string, mode: RecaseMode): string {
  if (mode === 'lower') return key.toLowerCase();
  if (mode === 'upper') return key.toUpperCase();
  return key.charAt(0).toUpperCase() + key.slice(1);
}

export function recaseKeys(value: unknown, mode: RecaseMode): unknown {
  return renameKeysDeep(value, (key) => recaseKey(key, mode));
}

/** Which key case a `recase` fault uses: never the documented camelCase. */
export function recaseMode(variant: number): RecaseMode {
  return (['lower', 'upper', 'pascal'] as const)[variant % 3]!;
}

export function extraItemFields(i: number, variant: number): Record<string, unknown> {
  const rng = new Rng(mixSeed(variant, i));
  return {
    newField: 'x',
    tracking: { opens: rng.int(0, 5), clicks: rng.int(0, 3), source: 'api-v2' },
    ...(i % 2 === 0 ? { tags: ['vip', 'Ünïcödé'], score: rng.int(0, 1000) / 1000 } : {}),
  };
}

/** Adds a late copy of a served item before the last one served, shifting every later page; false if it cannot. */
export function insertBetweenPages(
  store: V2Store,
  faultSeed: number,
  page: PageContext,
  seq: number,
  variant: number,
): boolean {
  if (page.isLastPage) return false;
  // Strictly inside the queried range: its edge second may be a neighbouring window's edge, already read.
  let lower: number;
  let upper: number;
  if (page.asc) {
    lower = Math.max(page.fromSec + 1, page.edgeSec);
    upper = page.lastServedSec - 1;
  } else {
    lower = page.lastServedSec + 1;
    upper = Math.min(page.toSec === null ? page.edgeSec : page.toSec - 1, page.edgeSec);
  }
  if (upper < lower) return false;
  const rng = new Rng(mixSeed(hashSeed(faultSeed, 'v2-late'), variant));
  const sec = rng.int(lower, upper);
  const late: V2Item = {
    ...page.template,
    messageId: `LATE-${seq}-${rng.hex(6)}`,
    statusDate: formatV2DateTime(sec),
  };
  const shift = sec - (parseV2DateTime(page.template.statusDate) ?? sec);
  for (const key of ['queuedTime', 'deliveryTime']) {
    const t = parseV2DateTime(late[key]);
    if (t !== null) late[key] = formatV2DateTime(t + shift);
  }
  if (page.filter && !page.filter(late)) return false;
  store.insert(page.serverId, late);
  return true;
}
