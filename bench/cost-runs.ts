import type { SESClient } from '@aws-sdk/client-ses';
import { emfLine } from '../functions/metrics';
import { COLLECTOR_TIMEOUT, METRICS_NAMESPACE } from '../infra/constructs/lambda-function';
import { loadAlertThresholds } from '../shared/app/alert-config';
import { announceAlerts } from '../shared/app/alert-outbox';
import { produceAlerts } from '../shared/app/alerts';
import { collectSource, reportOf, type SourceSummary } from '../shared/app/collect';
import { produceDigest } from '../shared/app/digest';
import { fileWriters } from '../shared/app/lake';
import { loadRuntimeConfig } from '../shared/app/secrets';
import { loadDigestConfig, loadLakeConfig } from '../shared/config';
import { type Clock, systemClock } from '../shared/core/clock';
import { yesterdayIn } from '../shared/digest/day';
import { RateBudgetRegistry } from '../shared/engine/rate-budget';
import { createLogger } from '../shared/log';
import { commandFromEnv, descriptorFor } from '../shared/sources';
import { cpuSecondsSince } from './cases';
import { type DeployedFunctionInfo, runsOn } from './cost-infra';
import { type CountingStore, noCounts, type S3Counts } from './counting-store';

/**
 * Scheduled runs as the deployed functions make them, on simulated days: each collector at its schedule's minute of
 * every hour, the digest once a day, each through the use case its handler calls (the handler's own request for a
 * scheduled `{}` event, so whatever re-read policy the build has is what runs), against the API simulators, with a
 * clock set to the simulated time. The simulators' rate windows run RATE_SCALE× faster than the real APIs' and the
 * clients are told so; the time the clients sleep for rate limits is recorded and scaled back.
 */

/** How much faster than the real APIs the simulated rate limits run. */
export const RATE_SCALE = 100;

/**
 * Wall time as the simulated clock says, advancing in real time from each `set`. Sleeps that run to their end are
 * recorded as intervals: their union is the time the run waited (concurrent workers waiting together count once),
 * and a sleep cut short by its signal (the lease renewer's, stopped when the run ends) is not a wait of the run.
 */
export class SimClock implements Clock {
  private base = 0;
  private realAtBase = performance.now();
  private waits: [number, number][] = [];

  set(epochMs: number): void {
    this.base = epochMs;
    this.realAtBase = performance.now();
    this.waits = [];
  }
  now(): number {
    // Whole milliseconds, as Date.now() gives: timestamps written to the lake are integers.
    return this.base + Math.floor(performance.now() - this.realAtBase);
  }
  monotonic(): number {
    return performance.now();
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const start = performance.now();
    await systemClock.sleep(ms, signal);
    this.waits.push([start, performance.now()]);
  }
  /** Milliseconds since the last `set` during which at least one completed sleep was under way. */
  waitedMs(): number {
    let total = 0;
    let end = Number.NEGATIVE_INFINITY;
    for (const [a, b] of [...this.waits].sort((x, y) => x[0] - y[0])) {
      if (b <= end) continue;
      total += b - Math.max(a, end);
      end = b;
    }
    return total;
  }
}

/** The stack's topic is a token in the template; its stand-in, so announcements go through the outbox as deployed. */
const BENCH_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:inboxlake-alerts';

/** One invocation as measured on the simulator. */
export interface RunFigures {
  readonly function: string;
  readonly at: string;
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  /** Time the clients slept (rate limits, retries) on the sped-up simulator: × RATE_SCALE in reality. */
  readonly sleptSeconds: number;
  readonly rows: number;
  readonly apiCalls: number;
  /** Rows of each window of the `messages`-like windowed datasets read, to price the pages a full volume needs. */
  readonly windowRows: readonly number[];
  readonly more: boolean;
  readonly s3: S3Counts;
  /** Bytes of the JSON log lines and EMF metric lines the invocation writes. */
  readonly logBytes: number;
}

export interface ScheduleOptions {
  readonly functions: readonly DeployedFunctionInfo[];
  readonly store: CountingStore;
  readonly tmpDir: string;
  readonly clock: SimClock;
  /** Per function name: the environment overrides pointing it at a simulator (and its credentials). */
  readonly overrides: Readonly<Record<string, Record<string, string>>>;
  readonly fetch?: typeof fetch;
}

/** Runs every scheduled invocation of `days` (UTC midnights) in time order; returns each one's figures. */
export async function runSchedule(days: readonly number[], o: ScheduleOptions): Promise<RunFigures[]> {
  const plan = days
    .flatMap((day) => o.functions.flatMap((f) => runsOn(f, day).map((at) => ({ at, f }))))
    .sort((a, b) => a.at - b.at);
  const out: RunFigures[] = [];
  for (const { at, f } of plan) out.push(await invoke(f, at, o));
  return out;
}

/** One invocation of a deployed function at simulated time `at` with `event`, as its handler would run it. */
export async function invoke(
  f: DeployedFunctionInfo,
  at: number,
  o: ScheduleOptions,
  event: Record<string, unknown> = {},
): Promise<RunFigures> {
  const env: Record<string, string> = { ...f.env, ...o.overrides[f.name] };
  let logBytes = 0;
  const write = (line: string) => {
    logBytes += Buffer.byteLength(line) + 1;
  };
  const log = createLogger({ json: true, write });
  o.store.counts = noCounts();
  o.clock.set(at);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const lake = { ...loadLakeConfig({ ...env, INBOXLAKE_LAKE: '/unused' }), tmpDir: o.tmpDir };
  let rows = 0;
  let apiCalls = 0;
  let more = false;
  const windowRows: number[] = [];
  if (f.name === 'digest') {
    const config = loadDigestConfig(env);
    let mails = 0;
    // SES stand-in: the send is counted (and priced per mail), its marker written to the lake as in production.
    const ses = {
      send: async () => ({ MessageId: `bench-${++mails}`, $metadata: {} }),
    } as unknown as SESClient;
    const result = await produceDigest(
      o.store,
      config,
      { date: yesterdayIn(config.timeZone, at), timeZone: config.timeZone, send: true, force: false },
      { now: () => o.clock.now(), ses, log },
    );
    log.info('digest finished', { date: result.digest.date, subject: result.subject, ...result.sent });
    write(emfLine(METRICS_NAMESPACE, 'DigestSent', result.sent?.sent ? 1 : 0, { Source: 'digest' }, at));
  } else if (f.name === 'alerts') {
    // The evaluation and its announcements as the function runs them; SNS and the webhook are counted, not called.
    const result = await produceAlerts(o.store, { at, thresholds: loadAlertThresholds(env) }, { log });
    const publish = async () => undefined;
    const sent = await announceAlerts(
      o.store,
      result,
      { topicArn: env.INBOXLAKE_ALERT_TOPIC_ARN ?? BENCH_TOPIC_ARN },
      { publish, log },
    );
    log.info('alerts evaluated', { closedUntil: result.report.closed_until, ...sent });
  } else {
    const command = commandFromEnv(env);
    const config = await loadRuntimeConfig(command, env);
    const source = descriptorFor(command, config);
    const summary: SourceSummary = await collectSource(
      source,
      config,
      command.lambda.request(command.lambda.eventSchema.parse(event) as never, config, at),
      {
        store: o.store,
        formats: lake.formats,
        writers: fileWriters,
        tmpDir: o.tmpDir,
        dtProjectionStart: lake.dtProjectionStart,
        fetch: o.fetch ?? ((url: string, init: RequestInit) => fetch(url, init)),
        clock: o.clock,
        // A new container each hour: the budgets start full, as after a cold start.
        budgets: new RateBudgetRegistry(),
        log,
        deadline: at + COLLECTOR_TIMEOUT.toMilliseconds(),
        reserveMs: command.lambda.reserveMs,
        onEvent: (e) => {
          if (e.type === 'window-done' && e.rows !== undefined) windowRows.push(e.rows);
        },
      },
    );
    const report = reportOf(summary);
    log.info('collection finished', report);
    write(
      emfLine(
        METRICS_NAMESPACE,
        'RowsLanded',
        Number(report.rows),
        { Source: command.name, Account: env.INBOXLAKE_ACCOUNT ?? 'default' },
        at,
      ),
    );
    rows = Number(report.rows);
    apiCalls = summary.counters.apiCalls;
    more = report.more;
  }
  return {
    function: f.name,
    at: new Date(at).toISOString(),
    cpuSeconds: cpuSecondsSince(cpu),
    wallSeconds: (performance.now() - started) / 1000,
    sleptSeconds: o.clock.waitedMs() / 1000,
    rows,
    apiCalls,
    windowRows,
    more,
    s3: o.store.counts,
    logBytes,
  };
}
