import { tablePrefixes } from '../shared/lake/layout';
import { commandsOf, generationsOf } from '../shared/sources';
import { type LifecycleRule, runsOn, type StackFacts, transitionsOf } from './cost-infra';
import type { LakeFile, QueryScan } from './cost-lake';
import { athenaBilledBytes, type CostInputs, DAYS_PER_MONTH } from './cost-model';
import { RATE_SCALE, type RunFigures } from './cost-runs';

/**
 * From the runs measured on the simulator at `volume` × the real message volume to a day at full volume: what
 * grows with the rows (CPU and wall time per row, data bytes, CSV pages) is scaled by 1 / volume; what does not
 * (S3 requests per window, rollup and state documents counted per window, log lines) is taken as measured.
 */

/** Seconds per row of a collection route, measured on a case of `rows` rows. */
export interface RowCosts {
  readonly rows: number;
  readonly cpuPerRow: number;
  readonly wallPerRow: number;
}

/**
 * First-byte latency of one S3 request from Lambda in the same region, added per request to the measured run (the
 * local lake answers in microseconds). AWS's performance guidelines give 100–200 ms for the first byte of small
 * objects at the tail; 50 ms is a typical median. The requests are counted as if sent one after another.
 */
const S3_REQUEST_SECONDS = 0.05;
/**
 * Bytes of one line of the lake bucket's server access log: AWS documents the fields, not a size; lines of
 * requests like these (a key of ~100 characters, a user agent, an ARN) are 400–600 bytes, 600 is taken.
 */
const ACCESS_LOG_LINE_BYTES = 600;
/** Lambda gives a function the equivalent of one vCPU at 1,769 MB, and a proportional share below it. */
const FULL_VCPU_MB = 1769;
/** The START, END and REPORT lines Lambda writes per invocation in JSON log format (REPORT carries the metrics). */
const LAMBDA_PLATFORM_LOG_BYTES = 900;
/** A Step Functions execution log event at level ALL without execution data (type, ids, timestamps, ARNs). */
const SFN_LOG_EVENT_BYTES = 400;

export interface PriceRunsInput {
  readonly facts: StackFacts;
  /** The runs of the priced day. */
  readonly priced: readonly RunFigures[];
  readonly rowCosts: RowCosts;
  /** Per function name: seconds of a cold start's module init (measured on its bundle). */
  readonly initSeconds: Readonly<Record<string, number>>;
  readonly volume: number;
  /** The lake after the month and the scheduled days. */
  readonly files: readonly LakeFile[];
  readonly scans: readonly QueryScan[];
  /** The v2 API's real request rates per second (message reports pace the CSV route). */
  readonly rates: Readonly<Record<string, number>>;
  /** The sender's messages a day, to say how often each is read. */
  readonly messagesPerDay: number;
  /** How often each named query runs a day (an assumption the output states). */
  readonly athenaRunsPerQueryPerDay: number;
}

const mean = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0) / Math.max(1, xs.length);

/** The function whose rows scale with the message volume (SendSage's one test a day does not). */
const SCALES = 'collect-socketlabs';

/** Lake keys of the SocketLabs tables (data, rollups, quarantine): their bytes grow with the message volume. */
function scalesWithVolume(key: string): boolean {
  const socketlabs = commandsOf().find((c) => c.name === 'socketlabs')!;
  return generationsOf(socketlabs)
    .flatMap((g) => g.tables.flatMap((t) => tablePrefixes(t.name)))
    .some((prefix) => key.startsWith(prefix));
}

/** The rule of a key: the longest lifecycle prefix it falls under that expires noncurrent versions. */
function noncurrentDaysOf(key: string, rules: readonly LifecycleRule[]): number {
  const matching = rules
    .filter((r) => r.noncurrentDays !== undefined && key.startsWith(r.prefix))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  // No rule: noncurrent versions are kept for ever; a month of them is what this month's bill holds.
  return matching[0]?.noncurrentDays ?? DAYS_PER_MONTH;
}

/** The daily quantities of the bill, and the lines that say how each was derived. */
export function priceRuns(p: PriceRunsInput): { inputs: CostInputs; notes: string[] } {
  const scale = 1 / p.volume;
  const notes: string[] = [];
  const messageInterval = 1 / (p.rates['message-reports'] ?? 0.5);
  const csvPage = 500_000;
  let cpuFull = 0;
  let transitions = 0;
  let logBytes = 0;
  let put = 0;
  let get = 0;
  let deletes = 0;
  let bytesPut = 0;
  let superseded = 0;
  let rowsFull = 0;
  let calls = 0;
  const functions: CostInputs['functions'][number][] = [];
  for (const f of p.facts.functions) {
    const runs = p.priced.filter((r) => r.function === f.name);
    const expected = runsOn(f, 0).length;
    if (runs.length !== expected) throw new Error(`${f.name}: ${runs.length} runs measured, ${expected} scheduled`);
    let seconds = 0;
    let invocations = 0;
    for (const r of runs) {
      const k = f.name === SCALES ? scale : 1;
      const extraRows = r.rows * (k - 1);
      // Pages a full-volume window needs beyond the simulated one, each paced by the message-report limit.
      const extraCalls =
        f.name === SCALES
          ? r.windowRows.reduce((n, w) => n + Math.ceil((w * k) / csvPage) - Math.ceil(w / csvPage), 0)
          : 0;
      const requests = r.s3.put + r.s3.get + r.s3.list + r.s3.delete;
      const cpu = r.cpuSeconds + extraRows * p.rowCosts.cpuPerRow;
      // The rest of the run's wall time on the simulator (local disk, loopback, the simulator's answers), as measured.
      const other = Math.max(0, r.wallSeconds - r.sleptSeconds - r.cpuSeconds);
      seconds +=
        cpu * Math.max(1, FULL_VCPU_MB / f.memoryMb) +
        other +
        r.sleptSeconds * RATE_SCALE +
        extraCalls * messageInterval +
        requests * S3_REQUEST_SECONDS +
        (p.initSeconds[f.name] ?? 0);
      cpuFull += cpu;
      rowsFull += r.rows * k;
      calls += r.apiCalls + extraCalls;
      // A run that answers `more` is invoked again after the pause.
      invocations += r.more ? 2 : 1;
      if (f.stateMachine) {
        transitions += transitionsOf(f.stateMachine, r.more ? [{ more: true }, { more: false }] : [{ more: false }]);
      }
      const sfnEvents = f.stateMachine ? 2 * transitionsOf(f.stateMachine, [{ more: r.more }]) + 4 : 0;
      logBytes += r.logBytes + LAMBDA_PLATFORM_LOG_BYTES + sfnEvents * SFN_LOG_EVENT_BYTES;
      put += r.s3.put + r.s3.list;
      get += r.s3.get;
      deletes += r.s3.delete;
      bytesPut += r.s3.bytesPut * (f.name === SCALES ? scale : 1);
      for (const [key, bytes] of r.s3.superseded) {
        superseded += bytes * (scalesWithVolume(key) ? scale : 1) * noncurrentDaysOf(key, p.facts.lakeRules);
      }
    }
    functions.push({ name: f.name, memoryMb: f.memoryMb, invocationsPerDay: invocations, secondsPerDay: seconds });
    notes.push(
      `${f.name}: ${runs.length} runs a day, ${(seconds / Math.max(1, runs.length)).toFixed(1)} billed s per run ` +
        `(on the simulator: ${mean(runs, (r) => r.wallSeconds).toFixed(2)} s wall, ` +
        `${mean(runs, (r) => r.cpuSeconds).toFixed(2)} CPU s, ${mean(runs, (r) => r.sleptSeconds).toFixed(2)} s waiting, ` +
        `${mean(runs, (r) => r.rows).toFixed(0)} rows, ${mean(runs, (r) => r.apiCalls).toFixed(1)} API calls, ` +
        `${mean(runs, (r) => r.logBytes).toFixed(0)} log bytes a run)`,
    );
  }
  notes.unshift(
    `billed seconds of a run = CPU s at full volume × ${FULL_VCPU_MB} MB ÷ memory (Lambda's share of a vCPU below ` +
      `${FULL_VCPU_MB} MB) + the run's other wall time on the simulator + rate-limit and retry waits × ${RATE_SCALE} ` +
      `(the simulator's limits run ${RATE_SCALE}× faster) + CSV pages a full-volume window adds × ` +
      `${messageInterval.toFixed(1)} s + ${S3_REQUEST_SECONDS * 1000} ms per S3 request + a cold start's import`,
  );
  notes.push(
    `per day at full volume: ${Math.round(rowsFull).toLocaleString('en-US')} rows read, ${calls} API calls, ` +
      `${cpuFull.toFixed(1)} CPU s (${(p.rowCosts.cpuPerRow * 1e6).toFixed(1)} CPU s per 1 M rows on the v2 CSV route), ` +
      `S3 requests from the runs: ${put} PUT/LIST (of which ${p.priced.reduce((n, r) => n + r.s3.list, 0)} LIST), ` +
      `${get} GET/HEAD, ${deletes} DELETE (free); ${(bytesPut / 1e9).toFixed(2)} GB put`,
  );

  notes.push(
    `each message row is read ${(rowsFull / p.messagesPerDay).toFixed(1)}× a day by the scheduled runs; ` +
      'the Lambda and noncurrent-version lines fall with that factor (issue 14: re-read each window as often as late ' +
      'data needs, not every run)',
  );
  // Storage: the month of data the lake holds after its first month (it grows by as much each further month
  // without a retention), scaled to full volume; state as measured; noncurrent versions for their lifecycle days.
  let scaledBytes = 0;
  let otherBytes = 0;
  const days = new Set<string>();
  for (const f of p.files) {
    if (scalesWithVolume(f.key)) {
      scaledBytes += f.bytes;
      const dt = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(f.key)?.[1];
      if (dt) days.add(dt);
    } else otherBytes += f.bytes;
  }
  // Per day over the days the lake holds; SendSage's tables and the state are taken as measured (they do not grow
  // with the message volume) and held whole.
  const dataPerDay = (scaledBytes * scale) / Math.max(1, days.size);
  const stateBytes = otherBytes;
  const heldDays = p.facts.config.retentionDays ?? DAYS_PER_MONTH;
  const noncurrent = superseded;
  const accessLogs = p.facts.accessLogDays ? (put + get) * ACCESS_LOG_LINE_BYTES * p.facts.accessLogDays : 0;
  const storedBytes = dataPerDay * Math.min(heldDays, DAYS_PER_MONTH) + stateBytes + noncurrent + accessLogs;
  notes.push(
    `S3 storage: ${(dataPerDay / 1e6).toFixed(1)} MB of data and rollups a day at full volume (files of 1/${scale} ` +
      'the rows, scaled up: an upper bound, as larger files compress better), ' +
      `${Math.min(heldDays, DAYS_PER_MONTH)} days held (${p.facts.config.retentionDays === null ? 'no retention: the lake grows by this every month' : `retention ${p.facts.config.retentionDays} days`}), ` +
      `${(stateBytes / 1e6).toFixed(2)} MB of state and SendSage tables, ${(noncurrent / 1e6).toFixed(1)} MB of noncurrent versions ` +
      `(re-written files kept for their lifecycle days), ${(accessLogs / 1e6).toFixed(1)} MB of access logs`,
  );
  for (const s of p.scans) {
    const full = s.scannedBytes * scale;
    notes.push(
      `Athena ${s.name}: at most ${(full / 1e6).toFixed(1)} MB scanned (${s.columns.length} columns of ` +
        `${s.tables.length} tables over the month), billed ${(athenaBilledBytes(full) / 1e6).toFixed(1)} MB`,
    );
  }
  // Athena reads the files through S3: a LIST per partition folder and GETs per footer and chunk, each run.
  put += p.scans.reduce((n, s) => n + s.lists, 0) * p.athenaRunsPerQueryPerDay;
  get += p.scans.reduce((n, s) => n + s.gets * 1, 0) * p.athenaRunsPerQueryPerDay;
  const collectorRuns = p.priced.filter((r) => r.function.startsWith('collect-')).length;
  const mails = p.priced.filter((r) => r.function === 'digest').length;
  return {
    inputs: {
      functions,
      stateTransitionsPerDay: transitions,
      scheduledInvocationsPerDay: p.facts.functions.reduce((n, f) => n + runsOn(f, 0).length, 0),
      s3: { putPerDay: put, getPerDay: get, storedBytes },
      athena: { queries: p.scans.map((s) => ({ name: s.name, scannedBytes: s.scannedBytes * scale })) },
      athenaRunsPerQueryPerDay: p.athenaRunsPerQueryPerDay,
      alarmMetrics: p.facts.alarmMetrics,
      customMetrics: p.facts.customMetrics,
      logBytesPerDay: logBytes,
      logRetentionDays: p.facts.logRetentionDays,
      secrets: p.facts.secrets,
      // A cold start reads its secret once; every hourly run is counted as a cold start.
      secretCallsPerDay: collectorRuns,
      mailsPerDay: mails,
      // The simulated days are healthy: no alarm changes state, so none is e-mailed.
      alarmNotificationsPerDay: 0,
      kmsKeys: p.facts.kmsKeys,
    },
    notes,
  };
}
