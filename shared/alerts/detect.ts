import { binomialUpperTail, poissonLowerTail, poissonUpperTail } from '../core/stats';
import { DAY_MS } from '../core/windows';
import type { FailureCodeMeaning } from '../lake/roles';
import { ROLLUP_PERIOD_MS } from '../lake/rollup';
import type { Alert, AlertMetric } from './model';
import type { AlertThresholds } from './thresholds';

/**
 * Intraday detection, pure: quarter-hour counts in, open alerts out. Each window of closed quarter-hours ending at
 * the evaluated instant is compared with the same window of the clock on each of the previous `baselineDays` days
 * (summed), so a server's daily rhythm is its own baseline; a weekly rhythm is averaged over the week.
 */

/** A server's counts in one quarter-hour (from the `totals` rollups). */
export interface ServerCell {
  readonly server: number;
  readonly period: number;
  readonly queued: number;
  readonly processed: number;
  readonly bounces: number;
  readonly complaints: number;
}

/** Failures with one code at one recipient domain in one quarter-hour (from the `bounces` rollups). */
export interface FailureCell {
  readonly server: number;
  readonly period: number;
  readonly domain: string;
  readonly code: number;
  readonly count: number;
}

export interface DetectInput {
  readonly at: number;
  readonly servers: readonly ServerCell[];
  readonly failures: readonly FailureCell[];
  readonly thresholds: AlertThresholds;
  readonly describeFailureCode: (code: number | null) => FailureCodeMeaning | null;
}

/** End of the last closed quarter-hour at `at`: every evaluated window ends here. */
export const closedUntil = (at: number) => Math.floor(at / ROLLUP_PERIOD_MS) * ROLLUP_PERIOD_MS;

/** The span [start, end) the detection reads: the longest window and its baseline days. */
export function detectionSpan(at: number, t: AlertThresholds): { start: number; end: number } {
  const end = closedUntil(at);
  return { start: end - Math.max(...t.windowsMinutes) * 60_000 - t.baselineDays * DAY_MS, end };
}

interface Window {
  readonly minutes: number;
  readonly start: number;
  readonly end: number;
}

/** A test of one window: whether it fires, and the figures an alert reports. */
interface Finding {
  readonly fires: boolean;
  readonly value: number;
  readonly baseline: number;
  readonly count: number;
  readonly volume: number | null;
  readonly pValue: number;
  /** The quarter-hour's own test, for `since`. */
  readonly quarterAbove: (period: number) => boolean;
}

type Series = Map<number, number>;
const add = (m: Series, period: number, n: number) => m.set(period, (m.get(period) ?? 0) + n);
const sumIn = (m: Series | undefined, start: number, end: number) => {
  let s = 0;
  if (m) for (let p = start; p < end; p += ROLLUP_PERIOD_MS) s += m.get(p) ?? 0;
  return s;
};
/** The sum of the same window on each baseline day, and how many of those days had any. */
const baselineOf = (m: Series | undefined, w: Window, days: number) => {
  let total = 0;
  let active = 0;
  for (let d = 1; d <= days; d++) {
    const s = sumIn(m, w.start - d * DAY_MS, w.end - d * DAY_MS);
    total += s;
    if (s > 0) active++;
  }
  return { total, active };
};

/** Every alert open at `input.at`, most severe and most significant first. */
export function detectAlerts(input: DetectInput): Alert[] {
  const t = input.thresholds;
  const end = closedUntil(input.at);
  const windows: Window[] = [...t.windowsMinutes]
    .sort((a, b) => a - b)
    .map((minutes) => ({ minutes, start: end - minutes * 60_000, end }));

  const series = new Map<number, Record<'queued' | 'processed' | 'bounces' | 'complaints', Series>>();
  for (const c of input.servers) {
    let s = series.get(c.server);
    if (!s) {
      s = { queued: new Map(), processed: new Map(), bounces: new Map(), complaints: new Map() };
      series.set(c.server, s);
    }
    add(s.queued, c.period, c.queued);
    add(s.processed, c.period, c.processed);
    add(s.bounces, c.period, c.bounces);
    add(s.complaints, c.period, c.complaints);
  }
  // Block failures per server and domain, and per code for naming the dominant one.
  const blocks = new Map<string, { server: number; domain: string; all: Series; codes: Map<number, Series> }>();
  const blocking = new Set(t.blockCategories);
  for (const f of input.failures) {
    const category = input.describeFailureCode(f.code)?.category;
    if (!category || !blocking.has(category)) continue;
    const key = `${f.server}\u0001${f.domain}`;
    let b = blocks.get(key);
    if (!b) {
      b = { server: f.server, domain: f.domain, all: new Map(), codes: new Map() };
      blocks.set(key, b);
    }
    add(b.all, f.period, f.count);
    const bc = b.codes.get(f.code) ?? new Map();
    b.codes.set(f.code, bc);
    add(bc, f.period, f.count);
  }

  const alerts: Alert[] = [];
  const open = (
    metric: AlertMetric,
    test: (w: Window) => Finding,
    make: (f: Finding, w: Window, since: number) => Omit<Alert, 'metric' | 'state' | 'since' | 'window_minutes'>,
  ) => {
    const found = windows.map((w) => ({ w, f: test(w) })).filter((x) => x.f.fires);
    if (!found.length) return;
    // The shortest firing window reports (the freshest figures); the longest says since when.
    const first = found[0]!;
    const longest = found[found.length - 1]!.w;
    let since = first.w.start;
    for (let p = longest.start; p < longest.end; p += ROLLUP_PERIOD_MS) {
      if (first.f.quarterAbove(p)) {
        since = p;
        break;
      }
    }
    alerts.push({
      ...make(first.f, first.w, since),
      metric,
      window_minutes: first.w.minutes,
      since: new Date(since).toISOString(),
      state: 'open',
    });
  };

  // A block at a domain raises the server's bounces too: those failures are the block alert's, so the bounce-rate
  // test counts the rest (one incident, one alert; a bounce surge beyond the block still opens its own).
  const explained = new Map<number, Series[]>();
  for (const b of blocks.values()) {
    const s = series.get(b.server);
    const test = (w: Window): Finding => {
      const k = sumIn(b.all, w.start, w.end);
      // The usual block count at this domain, scaled by how much the server sends now compared with then.
      const baseVolume = s ? baselineOf(s.queued, w, t.baselineDays).total / t.baselineDays : 0;
      const nowVolume = s ? sumIn(s.queued, w.start, w.end) : 0;
      const scale = baseVolume > 0 && nowVolume > 0 ? nowVolume / baseVolume : 1;
      const expected = Math.max(
        t.blockExpectedFloor,
        (baselineOf(b.all, w, t.baselineDays).total / t.baselineDays) * scale,
      );
      const enough = k >= t.blockMinCount && k >= expected * t.blockMinRatio;
      const pValue = enough ? poissonUpperTail(k, expected) : 1;
      const perQuarter = (expected * ROLLUP_PERIOD_MS) / (w.end - w.start);
      return {
        fires: enough && pValue <= t.alpha,
        value: k,
        baseline: expected,
        count: k,
        volume: null,
        pValue,
        quarterAbove: (p) => (b.all.get(p) ?? 0) >= Math.max(1, perQuarter * t.blockMinRatio),
      };
    };
    const before = alerts.length;
    open('block_failures', test, (f, w) => {
      const code = dominantCode(b.codes, w);
      const meaning = input.describeFailureCode(code)?.meaning ?? 'a block-type failure';
      return {
        id: `block_failures:${b.server}:${b.domain}`,
        severity: 'critical',
        scope: { kind: 'domain', server_id: b.server, domain: b.domain, code, campaign_id: null },
        value: f.value,
        baseline: f.baseline,
        count: f.count,
        volume: null,
        p_value: f.pValue,
        advice: `${b.domain} is blocking server ${b.server}: ${f.count} failures with code ${code} (${meaning}) in the last ${w.minutes} min against ~${round1(f.baseline)} usually. Slow down or pause sending to ${b.domain}, check the sending IPs on blocklists and the provider's postmaster tools (named query top-bouncing-domains).`,
      };
    });
    if (alerts.length > before) {
      const list = explained.get(b.server) ?? [];
      list.push(b.all);
      explained.set(b.server, list);
    }
  }

  for (const [server, s] of series) {
    const bounces = withoutBlocks(s.bounces, explained.get(server) ?? []);
    const rateTest =
      (
        events: Series,
        volume: Series,
        minVolume: number,
        minCount: number,
        minRatio: number,
        floor: number,
      ): ((w: Window) => Finding) =>
      (w) => {
        const n = sumIn(volume, w.start, w.end);
        const k = sumIn(events, w.start, w.end);
        const base = baselineOf(volume, w, t.baselineDays).total;
        const baseRate = base > 0 ? Math.max(floor, baselineOf(events, w, t.baselineDays).total / base) : Number.NaN;
        const rate = n > 0 ? k / n : 0;
        const enough = base > 0 && n >= minVolume && k >= minCount && rate >= baseRate * minRatio;
        const pValue = enough ? binomialUpperTail(k, n, baseRate) : 1;
        return {
          fires: enough && pValue <= t.alpha,
          value: rate,
          baseline: baseRate,
          count: k,
          volume: n,
          pValue,
          quarterAbove: (p) => {
            const qn = volume.get(p) ?? 0;
            return qn > 0 && (events.get(p) ?? 0) / qn >= baseRate * minRatio;
          },
        };
      };
    const rateAlert = (kind: 'bounce' | 'complaint') => (f: Finding, w: Window) => ({
      id: `${kind}_rate:${server}`,
      severity: f.value >= f.baseline * t.criticalRatio ? ('critical' as const) : ('warning' as const),
      scope: { kind: 'server' as const, server_id: server, domain: null, code: null, campaign_id: null },
      value: f.value,
      baseline: f.baseline,
      count: f.count,
      volume: f.volume,
      p_value: f.pValue,
      advice:
        kind === 'bounce'
          ? `Server ${server} bounces ${pct(f.value)} over the last ${w.minutes} min against ${pct(f.baseline)} usually: look at the mailing sending now (list source, new import) and its failure codes (named query top-bouncing-domains).`
          : `Server ${server} draws ${pct(f.value)} complaints over the last ${w.minutes} min against ${pct(f.baseline)} usually: pause the campaign sending now and check its audience, consent and unsubscribe link (named query daily-rates).`,
    });
    open(
      'bounce_rate',
      rateTest(bounces, s.queued, t.bounceMinQueued, t.bounceMinCount, t.bounceMinRatio, t.bounceRateFloor),
      rateAlert('bounce'),
    );
    open(
      'complaint_rate',
      rateTest(
        s.complaints,
        s.processed,
        t.complaintMinProcessed,
        t.complaintMinCount,
        t.complaintMinRatio,
        t.complaintRateFloor,
      ),
      rateAlert('complaint'),
    );
    open(
      'volume',
      (w) => {
        const k = sumIn(s.queued, w.start, w.end);
        const b = baselineOf(s.queued, w, t.baselineDays);
        const expected = b.total / t.baselineDays;
        const usual = b.active >= t.silenceMinActiveDays && expected >= t.silenceMinExpected;
        const low = usual && k <= expected * t.silenceMaxFraction;
        const pValue = low ? poissonLowerTail(k, expected) : 1;
        return {
          fires: low && pValue <= t.alpha,
          value: k,
          baseline: expected,
          count: k,
          volume: null,
          pValue,
          // Silent from the first quarter-hour after the last one that queued anything.
          quarterAbove: (p) => sumIn(s.queued, p, w.end) === 0,
        };
      },
      (f, w, since) => ({
        id: `volume:${server}`,
        severity: 'critical',
        scope: { kind: 'server', server_id: server, domain: null, code: null, campaign_id: null },
        value: f.value,
        baseline: f.baseline,
        count: f.count,
        volume: null,
        p_value: f.pValue,
        advice: `Server ${server} queued ${f.value} messages in the last ${w.minutes} min where it usually queues ~${Math.round(f.baseline)}, quiet since ${new Date(since).toISOString()}: check the application's injection (SMTP/API credentials, queue workers) and the server's status in SocketLabs.`,
      }),
    );
  }

  return alerts.sort(byRank);
}

/** Most severe first, then most significant, then by id (a stable order for alerts.json). */
export function byRank(a: Alert, b: Alert): number {
  const rank = (x: Alert) => (x.severity === 'critical' ? 0 : 1);
  return rank(a) - rank(b) || a.p_value - b.p_value || a.id.localeCompare(b.id);
}

/** A server's bounces less the block failures already reported as block alerts, per quarter-hour. */
function withoutBlocks(bounces: Series, blocks: readonly Series[]): Series {
  if (!blocks.length) return bounces;
  const out = new Map(bounces);
  for (const b of blocks) for (const [p, n] of b) out.set(p, Math.max(0, (out.get(p) ?? 0) - n));
  return out;
}

/** The code with the most block failures in the window; the lowest code among equals, so the pick is stable. */
function dominantCode(codes: Map<number, Series>, w: Window): number {
  let best = -1;
  let bestCount = -1;
  for (const [code, m] of [...codes].sort((a, b) => a[0] - b[0])) {
    const n = sumIn(m, w.start, w.end);
    if (n > bestCount) {
      best = code;
      bestCount = n;
    }
  }
  return best;
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)} %`;
const round1 = (x: number) => Math.round(x * 10) / 10;
