/**
 * The measured cases `npm run bench` (bench/run.ts) and `npm run bench -- cost` (bench/cost.ts) both run, each in a
 * child process of theirs so its CPU time and peak RSS belong to that case alone.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { fileWriters } from '../shared/app/lake';
import type { LakeFormat } from '../shared/lake/file-writer';
import { LocalFolderStore } from '../shared/lake/local-store';
import { openWindowWriter } from '../shared/lake/window-writer';
import { generateV1Data } from '../shared/sandbox/socketlabs-v1/dataset';
import { mapProcessed } from '../shared/sources/socketlabs-v1/mapping';
import { socketlabsProcessed } from '../shared/sources/socketlabs-v1/tables';
import { runCollection, scratch } from '../test/helpers/collect';
export const DAY = '2026-11-20';
export const PAGE = 500;

export interface ConvertResult {
  rows: number;
  seconds: number;
  /** User + system CPU seconds of the process while converting. */
  cpuSeconds: number;
  peakRssMb: number;
  bytes: number;
}

/** Writes the API's JSON pages (the v1 envelope, 500 rows each) for `rows` processed messages of one day. */
export function writePages(rows: number, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const store = generateV1Data({
    seed: 1,
    serverIds: [1234],
    from: DAY,
    to: DAY,
    profile: (d) => (d === 'processed' ? rows : 0),
  });
  const start = Date.parse(`${DAY}T00:00:00Z`) / 1000;
  const range = store.range('processed', 1234, start, start + 86_399);
  for (let i = range.start, page = 0; i < range.end; i += PAGE, page++) {
    const collection = store.slice('processed', 1234, i, Math.min(range.end, i + PAGE));
    const body = {
      timestamp: new Date().toISOString(),
      totalCount: rows,
      totalPages: Math.ceil(rows / PAGE),
      count: collection.length,
      collection,
    };
    writeFileSync(join(dir, `page-${String(page).padStart(5, '0')}.json`), JSON.stringify(body));
  }
}

/** User + system CPU seconds of this process since `start` (a process.cpuUsage() reading). */
export const cpuSecondsSince = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
};

export const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Child: the inboxlake path from page files to a published Parquet (or CSV) file. */
export async function convertWithInboxlake(pagesDir: string, format: LakeFormat): Promise<ConvertResult> {
  const lake = mkdtempSync(join(tmpdir(), 'bench-lake-'));
  const cpu = process.cpuUsage();
  const started = performance.now();
  const window = { start: Date.parse(`${DAY}T00:00:00Z`), end: Date.parse(`${DAY}T00:00:00Z`) + 86_400_000 };
  const writer = await openWindowWriter({
    store: new LocalFolderStore(lake),
    table: socketlabsProcessed,
    partition: { dt: DAY, server_id: 1234 },
    window,
    formats: [format],
    writers: fileWriters,
    tmpDir: mkdtempSync(join(tmpdir(), 'bench-tmp-')),
    now: () => Date.now(),
  });
  let rows = 0;
  const ingestedAt = Date.now();
  for (const file of readdirSync(pagesDir).sort()) {
    const page = JSON.parse(readFileSync(join(pagesDir, file), 'utf8')) as { collection: unknown[] };
    const out = [];
    for (const raw of page.collection) {
      const mapped = mapProcessed(raw, ingestedAt);
      if (mapped.ok) out.push(mapped.row);
    }
    await writer.append(out);
    rows += out.length;
  }
  const result = await writer.commit();
  const seconds = (performance.now() - started) / 1000;
  return { rows, seconds, cpuSeconds: cpuSecondsSince(cpu), peakRssMb: peakRssMb(), bytes: result.bytes };
}

/** Starts the simulator in a child process; resolves with its URL and a function that stops it and returns its stats. */
export async function simulatorProcess(options: Record<string, unknown>, api: 'v1' | 'v2' = 'v1') {
  const self = fileURLToPath(new URL('./simulator-process.ts', import.meta.url));
  const proc = spawn(process.execPath, [...process.execArgv, self, api, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout! });
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  const { url } = JSON.parse(String(first.value)) as { url: string };
  return {
    url,
    async stop(): Promise<{ rateLimited: number; requests: number }> {
      proc.stdin!.end();
      const stats = await it.next();
      return JSON.parse(String(stats.value)) as { rateLimited: number; requests: number };
    },
  };
}

export interface V2Result {
  calls: number;
  seconds: number;
  cpuSeconds: number;
  rows: number;
  peakRssMb: number;
  route: string;
}

/** Child: collects one v2 day of messages from the simulator at `url`, on the CSV route or (downloads 404) JSON. */
export async function collectV2Day(url: string, day: string, route: string): Promise<V2Result> {
  const noDownloads = (u: string, init: RequestInit) =>
    new URL(u).pathname.endsWith('/download')
      ? Promise.resolve(new Response('{"error":[{"errorType":"NotFound","message":"no such route"}]}', { status: 404 }))
      : fetch(u, init);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const s = await runCollection({
    store: new LocalFolderStore(await scratch('bench-v2')),
    env: {
      SOCKETLABS_API_URL: url,
      SOCKETLABS_API_KEY: 'bench-key',
      SOCKETLABS_SERVER_IDS: '1',
      SOCKETLABS_RATE_SCALE: String(V2_SCALE),
      SOCKETLABS_TIMEOUT_MS: '60000',
      INBOXLAKE_MAX_ROWS_PER_WINDOW: '2000000',
    },
    from: day,
    to: day,
    datasets: ['messages'],
    fetch: route === 'json' ? noDownloads : undefined,
  });
  const d = s.datasets[0]!;
  return {
    calls: s.counters.apiCalls,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSecondsSince(cpu),
    rows: d.rows,
    peakRssMb: peakRssMb(),
    route: d.route ?? '?',
  };
}

/** The v2 limits are per minute; the bench runs the simulator's windows (and the client's budgets) 100× faster. */
export const V2_SCALE = 100;
