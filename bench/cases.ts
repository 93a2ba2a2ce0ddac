/**
 * The measured cases `npm run bench` (bench/run.ts) and `npm run bench -- cost` (bench/cost.ts) both run, each in a
 * child process of theirs so its CPU time and peak RSS belong to that case alone.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LocalFolderStore } from '../shared/lake/local-store';
import { runCollection, scratch } from '../test/helpers/collect';
import { peakRssMb } from './peak-rss';
export const DAY = '2026-11-20';
export const PAGE = 500;

/** User + system CPU seconds of this process since `start` (a process.cpuUsage() reading). */
export const cpuSecondsSince = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
};

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
