import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTables } from '../../shared/catalog';
import { openLakeQuery } from '../../shared/lake/query';
import { duckdbType } from '../../shared/lake/table';
import { type FaultKind, faultKinds } from '../../shared/sandbox/socketlabs-v1/faults';
import { startV1Simulator, type V1Simulator, type V1SimulatorOptions } from '../../shared/sandbox/socketlabs-v1/server';
import { socketlabsV1Tables } from '../../shared/sources/socketlabs-v1/tables';
import {
  datasetsV1,
  KEY,
  lakeFiles,
  lakeRows,
  localStore,
  runCollection,
  scratch,
  simulatorEnv,
  truthRows,
  USER,
} from '../helpers/collect';

const SERVERS = [1234, 5678];
const FROM = '2026-11-10';
const TO = '2026-11-14';

/** Small but uneven days: a busy one (several pages), a quiet one, an empty one. */
const volumes: Record<string, number[]> = {
  queued: [3000, 40, 0, 1800, 600],
  processed: [2800, 35, 0, 1700, 560],
  failed: [1100, 3, 0, 520, 30],
  complaints: [9, 1, 0, 4, 2],
  engagement: [1400, 12, 0, 700, 90],
};
const profile = (dataset: string, date: string, server: number) => {
  const day = Date.parse(`${date}T00:00:00Z`) - Date.parse(`${FROM}T00:00:00Z`);
  const i = Math.round(day / 86_400_000);
  const base = volumes[dataset]?.[i] ?? 3;
  return server === SERVERS[0] ? base : Math.floor(base / 2);
};

const allFaults: readonly FaultKind[] = faultKinds;

const faultConfigs = [
  { name: 'every fault kind', kinds: allFaults, probability: 0.45, seed: 11 },
  {
    name: 'rows inserted between pages and 429s',
    kinds: ['insert-between-pages', '429'] as FaultKind[],
    probability: 0.2,
    seed: 5,
  },
];
const injected: Record<string, number> = {};

describe.each(faultConfigs)('SocketLabs v1 collection with faults on: $name', ({ kinds, probability, seed }) => {
  let sim: V1Simulator;
  let lakeDir: string;
  let rereads = 0;

  beforeAll(async () => {
    sim = await simulateWeek({ seed: 7, faults: { probability, kinds, seed } });
    lakeDir = await scratch('faults');
    const summary = await runCollection({
      store: localStore(lakeDir),
      env: simulatorEnv(sim, SERVERS),
      from: FROM,
      to: TO,
    });
    expect(summary.windowsFailed).toBe(0);
    expect(summary.counters.retries).toBeGreaterThan(0);
    rereads = summary.datasets.reduce((n, d) => n + d.rereads, 0);
    for (const [k, n] of Object.entries(sim.stats().faultsInjected)) injected[k] = (injected[k] ?? 0) + n;
  });
  afterAll(() => sim.close());

  it.each(datasetsV1)(
    '%s: the lake equals the ground truth row for row (none missing, none twice)',
    async (dataset) => {
      const truth = truthRows(sim, dataset, SERVERS, FROM, TO);
      expect(truth.length).toBeGreaterThan(0);
      expect(await lakeRows(lakeDir, dataset)).toEqual(truth);
    },
  );

  it('re-read a window whenever rows arrived between its pages', () => {
    expect(rereads).toBeGreaterThanOrEqual(sim.stats().faultsInjected['insert-between-pages'] ? 1 : 0);
  });

  it('keeps records stamped exactly at midnight and at 23:59:59, once', async () => {
    const rows = [...(await lakeRows(lakeDir, 'queued')), ...(await lakeRows(lakeDir, 'processed'))].map(
      (r) => JSON.parse(r)[1] as number,
    );
    expect(rows.filter((t) => t % 86_400_000 === 0).length).toBeGreaterThan(0);
    expect(rows.filter((t) => t % 86_400_000 === 86_399_000).length).toBeGreaterThan(0);
  });

  it('DuckDB reads every table with the documented types, event times in UTC', async () => {
    const q = await openLakeQuery({ lakeDir, tables: allTables });
    try {
      for (const table of socketlabsV1Tables) {
        const res = await q.run(`describe ${table.name}`);
        const types = Object.fromEntries(res.rows.map((r) => [r[0], r[1]]));
        for (const c of table.columns) expect(types[c.name], `${table.name}.${c.name}`).toBe(duckdbType[c.type]);
        expect(types.dt).toBe('DATE');
        expect(types.server_id).toBe('VARCHAR');
      }
      const check = await q.run(
        "select count(*) from socketlabs_processed where strftime(event_time at time zone 'UTC', '%Y-%m-%d') <> cast(dt as varchar)",
      );
      expect(check.rows[0]![0]).toBe(0);
    } finally {
      await q.close();
    }
  });

  it('quarantines nothing from clean data and leaves no temp files', async () => {
    const files = await lakeFiles(lakeDir);
    expect(files.filter((f) => f.startsWith('_quarantine'))).toEqual([]);
    expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

/** The v1 simulator over the test week, fast enough that only the client's own budget paces a run. */
function simulateWeek(options: { seed: number; faults?: V1SimulatorOptions['faults'] }): Promise<V1Simulator> {
  return startV1Simulator({
    ...options,
    serverIds: SERVERS,
    from: '2026-11-09',
    to: '2026-11-15',
    profile,
    username: USER,
    apiKey: KEY,
    requestsPerSecond: 400,
    burst: 4,
  });
}

describe('fault coverage', () => {
  it('every kind of fault was injected at least once across the fault runs', () => {
    for (const kind of allFaults) expect(injected[kind] ?? 0, kind).toBeGreaterThan(0);
  });
});

describe('SocketLabs v1 collection: windows, re-runs and deadlines', () => {
  let sim: V1Simulator;
  beforeAll(async () => {
    sim = await simulateWeek({ seed: 3 });
  });
  afterAll(() => sim.close());

  it('splits busy days into hour windows only as far as needed, and the lake is still exact', async () => {
    const lakeDir = await scratch('split');
    const summary = await runCollection({
      store: localStore(lakeDir),
      env: simulatorEnv(sim, SERVERS, { INBOXLAKE_MAX_ROWS_PER_WINDOW: '500' }),
      from: FROM,
      to: TO,
    });
    const queued = summary.datasets.find((d) => d.dataset === 'queued' && d.scope === '1234')!;
    expect(queued.windows).toBeGreaterThan(3);
    for (const dataset of datasetsV1) {
      expect(await lakeRows(lakeDir, dataset), dataset).toEqual(truthRows(sim, dataset, SERVERS, FROM, TO));
    }
  });

  it('a re-run replaces files instead of adding them and picks up late records once', async () => {
    const lakeDir = await scratch('rerun');
    // Before their last re-read the windows are not final yet, so the second run (a backfill) re-pulls them.
    const env = simulatorEnv(sim, SERVERS, { INBOXLAKE_REREAD_AFTER: '60d' });
    await runCollection({ store: localStore(lakeDir), env, from: FROM, to: TO, formats: ['parquet', 'csv'] });
    const filesBefore = await lakeFiles(lakeDir);
    sim.insert('failed', 1234, {
      DateTime: '2026-11-11T23:59:59Z',
      MessageId: 'late-1',
      MailingId: 'm',
      ToAddress: 'late@example.org',
      FromAddress: 'news@example.com',
      FailureType: 1,
      FailureCode: 2001,
      Reason: '550 late',
    });
    await runCollection({ store: localStore(lakeDir), env, from: FROM, to: TO, formats: ['parquet', 'csv'] });
    expect(await lakeFiles(lakeDir)).toEqual(filesBefore);
    const rows = await lakeRows(lakeDir, 'failed');
    expect(rows.filter((r) => r.includes('late-1'))).toHaveLength(1);
    expect(rows).toEqual(truthRows(sim, 'failed', SERVERS, FROM, TO));
  });

  it('skips windows that are final (collected after their last re-read) without any report call', async () => {
    const lakeDir = await scratch('final');
    const env = simulatorEnv(sim, SERVERS, { INBOXLAKE_REREAD_AFTER: '2d' });
    const first = await runCollection({ store: localStore(lakeDir), env, from: FROM, to: TO });
    const files = await lakeFiles(lakeDir);
    const second = await runCollection({ store: localStore(lakeDir), env, from: FROM, to: TO });
    // Only the account snapshots (one per server) are fetched again.
    expect(second.counters.apiCalls).toBe(SERVERS.length);
    expect(first.counters.apiCalls).toBeGreaterThan(SERVERS.length * 15);
    expect(second.datasets.reduce((n, d) => n + d.skippedFinal, 0)).toBe(SERVERS.length * 5 * 5);
    expect(await lakeFiles(lakeDir)).toEqual(files);
  });

  it('stops before its deadline and, run again and again, ends with the lake of a one-shot run', async () => {
    const oneShot = await scratch('oneshot');
    const env = simulatorEnv(sim, SERVERS, { SOCKETLABS_REQUESTS_PER_SECOND: '40' });
    await runCollection({ store: localStore(oneShot), env, from: FROM, to: TO });

    const resumed = await scratch('resumed');
    let runs = 0;
    let left = Number.POSITIVE_INFINITY;
    while (left > 0 && runs < 40) {
      runs++;
      const s = await runCollection({
        store: localStore(resumed),
        env,
        from: FROM,
        to: TO,
        deadline: Date.now() + 400,
      });
      left = s.windowsLeft;
    }
    expect(runs).toBeGreaterThan(1);
    expect(left).toBe(0);
    expect(await lakeFiles(resumed)).toEqual(await lakeFiles(oneShot));
    for (const dataset of datasetsV1)
      expect(await lakeRows(resumed, dataset)).toEqual(await lakeRows(oneShot, dataset));
  });
});
