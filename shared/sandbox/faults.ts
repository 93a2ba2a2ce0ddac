/**
 * Fault injection shared by the simulators: which request gets which fault is a pure function of the seed and the
 * request's sequence number, so a failing run replays. Each simulator brings its own fault kinds, its own salt (so
 * its decisions stay what they always were) and its own fault bodies.
 */
import { hashSeed, mixSeed, Rng } from './random';

export interface FaultOptions<K extends string> {
  /** Chance (0..1) that a request which passed auth and rate limiting gets a fault. */
  readonly probability: number;
  readonly kinds: readonly K[];
  /** Defaults to the simulator's data seed. */
  readonly seed?: number;
}

export interface FaultDecision<K extends string> {
  readonly kind: K;
  /** A 32-bit number the fault uses for its own choices (status code, key case, offset, cut point…). */
  readonly variant: number;
}

/** Checks fault options against a simulator's kinds, throwing on an out-of-range probability or an unknown kind. */
export function validateFaultOptions<K extends string>(options: FaultOptions<K>, knownKinds: readonly K[]): void {
  if (!(options.probability >= 0 && options.probability <= 1)) {
    throw new Error(`fault probability must be within 0..1, got ${options.probability}`);
  }
  if (options.kinds.length === 0 && options.probability > 0) throw new Error('fault kinds must not be empty');
  for (const kind of options.kinds) {
    if (!knownKinds.includes(kind)) throw new Error(`unknown fault kind '${kind}'`);
  }
}

/** The fault (or none) for the n-th request that passed auth and rate limiting; pure in all its arguments. */
export function decideFault<K extends string>(
  options: FaultOptions<K>,
  seed: number,
  sequence: number,
  salt: string,
): FaultDecision<K> | null {
  if (options.probability <= 0 || options.kinds.length === 0) return null;
  const rng = new Rng(mixSeed(hashSeed(seed, salt), sequence));
  // Always draw the same number of values so the decision for request n never depends on the options' shape.
  const roll = rng.next();
  const kindIndex = rng.uint32();
  const variant = rng.uint32();
  if (roll >= options.probability) return null;
  return { kind: options.kinds[kindIndex % options.kinds.length]!, variant };
}

/** Renames every object key, deeply; values are left alone. */
export function renameKeysDeep(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => renameKeysDeep(v, rename));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[rename(k)] = renameKeysDeep(v, rename);
    return out;
  }
  return value;
}

/** The first half of a body, for a `truncated` fault. */
export function truncateBody(body: Buffer): Buffer {
  return body.subarray(0, Math.floor(body.length / 2));
}
