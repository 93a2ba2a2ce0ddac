import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectLeased } from '../../shared/app/leases';
import { type Clock, systemClock } from '../../shared/core/clock';
import { LeaseHeldError, LeaseLostError, type LeaseOptions, withLeases } from '../../shared/engine/lease';
import { leaseKey } from '../../shared/lake/layout';
import { LocalFolderStore } from '../../shared/lake/local-store';
import type { ObjectStore } from '../../shared/lake/object-store';
import { S3Store } from '../../shared/lake/s3-store';
import { scratch } from '../helpers/collect';
import { type LocalS3, startLocalS3 } from '../helpers/s3';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(() => s3.close());

let n = 0;
const stores: [string, () => Promise<ObjectStore>][] = [
  ['local folder', async () => new LocalFolderStore(await scratch('lease'))],
  // startLocalS3 puts a proxy in front of s3rver that answers If-None-Match / If-Match like S3 (test/helpers/s3.ts).
  [
    'S3 (s3rver behind the conditional-writes proxy)',
    async () => new S3Store({ client: s3.client, bucket: s3.bucket, prefix: `lease-${++n}` }),
  ],
];

const KEY = leaseKey('socketlabs_v1', '1234', 'failed');
const opts = (store: ObjectStore, extra: Partial<LeaseOptions> = {}): LeaseOptions => ({
  store,
  clock: systemClock,
  holder: { host: 'test-host', pid: 1 },
  ttlMs: 60_000,
  ...extra,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(stores)('conditional writes and leases on the %s store', (_name, open) => {
  it('putIfAbsent creates once; putIfMatch and deleteIfMatch act only on the tag they name', async () => {
    const store = await open();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.putIfAbsent('_state/x.json', `{"i":${i}}`, 'application/json')),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const first = await store.getWithTag('_state/x.json');
    expect(first).not.toBeNull();
    expect(JSON.parse(first!.body.toString()).i).toBe(results.indexOf(true));
    expect(await store.putIfAbsent('_state/x.json', '{}', 'application/json')).toBe(false);

    const tag2 = await store.putIfMatch('_state/x.json', '{"v":2}', 'application/json', first!.tag);
    expect(tag2).toBeTruthy();
    expect(await store.putIfMatch('_state/x.json', '{"v":3}', 'application/json', first!.tag)).toBeNull();
    expect(await store.deleteIfMatch('_state/x.json', first!.tag)).toBe(false);
    expect((await store.get('_state/x.json'))?.toString()).toBe('{"v":2}');
    expect(await store.deleteIfMatch('_state/x.json', tag2!)).toBe(true);
    expect(await store.get('_state/x.json')).toBeNull();
    expect(await store.putIfMatch('_state/x.json', '{}', 'application/json', tag2!)).toBeNull();
    expect(await store.list('_state/')).toEqual([]);
  });

  it('a second run finds the lease held until the first releases it; all or none of a run’s leases', async () => {
    const store = await open();
    const other = leaseKey('socketlabs_v1', '1234', 'queued');
    let inside!: () => void;
    const entered = new Promise<void>((r) => {
      inside = r;
    });
    let finish!: () => void;
    const first = withLeases([KEY], opts(store), async () => {
      inside();
      await new Promise<void>((r) => {
        finish = r;
      });
      return 'first';
    });
    await entered;
    const err = await withLeases([other, KEY], opts(store), async () => 'second').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseHeldError);
    expect((err as Error).message).toMatch(
      /another run holds the lease _state\/leases\/socketlabs_v1\/1234\/failed\.json \(pid 1 on test-host, until /,
    );
    // The free lease it took first was given back: a run never sits on half its leases.
    expect(await store.get(other)).toBeNull();
    finish();
    expect(await first).toBe('first');
    expect(await store.get(KEY)).toBeNull();
    expect(await withLeases([KEY, other], opts(store), async () => 'second')).toBe('second');
  });

  it('renews while the work runs; an expired lease is taken over, and its old holder stops with LeaseLostError', async () => {
    const store = await open();
    // ttl 1 s, renewed every third of it: a run of 2 s keeps it (and is still held after 1.5 s, past one ttl).
    const kept = withLeases([KEY], opts(store, { ttlMs: 1000 }), async () => {
      await sleep(2000);
      return 'kept';
    });
    await sleep(1500);
    await expect(withLeases([KEY], opts(store), async () => 'x')).rejects.toBeInstanceOf(LeaseHeldError);
    expect(await kept).toBe('kept');

    // A holder whose clock stalls (frozen, paused) lets its lease expire; another run takes it over.
    let frozen = false;
    const stalling: Clock = {
      now: () => Date.now(),
      monotonic: () => systemClock.monotonic(),
      sleep: async (ms, signal) => {
        while (frozen && !signal?.aborted) await sleep(20);
        await systemClock.sleep(ms, signal);
      },
    };
    let aborted: unknown = null;
    const stalled = withLeases([KEY], opts(store, { ttlMs: 300, clock: stalling }), async (signal) => {
      frozen = true;
      let thief: string;
      try {
        // A renewal already under way when the clock froze may still push the expiry on once: on a loaded machine
        // that lands late, so the thief waits for the lease (as `collect --wait` does) instead of racing it once.
        thief = await withLeases([KEY], opts(store, { wait: true, pollMs: 50 }), async () => 'thief');
      } finally {
        frozen = false;
      }
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
        setTimeout(resolve, 2000);
      });
      aborted = signal.reason;
      return thief;
    });
    await expect(stalled).rejects.toBeInstanceOf(LeaseLostError);
    expect(aborted).toBeInstanceOf(LeaseLostError);
  });

  it('waits for a held lease when asked, and takes at once the lease of a process of this host that is gone', async () => {
    const store = await open();
    const first = withLeases([KEY], opts(store), () => sleep(300));
    await sleep(50);
    const started = Date.now();
    await withLeases([KEY], opts(store, { wait: true, pollMs: 50 }), async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    await first;

    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const doc = {
      owner: 'killed-run',
      holder: { host: hostname(), pid: dead },
      acquiredAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    expect(await store.putIfAbsent(KEY, JSON.stringify(doc), 'application/json')).toBe(true);
    const ds = [{ source: 'socketlabs_v1', scope: '1234', dataset: 'failed' }];
    expect(await collectLeased(ds, { store, clock: systemClock }, async () => 'ran')).toBe('ran');
    // A Lambda holder on "this host" is not judged by pid (sandboxes reuse both): its lease holds until it expires.
    const lambda = { ...doc, holder: { host: hostname(), pid: dead, requestId: 'req-1' } };
    expect(await store.putIfAbsent(KEY, JSON.stringify(lambda), 'application/json')).toBe(true);
    await expect(collectLeased(ds, { store, clock: systemClock }, async () => 'ran')).rejects.toBeInstanceOf(
      LeaseHeldError,
    );
  });
});
