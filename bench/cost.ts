/**
 * `npm run bench -- cost [--write-readme] [--volume=0.01]`: the monthly bill of a sender with 1 M messages a day
 * (one SocketLabs v2 account with two servers, SendSage with one test a day, hourly schedules, the stack in infra/
 * with its default config) from figures measured on this build × published prices (bench/cost-model.ts).
 *
 * Measured here: CPU and wall seconds per row of the v2 CSV route and the v1 JSON pages (child processes, like
 * `bench -- v2` / `convert`); a month of data backfilled and then two days of scheduled runs (bench/cost-runs.ts)
 * at `volume` × the real message volume on the simulators, counting API calls, rows, S3 requests (a counting store
 * around the local lake), log bytes and sleeps; the second day is the one priced (the first lets the schedule reach
 * its steady state). Figures that grow with the volume (rows, data bytes) are scaled by 1 / volume, stated per line.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handlerEntries } from '../infra/bundling';
import { allTables } from '../shared/catalog';
import { DAY_MS, utcDay } from '../shared/core/windows';
import { LocalFolderStore } from '../shared/lake/local-store';
import { startSendSageSimulator } from '../shared/sandbox/sendsage/server';
import { commandFromEnv } from '../shared/sources';
import { v2Rates } from '../shared/sources/socketlabs-v2/endpoints';
import { measureBundle } from './bundle';
import { collectV2Day, simulatorProcess } from './cases';
import { v1WithInboxlake, writeV1Pages } from './convert';
import { removeScratch } from './convert-case';
import { readStack, runsOn } from './cost-infra';
import { lakeFiles, namedQueryScans } from './cost-lake';
import { costLines, costTable, PRICES_AS_OF, replaceCostSection, totalOf } from './cost-model';
import { invoke, RATE_SCALE, type RunFigures, runSchedule, SimClock } from './cost-runs';
import { priceRuns, type RowCosts } from './cost-scale';
import { CountingStore } from './counting-store';

/** The sender the model prices. */
const MESSAGES_PER_DAY = 1_000_000;
const TARGET_DOLLARS = 5;
/** Rows of the CPU-per-row cases: enough for the per-row cost to dominate a run's fixed cost. */
const CPU_ROWS = 100_000;
/** Each named query is assumed to run once a day (a dashboard refresh or an analyst's look). */
const ATHENA_RUNS_PER_QUERY_PER_DAY = 1;
const KEY = 'cost-bench-key';

/** Child entry (bench/run.ts `--cost-child`): one CPU-per-row case. */
export async function costChild(args: readonly string[]): Promise<unknown> {
  const [kind, a, b] = args;
  if (kind === 'v2') return collectV2Day(a!, b!, 'csv');
  try {
    return await v1WithInboxlake(a!, 'parquet');
  } finally {
    removeScratch();
  }
}

function child(self: string, args: readonly string[]): { rows: number; cpuSeconds: number; seconds: number } {
  const out = execFileSync(process.execPath, [...process.execArgv, self, '--cost-child', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

/** CPU and wall seconds per row: v2 CSV route (what the priced sender runs) and v1 JSON pages (for reference). */
async function measureRowCosts(self: string): Promise<{ v2: RowCosts; v1: RowCosts }> {
  const day = utcDay(Date.now() - 2 * DAY_MS);
  const sim = await simulatorProcess(
    {
      serverIds: [1],
      from: day,
      to: day,
      rowsPerDay: { [day]: CPU_ROWS },
      apiKey: 'bench-key',
      limits: { timeScale: 100 },
    },
    'v2',
  );
  let v2: RowCosts;
  try {
    const r = child(self, ['v2', sim.url, day]);
    v2 = { rows: r.rows, cpuPerRow: r.cpuSeconds / r.rows, wallPerRow: r.seconds / r.rows };
  } finally {
    await sim.stop();
  }
  const pages = mkdtempSync(join(tmpdir(), 'bench-cost-pages-'));
  try {
    writeV1Pages(CPU_ROWS, pages);
    const r = child(self, ['v1', pages]);
    return { v2, v1: { rows: r.rows, cpuPerRow: r.cpuSeconds / r.rows, wallPerRow: r.seconds / r.rows } };
  } finally {
    rmSync(pages, { recursive: true, force: true });
  }
}

export async function benchCost(self: string, args: readonly string[]): Promise<void> {
  const volume = Number(args.find((a) => a.startsWith('--volume='))?.slice(9) ?? 0.01);
  console.log(
    `\n(cost) monthly bill at ${MESSAGES_PER_DAY.toLocaleString('en-US')} messages a day, prices as of ${PRICES_AS_OF}\n`,
  );
  const facts = readStack();
  const socketlabs = facts.functions.find((f) => f.name === 'collect-socketlabs')!;
  const servers = socketlabs.env.SOCKETLABS_SERVER_IDS!.split(',').map(Number);
  console.log(
    `stack: ${facts.functions.map((f) => `${f.name} ${f.memoryMb} MB, ${runsOn(f, 0).length}/day`).join('; ')}; ` +
      `${facts.alarmMetrics} alarm metrics, ${facts.customMetrics} custom metrics, ${facts.secrets} secrets`,
  );

  const phase = performance.now();
  const rowCosts = await measureRowCosts(self);
  for (const [name, r] of Object.entries(rowCosts)) {
    console.log(
      `${name === 'v2' ? 'v2 CSV route' : 'v1 JSON pages'}: ${(r.cpuPerRow * 1e6).toFixed(1)} CPU s and ` +
        `${(r.wallPerRow * 1e6).toFixed(1)} wall s per 1 M rows (${r.rows.toLocaleString('en-US')} rows measured)`,
    );
  }
  const bundleDir = mkdtempSync(join(tmpdir(), 'bench-cost-bundle-'));
  const initSeconds: Record<string, number> = {};
  const byEntry = new Map<string, number>();
  try {
    // The collectors share one bundle: measured once.
    for (const f of facts.functions) {
      const entry = handlerEntries[f.name as keyof typeof handlerEntries]!;
      if (!byEntry.has(entry))
        byEntry.set(entry, (await measureBundle(f.name as never, entry, bundleDir)).importMs / 1000);
      initSeconds[f.name] = byEntry.get(entry)!;
    }
  } finally {
    rmSync(bundleDir, { recursive: true, force: true });
  }

  console.log(`row costs and bundle init measured in ${((performance.now() - phase) / 1000).toFixed(0)} s`);
  // Two scheduled days (the second priced) after a month of data, all within the simulator's 90 days of history.
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const days = [today - 2 * DAY_MS, today - DAY_MS];
  const monthFrom = utcDay(days[0]! - 30 * DAY_MS);
  const perServer = Math.round((MESSAGES_PER_DAY * volume) / servers.length);
  const rowsPerDay: Record<string, number> = {};
  for (let d = days[0]! - 31 * DAY_MS; d <= days[1]!; d += DAY_MS) rowsPerDay[utcDay(d)] = perServer;
  const v2 = await simulatorProcess(
    {
      serverIds: servers,
      from: utcDay(days[0]! - 31 * DAY_MS),
      to: utcDay(days[1]!),
      rowsPerDay,
      apiKey: KEY,
      limits: { timeScale: RATE_SCALE },
    },
    'v2',
  );
  const clock = new SimClock();
  const sendsage = await startSendSageSimulator({
    from: utcDay(days[0]! - 2 * DAY_MS),
    to: utcDay(days[1]!),
    username: 'bench',
    password: 'bench-password',
    campaignsPerDay: 1,
    now: () => new Date(clock.now()),
  });
  const lakeDir = mkdtempSync(join(tmpdir(), 'bench-cost-lake-'));
  const local = new LocalFolderStore(lakeDir);
  const store = new CountingStore(
    local,
    async (key) => (await stat(join(lakeDir, key)).catch(() => null))?.size ?? null,
    async (path) => (await stat(path)).size,
  );
  const sendsageEnv = { SENDSAGE_USERNAME: 'bench', SENDSAGE_PASSWORD: 'bench-password' };
  const sendsageFn = facts.functions.find((f) => f.name === 'collect-sendsage')!;
  const sendsageRate = (
    commandFromEnv(sendsageFn.env).loadConfig({ ...sendsageFn.env, ...sendsageEnv }) as {
      requestsPerSecond: number;
    }
  ).requestsPerSecond;
  const options = {
    functions: facts.functions,
    store,
    tmpDir: mkdtempSync(join(tmpdir(), 'bench-cost-tmp-')),
    clock,
    overrides: {
      'collect-socketlabs': {
        SOCKETLABS_API_URL: v2.url,
        SOCKETLABS_API_KEY: KEY,
        SOCKETLABS_RATE_SCALE: String(RATE_SCALE),
        SOCKETLABS_TIMEOUT_MS: '60000',
      },
      'collect-sendsage': {
        SENDSAGE_API_URL: sendsage.url,
        ...sendsageEnv,
        SENDSAGE_REQUESTS_PER_SECOND: String(sendsageRate * RATE_SCALE),
      },
    },
  };
  let runs: RunFigures[];
  let backfill: RunFigures;
  const started = performance.now();
  try {
    // A month of data as an operator backfill would land it, then the schedule from the next midnight.
    backfill = await invoke(socketlabs, days[0]! - DAY_MS + 3_600_000, options, {
      from: monthFrom,
      to: utcDay(days[0]! - DAY_MS),
    });
    runs = await runSchedule(days, options);
  } finally {
    await v2.stop();
    await sendsage.close();
  }
  const simSeconds = (performance.now() - started) / 1000;
  const files = await lakeFiles(lakeDir);
  const scans = await namedQueryScans(lakeDir, files, allTables);
  rmSync(lakeDir, { recursive: true, force: true });
  const priced = runs.filter((r) => Date.parse(r.at) >= days[1]!);
  console.log(
    `\nsimulated at ${volume} × the volume (${perServer.toLocaleString('en-US')} messages per server-day): a ` +
      `${backfill.rows.toLocaleString('en-US')}-row month backfilled, then ${runs.length} scheduled runs over 2 days ` +
      `in ${simSeconds.toFixed(0)} s; the second day priced (${priced.length} runs)`,
  );
  const model = priceRuns({
    facts,
    priced,
    rowCosts: rowCosts.v2,
    initSeconds,
    volume,
    files,
    scans,
    rates: v2Rates(1),
    athenaRunsPerQueryPerDay: ATHENA_RUNS_PER_QUERY_PER_DAY,
    messagesPerDay: MESSAGES_PER_DAY,
  });
  model.notes.push(
    `assumed: each named query runs ${ATHENA_RUNS_PER_QUERY_PER_DAY}× a day; every run is a cold start; ` +
      'no free tier is deducted; CPU time as measured on this machine (x86, not the Graviton the stack deploys); ' +
      "the API's own time to produce a download is not known and not included",
  );
  for (const l of model.notes) console.log(l);
  const lines = costLines(model.inputs);
  const table = costTable(lines, TARGET_DOLLARS);
  console.log(`\n${table}\n`);
  const total = totalOf(lines);
  console.log(
    total <= TARGET_DOLLARS
      ? `total $${total.toFixed(2)} a month: within the $${TARGET_DOLLARS} target`
      : `total $${total.toFixed(2)} a month: over the $${TARGET_DOLLARS} target by $${(total - TARGET_DOLLARS).toFixed(2)}`,
  );
  if (args.includes('--write-readme')) {
    const readme = new URL('../README.md', import.meta.url);
    const section = [
      `Measured by \`npm run bench -- cost\` on ${new Date().toISOString().slice(0, 10)} (us-east-1 prices as of ` +
        `${PRICES_AS_OF}, no free tiers; simulated at ${volume} × the volume and scaled, see bench/cost.ts):`,
      '',
      table,
      '',
      ...model.notes.map((n) => `- ${n}`),
    ].join('\n');
    writeFileSync(readme, replaceCostSection(readFileSync(readme, 'utf8'), section));
    console.log('README.md cost section written');
  }
}
