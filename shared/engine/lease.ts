import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { Clock } from '../core/clock';
import { InboxlakeError } from '../core/errors';
import type { ObjectStore } from '../lake/object-store';

/**
 * Leases: while a run collects a (source, scope, dataset) it holds that triple's lease, a small JSON object under
 * `_state/leases/`, so no second run (the CLI beside the Lambda, a backfill beside the schedule) publishes and
 * checkpoints the same windows at the same time, each deleting the other's files.
 *
 * Taken with a conditional create (S3 `If-None-Match: *`, locally an exclusive link), renewed with a conditional
 * replace naming the tag read last (S3 `If-Match` on the ETag), released with a conditional delete. A lease expires
 * `ttlMs` after its last renewal, so a killed run blocks others for at most that long; a run on this host whose
 * process is gone (SIGKILL, crash) is recognised at once. A holder that fails to renew has lost the lease: its work is
 * aborted before it publishes anything more.
 */

/** The store capability leases need: conditional create, tagged read, conditional replace and delete. */
export type LeaseStore = Pick<ObjectStore, 'putIfAbsent' | 'getWithTag' | 'putIfMatch' | 'deleteIfMatch'>;

/** Who holds a lease, for the message another run prints; never a secret. */
export const leaseHolderSchema = z.object({
  host: z.string(),
  pid: z.number().int().optional(),
  /** Lambda's request id; a Lambda holder's pid means nothing outside its sandbox. */
  requestId: z.string().optional(),
});
export type LeaseHolder = z.infer<typeof leaseHolderSchema>;

const leaseDocSchema = z.object({
  /** Random per acquisition, so a renewal never mistakes another holder's lease for its own. */
  owner: z.string(),
  holder: leaseHolderSchema,
  acquiredAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});
export type LeaseDoc = z.infer<typeof leaseDocSchema>;

/** Another run holds a lease this run needs; try again later (CLI exit code 3, the Step Functions loop waits). */
export class LeaseHeldError extends InboxlakeError {
  override name = 'LeaseHeldError';
  constructor(
    readonly key: string,
    readonly held: LeaseDoc | null,
  ) {
    super(`another run holds the lease ${key}${held ? ` (${describeHolder(held)})` : ''}; try again later`);
  }
}

/** A lease expired or was taken over while this run held it; its remaining work was stopped. */
export class LeaseLostError extends InboxlakeError {
  override name = 'LeaseLostError';
}

export interface LeaseOptions {
  readonly store: LeaseStore;
  readonly clock: Clock;
  readonly holder: LeaseHolder;
  /** How long a lease lasts after its last renewal; renewed every third of it. */
  readonly ttlMs: number;
  /** Wait for held leases instead of failing with LeaseHeldError (polling every pollMs). */
  readonly wait?: boolean;
  readonly pollMs?: number;
  /** Told once when a run starts waiting for a held lease (the CLI prints who holds it). */
  readonly onWait?: (held: LeaseHeldError) => void;
  /** Whether a holder is still running, when this process can tell (same host); undefined: only the TTL says. */
  readonly isAlive?: (holder: LeaseHolder) => boolean | undefined;
  readonly signal?: AbortSignal;
}

interface Held {
  readonly key: string;
  tag: string;
  doc: LeaseDoc;
}

/**
 * Runs `work` holding every lease in `keys` (taken in sorted order, all or none), renewing them while it runs and
 * releasing them however it ends. `work` gets a signal that aborts when the caller's signal does or a lease is lost.
 */
export async function withLeases<T>(
  keys: readonly string[],
  opts: LeaseOptions,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const held = await acquireAll([...new Set(keys)].sort(), opts);
  const lost = new AbortController();
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, lost.signal]) : lost.signal;
  const renewing = renewLoop(held, opts, stop.signal).catch((error: unknown) => lost.abort(error));
  try {
    const result = await work(signal);
    // A lease lost near the end may have let another run in; the caller must not report this run as clean.
    if (lost.signal.aborted) throw lost.signal.reason;
    return result;
  } catch (error) {
    throw lost.signal.aborted ? lost.signal.reason : error;
  } finally {
    stop.abort();
    await renewing;
    await Promise.allSettled(held.map((h) => opts.store.deleteIfMatch(h.key, h.tag)));
  }
}

async function acquireAll(keys: readonly string[], opts: LeaseOptions): Promise<Held[]> {
  const pollMs = opts.pollMs ?? 2_000;
  let waiting = false;
  for (;;) {
    const held: Held[] = [];
    let blocked: LeaseHeldError | null = null;
    try {
      for (const key of keys) {
        const h = await acquire(key, opts);
        if (h instanceof LeaseHeldError) {
          blocked = h;
          break;
        }
        held.push(h);
      }
    } catch (error) {
      // The store failed half-way: give back what was taken rather than block others until it expires.
      await Promise.allSettled(held.map((h) => opts.store.deleteIfMatch(h.key, h.tag)));
      throw error;
    }
    if (!blocked) return held;
    // All or none: a run waiting with half its leases could block the holder of the other half.
    await Promise.allSettled(held.map((h) => opts.store.deleteIfMatch(h.key, h.tag)));
    if (!opts.wait) throw blocked;
    if (!waiting) opts.onWait?.(blocked);
    waiting = true;
    await opts.clock.sleep(pollMs, opts.signal);
  }
}

async function acquire(key: string, opts: LeaseOptions): Promise<Held | LeaseHeldError> {
  const doc = newDoc(opts);
  const body = JSON.stringify(doc);
  // A few rounds: between a failed create and the read, the holder may release, or two takers may race.
  for (let round = 0; round < 5; round++) {
    if (await opts.store.putIfAbsent(key, body, 'application/json')) {
      const created = await opts.store.getWithTag(key);
      const mine = created && parseDoc(created.body)?.owner === doc.owner;
      if (created && mine) return { key, tag: created.tag, doc };
      continue;
    }
    const current = await opts.store.getWithTag(key);
    if (!current) continue;
    const theirs = parseDoc(current.body);
    if (theirs && !isStale(theirs, opts)) return new LeaseHeldError(key, theirs);
    // Expired, its holder gone, or unreadable: take it over, unless someone else just did.
    const tag = await opts.store.putIfMatch(key, body, 'application/json', current.tag);
    if (tag) return { key, tag, doc };
  }
  return new LeaseHeldError(key, null);
}

async function renewLoop(held: Held[], opts: LeaseOptions, stop: AbortSignal): Promise<void> {
  const every = Math.max(1, Math.floor(opts.ttlMs / 3));
  for (;;) {
    try {
      await opts.clock.sleep(every, stop);
    } catch {
      return; // stopped: the work ended
    }
    if (stop.aborted) return;
    for (const h of held) {
      const doc = { ...h.doc, expiresAt: new Date(opts.clock.now() + opts.ttlMs).toISOString() };
      let tag: string | null;
      try {
        tag = await opts.store.putIfMatch(h.key, JSON.stringify(doc), 'application/json', h.tag);
      } catch (error) {
        // A store hiccup: the lease still holds until it expires, and the next round may renew it.
        if (opts.clock.now() + every < Date.parse(h.doc.expiresAt)) continue;
        throw new LeaseLostError(`could not renew the lease ${h.key} before it expired`, { cause: error });
      }
      if (!tag) throw new LeaseLostError(`lost the lease ${h.key}: it expired or another run took it over`);
      h.tag = tag;
      h.doc = doc;
    }
  }
}

function newDoc(opts: LeaseOptions): LeaseDoc {
  const now = opts.clock.now();
  return {
    owner: randomUUID(),
    holder: opts.holder,
    acquiredAt: new Date(now).toISOString(),
    expiresAt: new Date(now + opts.ttlMs).toISOString(),
  };
}

function isStale(doc: LeaseDoc, opts: LeaseOptions): boolean {
  if (Date.parse(doc.expiresAt) <= opts.clock.now()) return true;
  return opts.isAlive?.(doc.holder) === false;
}

function parseDoc(body: Buffer): LeaseDoc | null {
  try {
    const parsed = leaseDocSchema.safeParse(JSON.parse(body.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function describeHolder(doc: LeaseDoc): string {
  const who = doc.holder.requestId
    ? `Lambda request ${doc.holder.requestId}`
    : `pid ${doc.holder.pid ?? '?'} on ${doc.holder.host}`;
  return `${who}, until ${doc.expiresAt}`;
}
