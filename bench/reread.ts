import { type Clock, systemClock } from '../shared/core/clock';
import { DAY_MS, HOUR_MS, utcDay } from '../shared/core/windows';
import { DEFAULT_REREAD_AFTER } from '../shared/engine/reread-schedule';
import { LocalFolderStore } from '../shared/lake/local-store';
import { runScheduled, scratch } from '../test/helpers/collect';

/** Starts a simulator in its own process (bench/run.ts's simulatorProcess). */
type StartSimulator = (
  options: Record<string, unknown>,
  api: 'v2',
) => Promise<{ url: string; stop(): Promise<{ rateLimited: number; requests: number }> }>;

const FIRST_RUN = Date.parse('2026-11-16T00:05:00Z');
const DAYS = 7;
/** The simulator's v2 limits (per minute) run this much faster, and so do the client's budgets. */
const SCALE = 100;

interface DayFigures {
  calls: number;
  rows: number;
  cpuSeconds: number;
}

/** A week of hourly scheduled runs under one policy: the figures of each day of runs. */
async function week(url: string, policy: string): Promise<DayFigures[]> {
  const env = {
    SOCKETLABS_API_URL: url,
    SOCKETLABS_API_KEY: 'bench-key',
    SOCKETLABS_SERVER_IDS: '1',
    SOCKETLABS_RATE_SCALE: String(SCALE),
    SOCKETLABS_TIMEOUT_MS: '60000',
    INBOXLAKE_REREAD_AFTER: policy,
  };
  const store = new LocalFolderStore(await scratch(`bench-reread-${policy}`));
  let now = FIRST_RUN;
  const clock: Clock = { now: () => now, monotonic: systemClock.monotonic, sleep: systemClock.sleep };
  const days: DayFigures[] = Array.from({ length: DAYS }, () => ({ calls: 0, rows: 0, cpuSeconds: 0 }));
  for (let run = 0; run < DAYS * 24; run++) {
    now = FIRST_RUN + run * HOUR_MS;
    const cpu = process.cpuUsage();
    // The Lambda's door: a scheduled event carries no range.
    const s = await runScheduled({ env, store, clock, datasets: ['messages'] });
    const used = process.cpuUsage(cpu);
    if (s.windowsFailed || s.windowsLeft) throw new Error(`run at ${new Date(now).toISOString()} did not finish`);
    const day = days[Math.floor(run / 24)]!;
    day.calls += s.counters.apiCalls;
    day.rows += s.datasets.reduce((n, d) => n + d.rows, 0);
    day.cpuSeconds += (used.user + used.system) / 1e6;
  }
  return days;
}

const sum = (days: DayFigures[], k: keyof DayFigures) => days.reduce((n, d) => n + d[k], 0);
const fmt = (n: number) => n.toLocaleString('en-US');

/** `npm run bench -- reread`: prints the table of both policies and old ÷ new. */
export async function benchReread(startSimulator: StartSimulator): Promise<void> {
  const rowsPerDay = Number(process.env.BENCH_REREAD_ROWS_PER_DAY ?? 2_400);
  console.log(
    `\n(reread) a week of hourly scheduled runs, v2 messages, 1 server, ${fmt(rowsPerDay)} messages a day: ` +
      `every-run (before) vs the re-read schedule ${DEFAULT_REREAD_AFTER}\n`,
  );
  // Data from the first day either policy's first run reaches to the last day of runs.
  const from = utcDay(FIRST_RUN - 4 * DAY_MS);
  const to = utcDay(FIRST_RUN + (DAYS - 1) * DAY_MS);
  const rows: Record<string, number> = {};
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS)
    rows[utcDay(t)] = rowsPerDay;
  const sim = await startSimulator(
    { serverIds: [1], from, to, rowsPerDay: rows, apiKey: 'bench-key', limits: { timeScale: SCALE } },
    'v2',
  );
  try {
    const old = await week(sim.url, 'every-run');
    const neu = await week(sim.url, DEFAULT_REREAD_AFTER);
    console.log('| day of runs | calls old | calls new | rows read old | rows read new | CPU s old | CPU s new |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (let d = 0; d < DAYS; d++) {
      const o = old[d]!;
      const n = neu[d]!;
      console.log(
        `| ${utcDay(FIRST_RUN + d * DAY_MS)} | ${fmt(o.calls)} | ${fmt(n.calls)} | ${fmt(o.rows)} | ${fmt(n.rows)} | ` +
          `${o.cpuSeconds.toFixed(2)} | ${n.cpuSeconds.toFixed(2)} |`,
      );
    }
    const ratio = (k: keyof DayFigures) => (sum(old, k) / sum(neu, k)).toFixed(2);
    console.log(
      `| week | ${fmt(sum(old, 'calls'))} | ${fmt(sum(neu, 'calls'))} | ${fmt(sum(old, 'rows'))} | ${fmt(sum(neu, 'rows'))} | ` +
        `${sum(old, 'cpuSeconds').toFixed(2)} | ${sum(neu, 'cpuSeconds').toFixed(2)} |`,
    );
    // Days 2–7: the steady state, without either policy's catch-up of the days before the first run.
    const steady = (days: DayFigures[], k: keyof DayFigures) => sum(days.slice(1), k);
    const steadyRatio = (k: keyof DayFigures) => (steady(old, k) / steady(neu, k)).toFixed(2);
    console.log(
      `\nold ÷ new over the week: calls ${ratio('calls')}×, rows read ${ratio('rows')}× (target ≥ 5×), CPU ${ratio('cpuSeconds')}×`,
    );
    console.log(
      `old ÷ new, days 2–7 (steady state): calls ${steadyRatio('calls')}×, rows read ${steadyRatio('rows')}×, CPU ${steadyRatio('cpuSeconds')}×`,
    );
  } finally {
    const stats = await sim.stop();
    console.log(`\n429s provoked: ${stats.rateLimited}`);
  }
}
