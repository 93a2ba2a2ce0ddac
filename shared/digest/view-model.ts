import { fleetTotals, placementAverages } from './figures';
import {
  avg,
  clean,
  type Delta,
  delta,
  int,
  isNoDataAlert,
  longDate,
  metricLabel,
  metricValue,
  pct,
  plural,
  rate,
  show,
} from './format';
import {
  type Alert,
  type Digest,
  type DigestCampaign,
  type DigestServer,
  definitions as defaultDefinitions,
  scopeLabel,
} from './model';

/**
 * The digest as its renderers need it, computed once and free of markup: servers and campaigns ranked worst first
 * with their alerts and status, alerts grouped as a reader takes them in, the verdict and the opening sentences.
 * The HTML and the text are two layouts of this one view, so they cannot tell different stories.
 */

/** Providers listed per campaign; the rest are summed up in one line. */
export const MAX_ISP_ROWS = 8;

export type Level = 'critical' | 'warning' | 'info' | 'ok';
export const levelRank: Record<Level, number> = { critical: 3, warning: 2, info: 1, ok: 0 };

export interface ServerView {
  readonly kind: 'server';
  readonly s: DigestServer;
  readonly alerts: Alert[];
  level: Level;
  /** Nothing queued although the baseline says it usually sends: must not look like a quiet, healthy day. */
  readonly silent: boolean;
  /** No traffic and no history: nothing worth a card. */
  readonly idle: boolean;
  rank: number;
}

export interface CampaignView {
  readonly kind: 'campaign';
  readonly c: DigestCampaign;
  readonly alerts: Alert[];
  level: Level;
  /** ISP names an alert points at (`campaign 3829 / Gmail`). */
  readonly flaggedIsps: Set<string>;
  readonly seeds: number;
  rank: number;
}

export type ItemView = ServerView | CampaignView;

/** Which servers and tests a rendering shows in full and which as rows of a compact table, each in rank order. */
export interface Layout {
  readonly fullServers: ServerView[];
  readonly fullCampaigns: CampaignView[];
  readonly restServers: ServerView[];
  readonly restCampaigns: CampaignView[];
}

export interface DigestView {
  readonly d: Digest;
  /** Critical, then warning, then info; the digest's order within a severity. */
  readonly alerts: Alert[];
  readonly servers: ServerView[];
  readonly campaigns: CampaignView[];
  readonly noData: boolean;
  readonly worst: Alert | undefined;
  readonly counts: Record<'critical' | 'warning' | 'info', number>;
}

// ---------------------------------------------------------------------------------------------------- analysis

const activity = (s: DigestServer) =>
  s.queued + s.processed + s.hard_bounces + s.soft_bounces + s.suppressed + s.complaints + s.opens + s.clicks;

const worstLevel = (alerts: readonly Alert[]): Level =>
  alerts.reduce<Level>((w, a) => (levelRank[a.severity] > levelRank[w] ? a.severity : w), 'ok');

export function buildView(d: Digest): DigestView {
  const order = { critical: 0, warning: 1, info: 2 } as const;
  const alerts = d.alerts.map((a, i) => ({ a, i }));
  alerts.sort((x, y) => order[x.a.severity] - order[y.a.severity] || x.i - y.i);
  const sorted = alerts.map((x) => x.a);
  const position = new Map(sorted.map((a, i) => [a, i]));
  /** Where an item's worst alert stands in the digest's worst-first order; the digest knows best what is worst. */
  const firstAlert = (own: readonly Alert[]) => (own.length === 0 ? Number.POSITIVE_INFINITY : position.get(own[0]!)!);

  const byServer = new Map<number, Alert[]>();
  const byCampaign = new Map<number, Alert[]>();
  for (const a of sorted) {
    const { scope } = a;
    if (scope.kind === 'server') byServer.set(scope.server_id, [...(byServer.get(scope.server_id) ?? []), a]);
    else if (scope.kind === 'campaign')
      byCampaign.set(scope.campaign_id, [...(byCampaign.get(scope.campaign_id) ?? []), a]);
  }

  const servers: ServerView[] = d.socketlabs.servers.map((s) => {
    const own = byServer.get(s.server_id) ?? [];
    const usual = Math.max(s.baseline?.queued ?? 0, s.baseline?.processed ?? 0);
    return {
      kind: 'server',
      s,
      alerts: own,
      level: worstLevel(own),
      silent: s.queued + s.processed === 0 && usual > 0,
      idle: activity(s) === 0 && !(usual > 0),
      rank: 0,
    };
  });
  // Worst alert first; a silent server next to warnings even when no alert fired; then by volume.
  const serverKey = (v: ServerView) => Math.max(levelRank[v.level], v.silent ? levelRank.warning : 0);
  servers.sort(
    (x, y) =>
      serverKey(y) - serverKey(x) ||
      firstAlert(x.alerts) - firstAlert(y.alerts) ||
      Number(y.silent) - Number(x.silent) ||
      Math.max(y.s.queued, y.s.baseline?.queued ?? 0) - Math.max(x.s.queued, x.s.baseline?.queued ?? 0) ||
      x.s.server_id - y.s.server_id,
  );
  servers.forEach((v, i) => {
    v.rank = i;
  });

  const campaigns: CampaignView[] = d.sendsage.campaigns.map((c) => {
    const own = byCampaign.get(c.campaign_id) ?? [];
    const flaggedIsps = new Set<string>();
    for (const a of own) {
      if (a.scope.kind === 'campaign' && a.scope.provider) flaggedIsps.add(a.scope.provider.toLowerCase());
    }
    const seeds = c.isps.reduce((n, i) => n + (i.count_total ?? 0), 0);
    return { kind: 'campaign', c, alerts: own, level: worstLevel(own), flaggedIsps, seeds, rank: 0 };
  });
  campaigns.sort(
    (x, y) =>
      levelRank[y.level] - levelRank[x.level] ||
      firstAlert(x.alerts) - firstAlert(y.alerts) ||
      y.seeds - x.seeds ||
      (x.c.pct_inbox ?? 101) - (y.c.pct_inbox ?? 101) ||
      x.c.campaign_id - y.c.campaign_id,
  );
  campaigns.forEach((v, i) => {
    v.rank = i;
  });

  const count = (sev: Alert['severity']) => sorted.filter((a) => a.severity === sev).length;
  return {
    d,
    alerts: sorted,
    servers,
    campaigns,
    noData: campaigns.length === 0 && servers.every((v) => activity(v.s) === 0),
    worst: sorted.find((a) => a.severity !== 'info'),
    counts: { critical: count('critical'), warning: count('warning'), info: count('info') },
  };
}

/** One alert as a phrase: `server 1234 complaint rate 0.34 %`. */
export function alertPhrase(a: Alert): string {
  const value = a.value === null || isNoDataAlert(a) ? '' : ` ${metricValue(a.metric, a.value)}`;
  return `${clean(scopeLabel(a.scope), 80)} ${metricLabel(a.metric)}${value}`;
}

export function verdict(a: DigestView): { level: Level | 'nodata'; headline: string } {
  if (a.noData) return { level: 'nodata', headline: `No data arrived for ${a.d.date}` };
  const { critical, warning } = a.counts;
  if (critical > 0) {
    const w = warning > 0 ? `, ${plural(warning, 'warning')}` : '';
    return { level: 'critical', headline: `Needs action: ${plural(critical, 'critical alert')}${w}` };
  }
  if (warning > 0) return { level: 'warning', headline: `Mostly fine: ${plural(warning, 'warning')} to check` };
  return { level: 'ok', headline: 'All fine: nothing out of the ordinary' };
}

/** The analyst's opening sentences, as [text, emphasised] runs so HTML can bold the figures and text need not. */
export function summaryRuns(a: DigestView): [string, boolean][][] {
  const { d } = a;
  const out: [string, boolean][][] = [];
  if (a.noData) {
    out.push([
      [
        `Neither SocketLabs nor SendSage delivered any figures for ${longDate(d.date)} (${clean(d.timezone, 60)}). ` +
          'This is not a quiet day that went well: the collectors probably did not run, or could not log in. ',
        false,
      ],
      ['Check the last collection run before relying on this day.', true],
    ]);
    return out;
  }
  const live = a.servers.filter((v) => !v.idle);
  if (live.length > 0) {
    const t = fleetTotals(live.map((v) => v.s));
    const runs: [string, boolean][] = [
      [`${plural(live.length, 'server')} queued `, false],
      [int(t.queued), true],
    ];
    const dq = t.withBaseline > 0 ? delta(t.comparedQueued, t.baselineQueued) : null;
    if (dq) runs.push([` (${dq.text} vs 7-day average)`, false]);
    runs.push(['; bounce rate ', false], [rate(t.bounceRate), true]);
    if (t.baselineBounceRate !== null) runs.push([` (usually ${rate(t.baselineBounceRate)})`, false]);
    runs.push([', complaint rate ', false], [rate(t.complaintRate), true]);
    if (t.baselineComplaintRate !== null) runs.push([` (usually ${rate(t.baselineComplaintRate)})`, false]);
    runs.push(['.', false]);
    const silent = a.servers.filter((v) => v.silent).length;
    if (silent > 0) runs.push([` ${plural(silent, 'server')} sent nothing at all.`, true]);
    out.push(runs);
  } else {
    out.push([['No SocketLabs figures arrived for this day.', true]]);
  }
  const tests = a.campaigns.map((v) => v.c);
  if (tests.length > 0) {
    const p = placementAverages(tests);
    out.push([
      [`${plural(tests.length, 'placement test')}: inbox `, false],
      [pct(p.inbox), true],
      [`, bulk ${pct(p.bulk)}, missing ${pct(p.missing)} on average.`, false],
    ]);
  } else {
    out.push([['No SendSage placement test was sent this day.', false]]);
  }
  return out;
}

/** The digest's own definitions (the model's when it carries none), at most 20 of them. */
export function definitionsOf(d: Digest): [string, string][] {
  const defs = Object.keys(d.definitions).length > 0 ? d.definitions : defaultDefinitions;
  return Object.entries(defs).slice(0, 20);
}

/** Which way a change is bad news; neutral figures merely follow the volume. */
export type Polarity = 'up-bad' | 'down-bad' | 'neutral';

interface MetricRow {
  readonly label: string;
  readonly key: keyof DigestServer & keyof NonNullable<DigestServer['baseline']>;
  readonly kind: 'count' | 'rate';
  readonly polarity: Polarity;
}

export const serverMetricRows: readonly MetricRow[] = [
  { label: 'Queued', key: 'queued', kind: 'count', polarity: 'neutral' },
  { label: 'Delivered', key: 'processed', kind: 'count', polarity: 'neutral' },
  { label: 'Hard bounces', key: 'hard_bounces', kind: 'count', polarity: 'up-bad' },
  { label: 'Soft bounces', key: 'soft_bounces', kind: 'count', polarity: 'up-bad' },
  { label: 'Suppressed', key: 'suppressed', kind: 'count', polarity: 'up-bad' },
  { label: 'Bounce rate', key: 'bounce_rate', kind: 'rate', polarity: 'up-bad' },
  { label: 'Complaints', key: 'complaints', kind: 'count', polarity: 'up-bad' },
  { label: 'Complaint rate', key: 'complaint_rate', kind: 'rate', polarity: 'up-bad' },
  { label: 'Opens', key: 'opens', kind: 'count', polarity: 'neutral' },
  { label: 'Clicks', key: 'clicks', kind: 'count', polarity: 'neutral' },
];

export function serverMetricCells(v: ServerView, m: MetricRow): { now: string; base: string; d: Delta | null } {
  const cur = v.s[m.key] as number | null;
  const base = v.s.baseline?.[m.key] ?? null;
  return {
    now: m.kind === 'rate' ? rate(cur) : int(cur ?? 0),
    base: m.kind === 'rate' ? rate(base) : avg(base),
    d: delta(cur, base),
  };
}

/** A server's status word and the level whose colour it wears. */
export function serverStatus(v: ServerView): { label: string; tone: Level } {
  const alerting = v.level === 'critical' || v.level === 'warning';
  // "No traffic" says more than "warning" about a server that sent nothing; the colour still tells how bad.
  if (v.silent) return { label: 'NO TRAFFIC', tone: alerting ? v.level : 'warning' };
  if (alerting) return { label: v.level.toUpperCase(), tone: v.level };
  if (v.idle) return { label: 'IDLE', tone: 'info' };
  return { label: 'OK', tone: 'ok' };
}

/** Providers worst first (lowest inbox, then most missing); unknown placement last. */
export function ispOrder(c: DigestCampaign): DigestCampaign['isps'] {
  return [...c.isps].sort(
    (x, y) =>
      (x.pct_inbox ?? 1000) - (y.pct_inbox ?? 1000) ||
      (y.pct_missing ?? 0) - (x.pct_missing ?? 0) ||
      show(x.isp_name).localeCompare(show(y.isp_name)),
  );
}

/** The providers to highlight: an alert names them, or they are among the three worst and clearly below par. */
export function worstIsps(v: CampaignView): Set<DigestCampaign['isps'][number]> {
  const sorted = ispOrder(v.c);
  const out = new Set(sorted.filter((i) => v.flaggedIsps.has(clean(i.isp_name, 200).toLowerCase())));
  // A running test's seeds are still arriving, so its low figures are not yet anyone's fault.
  if (isRunning(v.c)) return out;
  const overall = v.c.pct_inbox ?? 100;
  for (const i of sorted.slice(0, 3))
    if (i.pct_inbox !== null && i.pct_inbox < 80 && i.pct_inbox <= overall - 15) out.add(i);
  return out;
}

const isRunning = (c: DigestCampaign) => c.status !== null && c.status.trim().toLowerCase() !== 'done';

/** `done`, or `still running (pending)`: a test that is not done may still change. */
export const campaignStatus = (c: DigestCampaign) =>
  isRunning(c) ? `still running (${clean(c.status, 20)})` : show(c.status, 20);

/** A test's status word: only a warning or worse is named, a note is no reason to alarm anyone. */
export const campaignLabel = (v: CampaignView) => (isCalm(v.level) ? 'OK' : v.level.toUpperCase());

/** OK and info levels look alike: nothing to act on. */
export const isCalm = (level: Level) => level === 'ok' || level === 'info';

/** The SpamAssassin rules that cost the test points, costliest first, at most five. */
export const costlyRules = (c: DigestCampaign) =>
  c.top_rules
    .filter((r) => r.score !== null && r.score > 0.05)
    .sort((x, y) => (y.score ?? 0) - (x.score ?? 0))
    .slice(0, 5);

/** Unreadable files named in the "incomplete" notice; digest.json lists every one with its reason. */
const NAMED_UNREADABLE = 5;

/** What an incomplete digest (lake files it could not read) says about itself; null for a complete one. */
export function incompleteNotice(d: Digest): { headline: string; keys: string[]; note: string } | null {
  const files = d.unreadable_files;
  if (files.length === 0) return null;
  const more = files.length - NAMED_UNREADABLE;
  return {
    headline: `INCOMPLETE: ${plural(files.length, 'lake file')} could not be read`,
    keys: files.slice(0, NAMED_UNREADABLE).map((f) => clean(f.key, 200)),
    note:
      `${more > 0 ? `and ${int(more)} more; ` : ''}their figures are left out of this digest. The reasons are in ` +
      'digest.json (unreadable_files): repair or re-collect those windows and send again with force.',
  };
}

/** What the CSV holds: every address, or the first ones and where the rest are. */
export function attachedSentence(listed: number, total: number): string {
  if (listed >= total) return `The attached CSV lists all ${plural(total, 'address', 'addresses')} that hard-bounced`;
  return (
    `The attached CSV lists the first ${int(listed)} of ${int(total)} addresses that hard-bounced, by server and ` +
    'address (an e-mail cannot carry more; the named query new-hard-bounces lists them all from the lake)'
  );
}
