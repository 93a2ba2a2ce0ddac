import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTables } from '../../shared/catalog';
import { formatCollectSummary } from '../../shared/cli/summary';
import type { FetchLike } from '../../shared/engine/http';
import { openLakeQuery } from '../../shared/lake/query';
import { type V2FaultKind, v2FaultKinds } from '../../shared/sandbox/socketlabs-v2/faults';
import { startV2Simulator, type V2Simulator } from '../../shared/sandbox/socketlabs-v2/server';
import { runCli, startCli } from '../helpers/cli';
import { lakeFiles, localStore, rollupDocuments, runCollection, scratch } from '../helpers/collect';
import { EXTREME_V2_EVENTS, KEY_V2, lakeMessages, truthMessages, v2Env } from '../helpers/collect-v2';

const SERVERS = [1234, 5678];
const FROM = '2026-11-10';
const TO = '2026-11-13';
/** Simulator windows run 100× faster than a minute; the client is told the same. */
const SCALE = 100;
const profile = (date: string, server: number) => {
  const base = { '2026-11-10': 1800, '2026-11-11': 40, '2026-11-12': 0, '2026-11-13': 900 }[date] ?? 5;
  return server === SERVERS[0] ? base : Math.floor(base / 3);
};
const start = (faults?: { probability: number; kinds: readonly V2FaultKind[]; seed: number }, extra = {}) =>
  startV2Simulator({
    seed: 5,
    serverIds: SERVERS,
    from: '2026-11-09',
    to: '2026-11-14',
    profile,
    // Every event type in a few thousand items, complaints included: the rollups test below needs each one.
    events: EXTREME_V2_EVENTS,
    apiKey: KEY_V2,
    limits: { timeScale: SCALE },
    faults,
    now: () => new Date('2026-11-23T08:00:00Z'),
    ...extra,
  });

/** A fetch in front of the simulator that answers 404 on the CSV download paths, as an API without them would. */
const withoutDownloads: FetchLike = (url, init) =>
  new URL(url).pathname.endsWith('/download')
    ? Promise.resolve(new Response('{"error":[{"errorType":"NotFound","message":"no such route"}]}', { status: 404 }))
    : fetch(url, init);

const injected: Record<string, number> = {};
const faultKinds: readonly V2FaultKind[] = v2FaultKinds;

describe.each([
  { name: 'every kind', route: 'csv', fetch: undefined, csvPageSize: '200', kinds: faultKinds },
  { name: 'every kind', route: 'json', fetch: withoutDownloads, csvPageSize: '500000', kinds: faultKinds },
  {
    name: 'downloads cut short',
    route: 'csv',
    fetch: undefined,
    csvPageSize: '300',
    kinds: ['csv-cut-mid-row', 'truncated'] as V2FaultKind[],
  },
])(
  'SocketLabs v2 collection with faults on ($name), $route route',
  ({ route, fetch: fetchImpl, csvPageSize, kinds }) => {
    let sim: V2Simulator;
    let lakeDir: string;
    beforeAll(async () => {
      sim = await start({ probability: 0.45, kinds, seed: 8 });
      lakeDir = await scratch(`v2-${route}`);
      const summary = await runCollection({
        store: localStore(lakeDir),
        env: v2Env(sim, SERVERS, SCALE, { SOCKETLABS_CSV_PAGE_SIZE: csvPageSize }),
        from: FROM,
        to: TO,
        fetch: fetchImpl,
      });
      expect(summary.windowsFailed).toBe(0);
      expect(summary.datasets.every((d) => d.route === route)).toBe(true);
      expect(summary.counters.retries).toBeGreaterThan(0);
    });
    afterAll(() => sim.close());

    it('the lake equals the ground truth row for row, none missing, none twice', async () => {
      const truth = truthMessages(sim, SERVERS, FROM, TO);
      expect(truth.length).toBeGreaterThan(2000);
      expect(await lakeMessages(lakeDir)).toEqual(truth);
    });

    it('survived faults, re-reading windows where rows arrived between pages or a download was cut', () => {
      for (const [k, n] of Object.entries(sim.stats().faultsInjected)) injected[k] = (injected[k] ?? 0) + n;
      expect(Object.keys(sim.stats().faultsInjected).length).toBeGreaterThanOrEqual(Math.min(4, kinds.length));
    });

    it('rollups count what the raw table holds, by event type and failure type (what a digest needs)', async () => {
      const fromRollups = new Map<string, number>();
      // Final days' documents are compacted by the collection; their shares count the same.
      const docs = await rollupDocuments(lakeDir, '_rollups/socketlabs_messages/');
      for (const doc of docs.filter((d) => d.rollup === 'totals')) {
        for (const [, eventType, failureType, , n] of doc.counts) {
          const key = `${eventType}/${failureType}`;
          fromRollups.set(key, (fromRollups.get(key) ?? 0) + Number(n));
        }
      }
      const q = await openLakeQuery({ lakeDir, tables: allTables });
      const sql = await q.run('select event_type, failure_type_name, count(*) from socketlabs_messages group by all');
      await q.close();
      const fromSql = new Map(sql.rows.map((r) => [`${r[0]}/${r[1]}`, Number(r[2])]));
      expect(Object.fromEntries(fromRollups)).toEqual(Object.fromEntries(fromSql));
      for (const type of ['queued', 'delivered', 'failed', 'complaint', 'open', 'click']) {
        expect(
          [...fromRollups.keys()].some((k) => k.startsWith(`${type}/`)),
          type,
        ).toBe(true);
      }
    });

    it('failure rollups count exactly the bounces of the raw table', async () => {
      const sums: Record<string, number> = { bounces: 0, hard_bounces: 0 };
      for (const doc of await rollupDocuments(lakeDir, '_rollups/socketlabs_messages/')) {
        if (doc.rollup in sums)
          sums[doc.rollup] = (sums[doc.rollup] ?? 0) + doc.counts.reduce((n, c) => n + Number(c.at(-1)), 0);
      }
      const q = await openLakeQuery({ lakeDir, tables: allTables });
      const sql = await q.run(
        "select count(*) filter (where failure_type_name in ('hard', 'soft')), " +
          "count(*) filter (where failure_type_name = 'hard') from socketlabs_messages",
      );
      await q.close();
      expect(sums.hard_bounces).toBeGreaterThan(0);
      expect([sums.bounces, sums.hard_bounces]).toEqual(sql.rows[0]!.map(Number));
    });

    it('landed the suppression list snapshot and quarantined nothing', async () => {
      const files = await lakeFiles(lakeDir);
      expect(files.filter((f) => f.startsWith('socketlabs_suppressions/')).length).toBe(SERVERS.length);
      expect(files.filter((f) => f.startsWith('_quarantine'))).toEqual([]);
    });
  },
);

describe.each([
  { route: 'json', fetch: withoutDownloads },
  { route: 'csv', fetch: undefined },
])('a suppression list that changes while it is paged ($route route)', ({ route, fetch: fetchImpl }) => {
  it('is read again until no change happened between its pages: the snapshot equals the list, each address once', async () => {
    const sim = await start({ probability: 0.25, kinds: ['suppressions-change-between-pages'], seed: 8 });
    try {
      const lakeDir = await scratch(`v2-suppressions-${route}`);
      const summary = await runCollection({
        store: localStore(lakeDir),
        // 100-row pages on both routes, so each list (180-420 addresses) takes several pages.
        env: v2Env(sim, SERVERS, SCALE, { SOCKETLABS_CSV_PAGE_SIZE: '100' }),
        from: FROM,
        to: TO,
        datasets: ['suppressions'],
        fetch: fetchImpl,
      });
      const changes = sim.stats().faultsInjected['suppressions-change-between-pages'] ?? 0;
      injected['suppressions-change-between-pages'] = (injected['suppressions-change-between-pages'] ?? 0) + changes;
      expect(changes).toBeGreaterThan(0);
      expect(summary.windowsFailed).toBe(0);
      expect(summary.datasets.every((d) => d.route === route)).toBe(true);
      expect(summary.datasets.reduce((n, d) => n + d.rereads, 0)).toBeGreaterThan(0);
      const q = await openLakeQuery({ lakeDir, tables: allTables });
      const res = await q.run('select server_id, email_address from socketlabs_suppressions');
      await q.close();
      const lake = res.rows.map((r) => `${r[0]} ${r[1]}`).sort();
      const truth = SERVERS.flatMap((id) => sim.suppressions(id).map((x) => `${id} ${x.emailAddress}`)).sort();
      // Before: 1 address missed and 1 landed twice on each route (the list changed once while paged).
      expect(lake).toEqual(truth);
    } finally {
      await sim.close();
    }
  });
});

describe('v2 fault coverage', () => {
  it('every kind of fault was injected at least once across both routes', () => {
    for (const kind of faultKinds) expect(injected[kind] ?? 0, kind).toBeGreaterThan(0);
  });
});

describe('SocketLabs v2 collection: limits and errors', () => {
  let sim: V2Simulator;
  beforeAll(async () => {
    sim = await start(undefined, { historyDays: { 1234: 90, 5678: 12 } });
  });
  afterAll(() => sim.close());

  it('provokes no 429 in normal running, and days beyond a plan limit are skipped with a message', async () => {
    const lakeDir = await scratch('v2-limits');
    sim.resetStats();
    const summary = await runCollection({
      store: localStore(lakeDir),
      env: v2Env(sim, SERVERS, SCALE),
      from: FROM,
      to: TO,
    });
    expect(sim.stats().rateLimited).toBe(0);
    expect(summary.counters.rateLimited).toBe(0);
    const limited = summary.datasets.find((d) => d.dataset === 'messages' && d.scope === '5678')!;
    // Plan history of 12 days before 2026-11-23: it begins at 2026-11-11 00:00, so only 2026-11-10 is refused.
    // Before: the 1-s pad put the request for 11-11 on 11-10, so 11-11 was refused too (2 days, 2 windows).
    expect(limited.outsideHistory.map((w) => new Date(w.start).toISOString().slice(0, 10))).toEqual(['2026-11-10']);
    expect(limited.windows).toBe(3);
    expect(await lakeMessages(lakeDir)).toEqual(
      [...truthMessages(sim, [1234], FROM, TO), ...truthMessages(sim, [5678], '2026-11-11', TO)].sort(),
    );
  });

  it('one failing dataset fails only itself: the other servers are collected, the summary marks it', async () => {
    // Server 1234's suppression list answers 200 with an empty body, on every attempt, on both routes.
    const emptySuppressions: FetchLike = (url, init) =>
      new URL(url).pathname.includes('/servers/1234/suppressions')
        ? Promise.resolve(new Response('', { status: 200, headers: { 'content-type': 'application/json' } }))
        : fetch(url, init);
    const lakeDir = await scratch('v2-one-fails');
    // Before: the run threw after server 1234's suppressions; server 5678 was never asked and no summary printed.
    const summary = await runCollection({
      store: localStore(lakeDir),
      env: v2Env(sim, SERVERS, SCALE),
      from: '2026-11-12',
      to: '2026-11-13',
      fetch: emptySuppressions,
    });
    const by = (dataset: string, scope: string) =>
      summary.datasets.find((d) => d.dataset === dataset && d.scope === scope)!;
    expect(by('suppressions', '1234').failed).toHaveLength(1);
    expect(by('suppressions', '1234').rows).toBe(0);
    expect(by('messages', '1234').failed).toEqual([]);
    expect(by('suppressions', '5678').rows).toBe(sim.suppressions(5678).length);
    expect(by('messages', '5678').windows).toBe(2);
    expect(summary.windowsFailed).toBe(1);
    expect(await lakeMessages(lakeDir)).toEqual(truthMessages(sim, SERVERS, '2026-11-12', '2026-11-13'));
    const text = formatCollectSummary(summary);
    expect(text).toMatch(/^socketlabs_suppressions\s+1234\s.*\s1$/m);
    expect(text).toMatch(/^failed: socketlabs_suppressions server 1234 /m);
  });

  it('wrong key: authentication failed, the key printed nowhere, nothing written', async () => {
    const lake = await scratch('v2-badkey');
    const wrong = 'Wr0ng-v2-K3y-value';
    const res = await runCli(['collect', 'socketlabs', '--from', FROM, '--to', TO], {
      ...v2Env(sim, SERVERS, SCALE, { SOCKETLABS_API_KEY: wrong }),
      INBOXLAKE_LAKE: lake,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/authentication failed/);
    expect(`${res.stdout}${res.stderr}`).not.toContain(wrong);
    expect(await lakeFiles(lake, true)).toEqual([]);
  });

  it('SIGKILL mid-run, then a re-run: the same lake as one uninterrupted run', async () => {
    const env = v2Env(sim, [1234], 20, { SOCKETLABS_CSV_PAGE_SIZE: '300', SOCKETLABS_TIMEOUT_MS: '5000' });
    const oneShot = await scratch('v2-oneshot');
    await runCollection({ store: localStore(oneShot), env, from: FROM, to: TO, datasets: ['messages'] });

    const lake = await scratch('v2-killed');
    const cliEnv = { ...env, INBOXLAKE_LAKE: lake, INBOXLAKE_TMP: await scratch('tmp') };
    const args = ['collect', 'socketlabs', '--from', FROM, '--to', TO, '--datasets', 'messages'];
    const first = startCli(args, cliEnv);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if ((first.stdout().match(/ rows$/gm) ?? []).length >= 1) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const again = await runCli(args, cliEnv);
    expect(again.code, again.stderr).toBe(0);
    expect(await lakeFiles(lake)).toEqual(await lakeFiles(oneShot));
    expect(await lakeMessages(lake)).toEqual(await lakeMessages(oneShot));
    expect(await lakeMessages(lake)).toEqual(truthMessages(sim, [1234], FROM, TO));
  });
});
