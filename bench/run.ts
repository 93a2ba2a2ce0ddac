/**
 * `npm run bench`: the figures the issues ask for. Not a test: it prints measurements.
 *  (a) the per-row path (parse, validate, map, rollup, write, publish) on the v1 JSON pages and the v2 CSV download
 *      route at 100 k and 1 M rows, beside DuckDB converting the same pages to Parquet; rows/s, peak RSS
 *      (bench/convert.ts).
 *  (b) a 200-page collection against the simulator at 20 req/s (wall ÷ the ideal 10 s, 429s provoked), and API calls
 *      for a week of quiet and busy days ÷ the floor Σ ceil(rows/500) per dataset-day.
 *  (c) Parquet bytes ÷ CSV bytes for the same rows.
 *  (v2) a 1 M-message day over the SocketLabs v2 CSV download route and JSON pages.
 *  (digest) the daily digest of 10 servers × 100 k and 1 M processed messages a day (bench/digest.ts).
 *  (bundle) each Lambda handler's bundle size and cold import time (bench/bundle.ts).
 *  (reread) a week of hourly scheduled runs, every run re-reading the trailing days vs the re-read schedule
 *      (bench/reread.ts).
 *  (cost) the monthly bill of a 1 M-messages-a-day sender from measured figures (bench/cost.ts); with
 *      `--write-readme`, also into the README's cost section.
 *  (alerts) alerts opened per server-day over 50 of 60 simulated normal days, hourly evaluation (bench/alerts.ts).
 * `npm run bench -- <section>` runs one: convert, rate, calls, v2, digest, bundle, reread, cost, alerts.
 * Measured cases run in child processes so each peak RSS belongs to that case alone.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LocalFolderStore } from '../shared/lake/local-store';
import { startV1Simulator } from '../shared/sandbox/socketlabs-v1/server';
import { runCollection, scratch, simulatorEnv } from '../test/helpers/collect';
import { benchAlerts } from './alerts';
import { benchBundle } from './bundle';
import { collectV2Day, DAY, PAGE, simulatorProcess, V2_SCALE, type V2Result } from './cases';
import { benchConversion } from './convert';
import { benchCost, costChild } from './cost';
import { benchDigest } from './digest';
import { benchReread } from './reread';

const fmt = (n: number) => n.toLocaleString('en-US');

async function benchRate(): Promise<void> {
  console.log(
    '\n(b1) 200 pages at 20 requests/s (simulator in its own process: limit 20/s, bucket of 2; client 20/s)\n',
  );
  const sim = await simulatorProcess({
    serverIds: [1],
    from: DAY,
    to: DAY,
    profileRows: { queued: 100_000 },
    username: 'bench',
    apiKey: 'bench-key',
    requestsPerSecond: 20,
    burst: 2,
  });
  const env = {
    SOCKETLABS_API_URL: sim.url,
    SOCKETLABS_USERNAME: 'bench',
    SOCKETLABS_API_KEY: 'bench-key',
    SOCKETLABS_SERVER_IDS: '1',
    SOCKETLABS_REQUESTS_PER_SECOND: '20',
    SOCKETLABS_TIMEOUT_MS: '10000',
  };
  const sentAt: number[] = [];
  const timedFetch = (url: string, init: RequestInit) => {
    sentAt.push(performance.now());
    return fetch(url, init);
  };
  const started = performance.now();
  const s = await runCollection({
    store: new LocalFolderStore(await scratch('bench-rate')),
    env,
    from: DAY,
    to: DAY,
    datasets: ['queued'],
    fetch: timedFetch,
  });
  const wall = (performance.now() - started) / 1000;
  const stats = await sim.stop();
  const calls = s.counters.apiCalls;
  // n calls at r/s need (n − 1)/r seconds from the first to the last.
  const rate = (calls - 1) / ((sentAt.at(-1)! - sentAt[0]!) / 1000);
  console.log(
    `calls ${calls}; wall ${wall.toFixed(2)} s from run start to lake written; ideal ${(calls / 20).toFixed(2)} s → wall ÷ ideal ${(wall / (calls / 20)).toFixed(3)}`,
  );
  console.log(
    `rate between the first and the last call ${rate.toFixed(2)} req/s = ${(rate / 20).toFixed(3)} of the allowed 20/s; ` +
      `whole run ${(calls / wall / 20).toFixed(3)}; 429s provoked: ${stats.rateLimited}`,
  );
}

async function benchWeekCalls(): Promise<void> {
  console.log('\n(b2) a week of quiet and busy days, 5 datasets, 1 server: API calls ÷ the floor\n');
  const days = ['2026-11-14', '2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
  // Quiet weekend, ordinary weekdays, one very busy day that must be split into hour windows.
  const queuedPerDay = [120, 35, 8_000, 12_500, 260_000, 9_000, 700];
  const share: Record<string, number> = {
    queued: 1,
    processed: 0.93,
    failed: 0.05,
    complaints: 0.002,
    engagement: 0.2,
  };
  const profile = (d: string, date: string) => Math.round((queuedPerDay[days.indexOf(date)] ?? 0) * (share[d] ?? 0));
  const sim = await startV1Simulator({
    serverIds: [1],
    from: '2026-11-13',
    to: '2026-11-21',
    profile,
    username: 'bench',
    apiKey: 'bench-key',
    requestsPerSecond: 1000,
    burst: 5,
  });
  try {
    const env = {
      ...simulatorEnv(sim, [1], { SOCKETLABS_REQUESTS_PER_SECOND: '800' }),
      SOCKETLABS_USERNAME: 'bench',
      SOCKETLABS_API_KEY: 'bench-key',
    };
    const s = await runCollection({
      store: new LocalFolderStore(await scratch('bench-week')),
      env,
      from: days[0]!,
      to: days.at(-1)!,
      datasets: ['failed', 'queued', 'processed', 'complaints', 'engagement'],
    });
    let floor = 0;
    let floorWithEmpty = 0;
    for (const d of ['failed', 'queued', 'processed', 'complaints', 'engagement']) {
      for (const day of days) {
        const rows = profile(d, day);
        floor += Math.ceil(rows / PAGE);
        floorWithEmpty += Math.max(1, Math.ceil(rows / PAGE));
      }
    }
    const windows = s.datasets.reduce((n, r) => n + r.windows, 0);
    console.log(
      `rows ${fmt(s.datasets.reduce((n, r) => n + r.rows, 0))}, windows ${windows} (35 dataset-days), calls ${s.counters.apiCalls}`,
    );
    console.log(
      `floor Σ ceil(rows/500) = ${floor} → calls ÷ floor ${(s.counters.apiCalls / floor).toFixed(3)} (target ≤ 1.1)`,
    );
    console.log(
      `floor counting one call for an empty dataset-day = ${floorWithEmpty} → ${(s.counters.apiCalls / floorWithEmpty).toFixed(3)}`,
    );
  } finally {
    await sim.close();
  }
}

async function benchV2(): Promise<void> {
  console.log(
    `\n(v2) a 1 M-message day: CSV download route vs JSON pages, simulator at the real limits × ${V2_SCALE}\n`,
  );
  const days = { '2026-11-19': 100_000, '2026-11-20': 1_000_000 };
  const sim = await simulatorProcess(
    {
      serverIds: [1],
      from: '2026-11-19',
      to: '2026-11-20',
      rowsPerDay: days,
      apiKey: 'bench-key',
      limits: { timeScale: V2_SCALE },
      now: undefined,
    },
    'v2',
  );
  // 30 message-report calls per 60 s, scaled.
  const rate = (30 / 60) * V2_SCALE;
  const self = fileURLToPath(import.meta.url);
  const run = (route: string, day: string, nodeFlags: string[] = []) =>
    JSON.parse(
      execFileSync(process.execPath, [...nodeFlags, ...process.execArgv, self, '--v2-child', sim.url, day, route], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      })
        .trim()
        .split('\n')
        .at(-1)!,
    ) as V2Result;
  try {
    console.log(
      '| route | rows | calls | floor calls | calls ÷ floor | wall s | API floor s | wall ÷ API floor | peak RSS |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    const cases = [
      ['csv', '2026-11-19', []],
      ['csv', '2026-11-20', []],
      ['csv', '2026-11-20', ['--max-old-space-size=128']],
      ['json', '2026-11-20', []],
    ] as const;
    for (const [route, day, flags] of cases) {
      const r = run(route, day, [...flags]);
      const pageSize = route === 'csv' ? 500_000 : 100;
      const floorCalls = Math.ceil(r.rows / pageSize);
      // The API's floor in time: the calls at the endpoint's rate (n calls need n − 1 intervals).
      const floorSeconds = Math.max(1, floorCalls - 1) / rate;
      const heap = flags.length ? ' (heap ≤ 128 MB)' : '';
      console.log(
        `| ${r.route}${heap} | ${fmt(r.rows)} | ${r.calls} | ${floorCalls} | ${(r.calls / floorCalls).toFixed(2)} | ${r.seconds.toFixed(1)} | ` +
          `${floorSeconds.toFixed(2)} | ${(r.seconds / floorSeconds).toFixed(1)} | ${r.peakRssMb} MB |`,
      );
    }
  } finally {
    const stats = await sim.stop();
    console.log(`\n429s provoked: ${stats.rateLimited}`);
  }
}

async function main(): Promise<void> {
  const [mode, kind, dir] = process.argv.slice(2);
  if (mode === '--v2-child') {
    process.stdout.write(`${JSON.stringify(await collectV2Day(kind!, dir!, process.argv[5]!))}\n`);
    return;
  }
  if (mode === '--cost-child') {
    process.stdout.write(`${JSON.stringify(await costChild(process.argv.slice(3)))}\n`);
    return;
  }
  console.log(`inboxlake bench — node ${process.version}, ${new Date().toISOString()}`);
  const only = process.argv[2];
  if (!only || only === 'convert') await benchConversion(process.execArgv);
  if (!only || only === 'rate') await benchRate();
  if (!only || only === 'calls') await benchWeekCalls();
  if (!only || only === 'v2') await benchV2();
  if (!only || only === 'digest') await benchDigest(process.execArgv);
  if (!only || only === 'bundle') await benchBundle();
  if (!only || only === 'reread') await benchReread(simulatorProcess);
  if (!only || only === 'cost') await benchCost(fileURLToPath(import.meta.url), process.argv.slice(3));
  if (!only || only === 'alerts') await benchAlerts();
}

await main();
