import { hostname } from 'node:os';
import type { Clock } from '../core/clock';
import { LeaseHeldError, type LeaseHolder, type LeaseStore, withLeases } from '../engine/lease';
import { leaseKey } from '../lake/layout';
import { isProcessAlive } from '../lake/local-store';
import type { Logger } from '../log';

/** How a run takes its leases; every field has a default for a plain process (the CLI, tests). */
export interface LeaseSettings {
  /** Default: this process (host and pid); the Lambda handler adds its request id. */
  readonly holder?: LeaseHolder;
  /** Wait for a held lease (CLI `--wait`) instead of failing with LeaseHeldError. */
  readonly wait?: boolean;
  readonly ttlMs?: number;
  readonly pollMs?: number;
  /** Told once when the run starts waiting (with `wait`). */
  readonly onWait?: (held: LeaseHeldError) => void;
}

/**
 * Two minutes: renewed every 40 s while the run lives, so a run killed where its process cannot be checked (another
 * host, a Lambda sandbox) blocks the next for at most two minutes, yet a slow store call never costs the lease.
 */
export const LEASE_TTL_MS = 120_000;

/** The holder a plain process writes into its leases. */
export function thisProcess(extra: Partial<LeaseHolder> = {}): LeaseHolder {
  return { host: hostname(), pid: process.pid, ...extra };
}

/**
 * Whether a lease's holder still runs, when this process can tell: a plain process on this host. A Lambda holder's
 * pid and host name say nothing here (sandboxes reuse both), so only its lease's expiry counts.
 */
export function holderAlive(holder: LeaseHolder): boolean | undefined {
  if (holder.requestId !== undefined || holder.pid === undefined || holder.host !== hostname()) return undefined;
  if (holder.pid === process.pid) return true;
  return isProcessAlive(holder.pid);
}

/** The (source, scope, dataset) a collection works on; its lease key is that of the same triple. */
export interface LeasedDataset {
  readonly source: string;
  readonly scope: string;
  readonly dataset: string;
}

/**
 * Runs a collection holding the leases of all its datasets, so no other run publishes or checkpoints them meanwhile.
 * Taken around the engine's collection loops rather than inside them: the loops stay unaware of other runs.
 */
export function collectLeased<T>(
  datasets: readonly LeasedDataset[],
  deps: {
    readonly store: LeaseStore;
    readonly clock: Clock;
    readonly signal?: AbortSignal;
    readonly lease?: LeaseSettings;
  },
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const settings = deps.lease ?? {};
  return withLeases(
    datasets.map((d) => leaseKey(d.source, d.scope, d.dataset)),
    {
      store: deps.store,
      clock: deps.clock,
      holder: settings.holder ?? thisProcess(),
      ttlMs: settings.ttlMs ?? LEASE_TTL_MS,
      wait: settings.wait,
      pollMs: settings.pollMs,
      onWait: settings.onWait,
      isAlive: holderAlive,
      signal: deps.signal,
    },
    work,
  );
}

/**
 * For the Lambda doors: a LeaseHeldError becomes null (one warning saying who holds the lease), so the handler can
 * answer `busy` instead of failing; any other error passes unchanged.
 */
export function leaseHeldAsNull(log: Logger): (error: unknown) => null {
  return (error) => {
    if (!(error instanceof LeaseHeldError)) throw error;
    log.warn(error.message);
    return null;
  };
}
