import {
  type Alert,
  type Digest,
  type DigestCampaign,
  type DigestServer,
  definitions as defaultDefinitions,
} from './model';

/**
 * Renders a `Digest` as an e-mail: subject, HTML part and plain-text part. Nothing here computes figures; it only
 * orders, formats and sizes what the digest says, so the e-mail and `digest.json` can never disagree.
 *
 * The HTML is written for mail clients, not browsers: tables for layout, inline styles only (Gmail drops `<style>`
 * in many contexts, Outlook's Word engine ignores most CSS), bar charts as coloured table cells (no scripts, no
 * images), and every string that came from an API escaped. Gmail clips a message whose HTML passes about 102 KB and
 * hides the rest behind a link, so the HTML is built against a byte budget: the worst servers and campaigns are shown
 * in full, the others as rows of a compact table, and what still does not fit as one line that says so.
 */

/** Limits for `renderHtml` (and, so both parts show the same items, `renderText`). */
export interface RenderOptions {
  /**
   * Largest HTML size in UTF-8 bytes. Default 85,000: Gmail clips at about 102 KB, and quoted-printable transfer
   * encoding (every `=` of an attribute becomes `=3D`) adds about 11 %, so the encoded part stays near 95 KB.
   */
  readonly maxBytes?: number;
  /** Servers shown in full at most, worst first. Default 8. */
  readonly maxFullServers?: number;
  /** Campaigns shown in full at most, worst first. Default 6. */
  readonly maxFullCampaigns?: number;
}

const DEFAULT_MAX_BYTES = 85_000;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const MAX_VISIBLE_ALERTS = 25;
const MAX_ISP_ROWS = 8;

type Level = 'critical' | 'warning' | 'info' | 'ok';
const levelRank: Record<Level, number> = { critical: 3, warning: 2, info: 1, ok: 0 };

interface ServerView {
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

interface CampaignView {
  readonly kind: 'campaign';
  readonly c: DigestCampaign;
  readonly alerts: Alert[];
  level: Level;
  /** ISP names an alert points at (`campaign 3829 / Gmail`). */
  readonly flaggedIsps: Set<string>;
  readonly seeds: number;
  rank: number;
}

type ItemView = ServerView | CampaignView;

interface Analysis {
  readonly d: Digest;
  /** Critical, then warning, then info; the digest's order within a severity. */
  readonly alerts: Alert[];
  readonly servers: ServerView[];
  readonly campaigns: CampaignView[];
  readonly noData: boolean;
  readonly worst: Alert | undefined;
  readonly counts: Record<'critical' | 'warning' | 'info', number>;
}

// ---------------------------------------------------------------------------------------------------- formatting

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
};

/** Escapes text for HTML element content or a quoted attribute (`=` and backtick too, so no `onerror=` survives). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]!);
}

const e = escapeHtml;

/**
 * API text made safe to show on one line: control and bidirectional-override characters (which could fake a line
 * or reverse what the reader sees) become spaces, runs of space collapse, and long text is cut at a code point.
 */
function clean(text: string | null | undefined, max = 120): string {
  if (text === null || text === undefined) return '';
  // Only the first `max` characters can show; cleaning the rest of a megabyte-long reply would be wasted work.
  const t = (text.length > max * 8 + 64 ? text.slice(0, max * 8 + 64) : text)
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (t.length <= max) return t;
  const points = Array.from(t);
  return points.length <= max ? t : `${points.slice(0, max - 1).join('')}…`;
}

/** `clean`, with a dash for a missing value. */
const show = (text: string | null | undefined, max?: number) => clean(text, max) || '—';

const int = (n: number) =>
  Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A baseline average: whole numbers from 100 up, one decimal below (1.6 complaints a day is not 2). */
function avg(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (Math.abs(n) >= 100 || Number.isInteger(n)) return int(n);
  return n.toFixed(1);
}

/** A fraction as a percentage with 2 decimals: 0.0034 → `0.34 %`. */
function rate(r: number | null | undefined): string {
  return r === null || r === undefined ? '—' : `${(r * 100).toFixed(2)} %`;
}

/** A SendSage percentage, already 0–100: one decimal is all ~50 seeds can tell. */
function pct(p: number | null | undefined): string {
  return p === null || p === undefined ? '—' : `${p.toFixed(1)} %`;
}

const num = (n: number) => (Number.isInteger(n) ? int(n) : String(Math.round(n * 100) / 100));

const metricLabels: Record<string, string> = {
  pct_inbox: 'inbox',
  pct_bulk: 'bulk',
  pct_missing: 'missing',
  spam_score: 'SpamAssassin score',
  dmarc_fail: 'DMARC failures',
};

/** Alert metrics are named `complaint rate` or `complaint_rate`; both mean the server field `complaint_rate`. */
const metricKey = (metric: string) =>
  metric
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '_');

const metricLabel = (metric: string) => metricLabels[metricKey(metric)] ?? clean(metric, 60).replace(/_/g, ' ');

/** An alert that says nothing arrived: its value (0) adds nothing to the words. */
const isNoDataAlert = (x: Alert) => metricKey(x.metric) === 'no_data';

/** An alert's value in the unit its metric implies: rates are fractions, placement and `pct_*` already percentages. */
function metricValue(metric: string, v: number | null): string {
  if (v === null) return '—';
  const key = metricKey(metric);
  if (/(^|_)rate$/.test(key)) return rate(v);
  if (/^pct_|_pct$|placement/.test(key)) return pct(v);
  return num(v);
}

interface Delta {
  readonly text: string;
  /** Relative change in percent; Infinity when the baseline was 0. */
  readonly change: number;
}

/** Change against the baseline as an arrow and a percentage; null when there is nothing to compare with. */
function delta(cur: number | null | undefined, base: number | null | undefined): Delta | null {
  if (cur === null || cur === undefined || base === null || base === undefined) return null;
  if (base === 0) {
    return cur === 0 ? { text: '±0 %', change: 0 } : { text: '▲ new', change: Number.POSITIVE_INFINITY };
  }
  const change = ((cur - base) / base) * 100;
  const size = Math.abs(change);
  if (size < 0.05) return { text: '±0 %', change: 0 };
  const digits = size < 10 ? size.toFixed(1) : int(size);
  return { text: `${change > 0 ? '▲' : '▼'} ${digits} %`, change };
}

type Polarity = 'up-bad' | 'down-bad' | 'neutral';

const palette = {
  text: '#1d2939',
  muted: '#667085',
  line: '#e4e7ec',
  critical: '#b42318',
  criticalBg: '#fef3f2',
  warning: '#b54708',
  warningBg: '#fffaeb',
  ok: '#067647',
  okBg: '#ecfdf3',
  info: '#475467',
  infoBg: '#f2f4f7',
  silentBg: '#f2f4f7',
} as const;

/**
 * Colour only hints; the arrow and the number carry the meaning. Small moves stay grey, and so do counts that merely
 * follow the volume: fewer bounces on a quieter Sunday is not good news, a lower bounce rate is.
 */
function deltaColour(d: Delta | null, polarity: Polarity, kind: 'count' | 'rate'): string {
  if (d === null || polarity === 'neutral' || Math.abs(d.change) < 20) return palette.muted;
  const bad = polarity === 'up-bad' ? d.change > 0 : d.change < 0;
  if (bad) return palette.critical;
  return kind === 'rate' ? palette.ok : palette.muted;
}

const levelColour: Record<Level, string> = {
  critical: palette.critical,
  warning: palette.warning,
  info: palette.info,
  ok: palette.ok,
};
const levelBg: Record<Level, string> = {
  critical: palette.criticalBg,
  warning: palette.warningBg,
  info: palette.infoBg,
  ok: palette.okBg,
};

const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** `Sunday 22 November 2026` from `2026-11-22`. */
function longDate(date: string): string {
  const t = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(t.getTime())) return date;
  return `${weekdays[t.getUTCDay()]} ${t.getUTCDate()} ${months[t.getUTCMonth()]} ${t.getUTCFullYear()}`;
}

/** `9 Nov` from `2026-11-09`. */
function shortDate(date: string): string {
  const t = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(t.getTime())) return date;
  return `${t.getUTCDate()} ${months[t.getUTCMonth()]!.slice(0, 3)}`;
}

/** A UTC instant as local wall time in the digest's zone (`22 Nov 07:15`); UTC when the zone is unknown. */
function localTime(instant: string, timezone: string): string {
  const t = new Date(instant);
  if (Number.isNaN(t.getTime())) return clean(instant, 40);
  const zoned = formatterFor(timezone);
  return zoned ? zoned.format(t).replace(',', '') : `${formatterFor('UTC')!.format(t).replace(',', '')} UTC`;
}

// Building an Intl formatter costs far more than using one, and a digest formats hundreds of times in one zone.
const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** A `22 Nov 07:15` formatter for a zone; null when the zone is unknown. */
function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      f = null;
    }
    if (formatters.size < 50) formatters.set(timeZone, f);
  }
  return f;
}

/** `2026-11-21 23:00 UTC` from an ISO instant. */
function utc(instant: string): string {
  const t = new Date(instant);
  return Number.isNaN(t.getTime()) ? clean(instant, 40) : `${t.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${int(n)} ${n === 1 ? one : many}`;

// ---------------------------------------------------------------------------------------------------- analysis

const activity = (s: DigestServer) =>
  s.queued + s.processed + s.hard_bounces + s.soft_bounces + s.suppressed + s.complaints + s.opens + s.clicks;

function parseScope(scope: string): { kind: 'server' | 'campaign'; id: number; isp: string | null } | null {
  const m = /^\s*(server|campaign)\s+(\d+)\s*(?:\/\s*(.*))?$/i.exec(scope);
  if (!m) return null;
  return { kind: m[1]!.toLowerCase() as 'server' | 'campaign', id: Number(m[2]), isp: m[3]?.trim() || null };
}

const worstLevel = (alerts: readonly Alert[]): Level =>
  alerts.reduce<Level>((w, a) => (levelRank[a.severity] > levelRank[w] ? a.severity : w), 'ok');

function analyse(d: Digest): Analysis {
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
    const scope = parseScope(a.scope);
    if (!scope) continue;
    const map = scope.kind === 'server' ? byServer : byCampaign;
    map.set(scope.id, [...(map.get(scope.id) ?? []), a]);
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
      const isp = parseScope(a.scope)?.isp;
      if (isp) flaggedIsps.add(isp.toLowerCase());
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
function alertPhrase(a: Alert): string {
  const value = a.value === null || isNoDataAlert(a) ? '' : ` ${metricValue(a.metric, a.value)}`;
  return `${clean(a.scope, 80)} ${metricLabel(a.metric)}${value}`;
}

function verdict(a: Analysis): { level: Level | 'nodata'; headline: string } {
  if (a.noData) return { level: 'nodata', headline: `No data arrived for ${a.d.date}` };
  const { critical, warning } = a.counts;
  if (critical > 0) {
    const w = warning > 0 ? `, ${plural(warning, 'warning')}` : '';
    return { level: 'critical', headline: `Needs action: ${plural(critical, 'critical alert')}${w}` };
  }
  if (warning > 0) return { level: 'warning', headline: `Mostly fine: ${plural(warning, 'warning')} to check` };
  return { level: 'ok', headline: 'All fine: nothing out of the ordinary' };
}

interface Totals {
  queued: number;
  processed: number;
  bounces: number;
  complaints: number;
  /** The same figures over the servers that have a baseline, and the sum of those baselines. */
  cmpQueued: number;
  baseQueued: number;
  baseBounces: number;
  baseComplaints: number;
  baseProcessed: number;
  withBaseline: number;
}

function totals(servers: readonly ServerView[]): Totals {
  const t: Totals = {
    queued: 0,
    processed: 0,
    bounces: 0,
    complaints: 0,
    cmpQueued: 0,
    baseQueued: 0,
    baseBounces: 0,
    baseComplaints: 0,
    baseProcessed: 0,
    withBaseline: 0,
  };
  for (const { s } of servers) {
    t.queued += s.queued;
    t.processed += s.processed;
    t.bounces += s.hard_bounces + s.soft_bounces;
    t.complaints += s.complaints;
    const b = s.baseline;
    if (b?.queued !== undefined && b.queued !== null) {
      t.withBaseline++;
      t.cmpQueued += s.queued;
      t.baseQueued += b.queued;
      t.baseBounces += (b.hard_bounces ?? 0) + (b.soft_bounces ?? 0);
      t.baseComplaints += b.complaints ?? 0;
      t.baseProcessed += b.processed ?? 0;
    }
  }
  return t;
}

/** The analyst's opening sentences, as [text, emphasised] runs so HTML can bold the figures and text need not. */
function summaryRuns(a: Analysis): [string, boolean][][] {
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
    const t = totals(live);
    const runs: [string, boolean][] = [
      [`${plural(live.length, 'server')} queued `, false],
      [int(t.queued), true],
    ];
    const dq = t.withBaseline > 0 ? delta(t.cmpQueued, t.baseQueued) : null;
    if (dq) runs.push([` (${dq.text} vs 7-day average)`, false]);
    const br = t.queued === 0 ? null : t.bounces / t.queued;
    const cr = t.processed === 0 ? null : t.complaints / t.processed;
    const bbr = t.baseQueued === 0 ? null : t.baseBounces / t.baseQueued;
    const bcr = t.baseProcessed === 0 ? null : t.baseComplaints / t.baseProcessed;
    runs.push(['; bounce rate ', false], [rate(br), true]);
    if (bbr !== null) runs.push([` (usually ${rate(bbr)})`, false]);
    runs.push([', complaint rate ', false], [rate(cr), true]);
    if (bcr !== null) runs.push([` (usually ${rate(bcr)})`, false]);
    runs.push(['.', false]);
    const silent = a.servers.filter((v) => v.silent).length;
    if (silent > 0) runs.push([` ${plural(silent, 'server')} sent nothing at all.`, true]);
    out.push(runs);
  } else {
    out.push([['No SocketLabs figures arrived for this day.', true]]);
  }
  const tests = a.campaigns.map((v) => v.c);
  if (tests.length > 0) {
    const scored = tests.filter((c) => c.pct_inbox !== null);
    const mean = (f: (c: DigestCampaign) => number | null) =>
      scored.length === 0 ? null : scored.reduce((s, c) => s + (f(c) ?? 0), 0) / scored.length;
    out.push([
      [`${plural(tests.length, 'placement test')}: inbox `, false],
      [pct(mean((c) => c.pct_inbox)), true],
      [`, bulk ${pct(mean((c) => c.pct_bulk))}, missing ${pct(mean((c) => c.pct_missing))} on average.`, false],
    ]);
  } else {
    out.push([['No SendSage placement test was sent this day.', false]]);
  }
  return out;
}

/** The digest's own definitions (the model's when it carries none), at most 20 of them. */
function definitionsOf(d: Digest): [string, string][] {
  const defs = Object.keys(d.definitions).length > 0 ? d.definitions : defaultDefinitions;
  return Object.entries(defs).slice(0, 20);
}

// ---------------------------------------------------------------------------------------------------- HTML parts

const FONT = 'font-family:Arial,Helvetica,sans-serif';
const TABLE = 'cellpadding="0" cellspacing="0" border="0"';
// Data tables pad their cells by attribute: one attribute instead of a padding style on every cell.
const DATA = 'cellpadding="3" cellspacing="0" border="0"';
/** A style attribute, or nothing when there is no style. */
const st = (css: string) => (css ? ` style="${css}"` : '');
// Outlook does not carry fonts into nested tables, so each table names its own.
const tableStyle = (size = 13) => `${FONT};font-size:${size}px;color:${palette.text};border-collapse:collapse`;

const badge = (label: string, colour: string) =>
  `<span style="display:inline-block;padding:1px 6px;border-radius:3px;background:${colour};color:#ffffff;` +
  `font-size:11px;font-weight:bold;letter-spacing:0.5px">${e(label)}</span>`;

const heading = (title: string, note = '') =>
  `<tr><td style="padding:22px 24px 6px"><div style="${FONT};font-size:17px;font-weight:bold;color:${palette.text};` +
  `border-bottom:2px solid ${palette.text};padding-bottom:4px">${e(title)}${
    note ? ` <span style="font-size:12px;font-weight:normal;color:${palette.muted}">${e(note)}</span>` : ''
  }</div></td></tr>`;

const small = (text: string, colour: string = palette.muted) =>
  `<div style="font-size:11px;color:${colour};padding:6px 0 2px">${e(text)}</div>`;

const row = (html: string, padding = '6px 24px') => `<tr><td style="padding:${padding}">${html}</td></tr>`;

/**
 * A bar per day in table cells (Outlook honours a cell's height and bgcolor, not a div's), the digest day last and in
 * the strong colour. A zero is a hairline, so an empty day still shows as a day.
 */
function barChart(title: string, values: readonly number[], colour: string): string {
  const max = Math.max(0, ...values);
  const H = 34;
  const bars = values
    .map((v, i) => {
      const day = i === values.length - 1;
      // The day drawn as nothing would vanish; a red stub shows that the day is there and was empty.
      const h = v === 0 ? (day ? 3 : 1) : max === 0 ? 1 : Math.max(2, Math.round((v / max) * H));
      const c = v === 0 ? (day ? palette.critical : '#d0d5dd') : day ? colour : '#b9c0cc';
      const first = i === 0 ? ` height="${H}"` : '';
      // Outlook gives a cell at least a line of height; only short bars need the line squeezed to nothing.
      const squeeze = h < 20 ? ' style="font-size:0;line-height:0"' : '';
      return (
        `<td valign="bottom"${first}><table cellpadding="0" cellspacing="0"><tr>` +
        `<td width="11" height="${h}" bgcolor="${c}"${squeeze}>&nbsp;</td></tr></table></td>`
      );
    })
    .join('');
  return (
    small(`${title} · max ${int(max)}`) +
    `<table ${TABLE.replace('cellspacing="0"', 'cellspacing="2"')} style="border-bottom:1px solid #98a2b3">` +
    `<tr>${bars}</tr></table>`
  );
}

interface MetricRow {
  readonly label: string;
  readonly key: keyof DigestServer & keyof NonNullable<DigestServer['baseline']>;
  readonly kind: 'count' | 'rate';
  readonly polarity: Polarity;
}

const serverMetricRows: readonly MetricRow[] = [
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

function serverMetricCells(v: ServerView, m: MetricRow): { now: string; base: string; d: Delta | null } {
  const cur = v.s[m.key] as number | null;
  const base = v.s.baseline?.[m.key] ?? null;
  return {
    now: m.kind === 'rate' ? rate(cur) : int(cur ?? 0),
    base: m.kind === 'rate' ? rate(base) : avg(base),
    d: delta(cur, base),
  };
}

function serverStatus(v: ServerView): { label: string; colour: string } {
  const alerting = v.level === 'critical' || v.level === 'warning';
  // "No traffic" says more than "warning" about a server that sent nothing; the colour still tells how bad.
  if (v.silent) return { label: 'NO TRAFFIC', colour: alerting ? levelColour[v.level] : palette.warning };
  if (alerting) return { label: v.level.toUpperCase(), colour: levelColour[v.level] };
  if (v.idle) return { label: 'IDLE', colour: palette.info };
  return { label: 'OK', colour: palette.ok };
}

function serverCard(a: Analysis, v: ServerView): string {
  const { s } = v;
  const status = serverStatus(v);
  const flagged = new Set(v.alerts.map((x) => metricKey(x.metric)));
  const th = (t: string, align = 'right') =>
    `<td align="${align}" style="font-size:11px;color:${palette.muted};border-bottom:1px solid ${palette.line}">` +
    `${e(t)}</td>`;
  const metrics = serverMetricRows
    .map((m) => {
      const c = serverMetricCells(v, m);
      const hot = flagged.has(m.key);
      const weight = hot ? `font-weight:bold;color:${levelColour[v.level]};` : '';
      return (
        `<tr><td${st(weight)}>${e(m.label)}</td>` +
        `<td align="right"${st(weight)}>${e(c.now)}</td>` +
        `<td align="right" style="color:${palette.muted}">${e(c.base)}</td>` +
        `<td align="right" style="color:${v.silent ? palette.muted : deltaColour(c.d, m.polarity, m.kind)};` +
        `white-space:nowrap">` +
        `${e(c.d?.text ?? '—')}</td></tr>`
      );
    })
    .join('');
  const metricsTable =
    `<table ${DATA} width="100%" style="${tableStyle()}"><tr>${th('', 'left')}${th(shortDate(a.d.date))}` +
    `${th('7-day avg')}${th('change')}</tr>${metrics}</table>`;
  const first = s.series[0];
  const last = s.series[s.series.length - 1];
  const span =
    first && last
      ? `${s.series.length} days, ${shortDate(first.date)} to ${shortDate(last.date)}; ` +
        'the last, coloured bar is the day'
      : 'No history';
  const charts =
    barChart(
      'Queued',
      s.series.map((x) => x.queued),
      '#2e5aac',
    ) +
    barChart(
      'Bounces',
      s.series.map((x) => x.bounces),
      '#c4320a',
    ) +
    barChart(
      'Complaints',
      s.series.map((x) => x.complaints),
      '#b42318',
    ) +
    small(span);

  const codes =
    s.top_failure_codes.length === 0
      ? ''
      : small('Top failure codes') +
        `<table ${DATA} width="100%" style="${tableStyle(12)}">${s.top_failure_codes
          .map(
            (f) =>
              `<tr><td valign="top" style="white-space:nowrap;font-weight:bold">${e(
                f.code === null ? '—' : String(f.code),
              )}</td><td valign="top" style="color:${palette.muted}">${e(show(f.category, 30))}</td>` +
              `<td valign="top">${e(show(f.meaning, 110))}</td>` +
              `<td valign="top" align="right">${e(int(f.count))}</td></tr>`,
          )
          .join('')}</table>`;
  const domains =
    s.top_bouncing_domains.length === 0
      ? ''
      : small('Top bouncing domains (hard / soft)') +
        `<table ${DATA} width="100%" style="${tableStyle(12)}">${s.top_bouncing_domains
          .map(
            (x) =>
              `<tr><td>${e(show(x.domain, 48))}</td>` +
              `<td align="right" style="font-weight:bold">${e(int(x.total))}</td>` +
              `<td align="right" style="color:${palette.muted};white-space:nowrap">` +
              `${e(`${int(x.hard)} / ${int(x.soft)}`)}</td></tr>`,
          )
          .join('')}</table>`;
  const complaintTypes =
    s.complaint_types.length === 0
      ? small('No complaints by type')
      : small('Complaints by type') +
        `<div style="${FONT};font-size:12px">${s.complaint_types
          .map((x) => `${e(show(x.type, 30))} <b>${e(int(x.count))}</b>`)
          .join(' · ')}</div>`;

  const note = v.silent
    ? `<div style="${FONT};font-size:13px;font-weight:bold;color:${palette.text};padding:4px 0 2px">${e(
        `Queued nothing on ${a.d.date}; it usually queues ${avg(s.baseline?.queued)} a day.`,
      )}</div>`
    : s.baseline === null
      ? small('No baseline yet: fewer than 7 days of history.')
      : '';
  const border = v.silent
    ? `border:2px dashed #98a2b3`
    : `border:1px solid ${palette.line};border-left:4px solid ${status.colour}`;
  const headBg = v.silent ? palette.silentBg : v.level === 'ok' ? '#f9fafb' : levelBg[v.level];
  return row(
    `<table ${TABLE} width="100%" style="${tableStyle()};${border}">` +
      `<tr><td colspan="2" style="padding:8px 12px;background:${headBg}">${badge(status.label, status.colour)} ` +
      `<span style="font-size:15px;font-weight:bold">Server ${e(String(s.server_id))}</span> ` +
      `<span style="font-size:12px;color:${palette.muted}">${e(s.source)}</span>${note}</td></tr>` +
      `<tr><td valign="top" width="56%" style="padding:6px 8px 8px 8px">${metricsTable}</td>` +
      `<td valign="top" style="padding:0 12px 8px 8px">${charts}</td></tr>` +
      `<tr><td colspan="2" style="padding:0 8px 4px">${codes}</td></tr>` +
      `<tr><td valign="top" style="padding:0 8px 10px">${domains}</td>` +
      `<td valign="top" style="padding:0 12px 10px 8px">${complaintTypes}</td></tr></table>`,
  );
}

/** Providers worst first (lowest inbox, then most missing); unknown placement last. */
function ispOrder(c: DigestCampaign): DigestCampaign['isps'] {
  return [...c.isps].sort(
    (x, y) =>
      (x.pct_inbox ?? 1000) - (y.pct_inbox ?? 1000) ||
      (y.pct_missing ?? 0) - (x.pct_missing ?? 0) ||
      show(x.isp_name).localeCompare(show(y.isp_name)),
  );
}

/** The providers to highlight: an alert names them, or they are among the three worst and clearly below par. */
function worstIsps(v: CampaignView): Set<DigestCampaign['isps'][number]> {
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
const campaignStatus = (c: DigestCampaign) =>
  isRunning(c) ? `still running (${clean(c.status, 20)})` : show(c.status, 20);

function placementBar(c: DigestCampaign): string {
  const parts = [
    [c.pct_inbox, '#12b76a'],
    [c.pct_bulk, '#f79009'],
    [c.pct_missing, '#98a2b3'],
  ] as const;
  const cells = parts
    .filter(([p]) => p !== null && p > 0)
    .map(([p, colour]) => {
      const w = Math.max(1, Math.round(p!));
      return `<td width="${w}%" height="10" bgcolor="${colour}" style="font-size:0;line-height:0">&nbsp;</td>`;
    })
    .join('');
  if (!cells) return '';
  return `<table ${TABLE} width="100%" style="margin-top:4px"><tr>${cells}</tr></table>`;
}

function authLine(label: string, counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((x, y) => y[1] - x[1]);
  if (entries.length === 0) return `<div>${e(label)}: <span style="color:${palette.muted}">no results</span></div>`;
  const parts = entries.map(([result, n]) => {
    const good = /^(pass|none)$/i.test(result);
    const colour = good ? palette.text : palette.critical;
    return `<span style="color:${colour}">${e(clean(result, 20))} <b>${e(int(n))}</b></span>`;
  });
  return `<div style="padding:1px 0">${e(label)}: ${parts.join(' · ')}</div>`;
}

function campaignCard(a: Analysis, v: CampaignView): string {
  const { c } = v;
  const worst = worstIsps(v);
  const isps = ispOrder(c);
  const shown = isps.slice(0, MAX_ISP_ROWS);
  const rest = isps.slice(MAX_ISP_ROWS);
  const th = (t: string, align = 'right') =>
    `<td align="${align}" style="font-size:11px;color:${palette.muted};border-bottom:1px solid ${palette.line}">` +
    `${e(t)}</td>`;
  const ispRows = shown
    .map((i) => {
      const hot = worst.has(i);
      const bg = hot ? `background:${palette.criticalBg}` : '';
      const mark = hot ? ` <span style="color:${palette.critical};font-size:11px;font-weight:bold">worst</span>` : '';
      return (
        `<tr><td${st(bg)}>${e(show(i.isp_name, 40))}${mark}</td>` +
        `<td align="right" style="${bg ? `${bg};` : ''}color:${palette.muted}">${e(
          i.count_total === null ? '—' : int(i.count_total),
        )}</td>` +
        `<td align="right"${st(hot ? `${bg};font-weight:bold` : '')}>${e(pct(i.pct_inbox))}</td>` +
        `<td align="right"${st(bg)}>${e(pct(i.pct_bulk))}</td>` +
        `<td align="right"${st(bg)}>${e(pct(i.pct_missing))}</td></tr>`
      );
    })
    .join('');
  const restInbox = rest.flatMap((i) => (i.pct_inbox === null ? [] : [i.pct_inbox]));
  const restNote =
    rest.length === 0
      ? ''
      : `<tr><td colspan="5" style="font-size:11px;color:${palette.muted}">${e(
          `+ ${plural(rest.length, 'more provider')}` +
            (restInbox.length > 0 ? `, inbox ${pct(Math.min(...restInbox))} or better` : ''),
        )}</td></tr>`;
  const ispTable =
    isps.length === 0
      ? small('No per-provider results yet.')
      : `<table ${DATA} width="100%" style="${tableStyle(12)}"><tr>${th('Provider', 'left')}${th('seeds')}` +
        `${th('inbox')}${th('bulk')}${th('missing')}</tr>${ispRows}${restNote}</table>`;

  const costly = c.top_rules
    .filter((r) => r.score !== null && r.score > 0.05)
    .sort((x, y) => (y.score ?? 0) - (x.score ?? 0))
    .slice(0, 5);
  const spam = c.spam_score;
  const spamVerdict =
    spam === null
      ? 'not scored yet'
      : c.spam_required !== null && spam >= c.spam_required
        ? 'spam by its rules'
        : 'below the spam threshold';
  const spamColour =
    spam !== null && c.spam_required !== null && spam >= c.spam_required ? palette.critical : palette.text;
  const rules =
    costly.length === 0
      ? ''
      : `<table ${DATA} width="100%" style="${tableStyle(12)};margin-top:2px">${costly
          .map(
            (r) =>
              `<tr><td valign="top" align="right" style="color:${palette.critical};` +
              `white-space:nowrap">${e(`+${num(r.score ?? 0)}`)}</td><td>` +
              `<b>${e(show(r.rule, 40))}</b><br><span style="color:${palette.muted}">${e(
                show(r.description, 100),
              )}</span></td></tr>`,
          )
          .join('')}</table>`;
  const spamBlock =
    small('SpamAssassin') +
    `<div style="${FONT};font-size:13px;color:${spamColour}"><b>${e(spam === null ? '—' : num(spam))}</b>${e(
      ` / ${c.spam_required === null ? '—' : num(c.spam_required)} required · ${spamVerdict}`,
    )}</div>${costly.length > 0 ? small('Rules that cost the most points') : ''}${rules}`;
  const auth =
    small('Authentication of the seed copies collected whole') +
    `<div style="${FONT};font-size:12px">${authLine('SPF', c.authentication.spf)}${authLine(
      'DKIM',
      c.authentication.dkim,
    )}${authLine('DMARC', c.authentication.dmarc)}</div>`;

  const status = campaignStatus(c);
  const label = v.level === 'ok' || v.level === 'info' ? 'OK' : v.level.toUpperCase();
  const labelColour = v.level === 'ok' || v.level === 'info' ? palette.ok : levelColour[v.level];
  const headBg = v.level === 'ok' || v.level === 'info' ? '#f9fafb' : levelBg[v.level];
  return row(
    `<table ${TABLE} width="100%" style="${tableStyle()};border:1px solid ${palette.line};` +
      `border-left:4px solid ${labelColour}">` +
      `<tr><td colspan="2" style="padding:8px 12px;background:${headBg}">` +
      `${badge(label, labelColour)} ` +
      `<span style="font-size:15px;font-weight:bold">Campaign ${e(String(c.campaign_id))}</span> ` +
      `<span style="font-size:12px;color:${palette.muted}">${e(
        `sent ${localTime(c.sent_at, a.d.timezone)} · ${status}`,
      )}</span>` +
      `<div style="padding-top:3px"><b>${e(`“${show(c.subject, 110)}”`)}</b> ` +
      `<span style="color:${palette.muted}">${e(`from ${show(c.from_address, 80)}`)}</span></div></td></tr>` +
      `<tr><td colspan="2" style="padding:8px 12px 2px">` +
      `<span style="color:#067647">Inbox <b>${e(pct(c.pct_inbox))}</b></span> · ` +
      `<span style="color:${palette.warning}">Bulk <b>${e(pct(c.pct_bulk))}</b></span> · ` +
      `<span style="color:${palette.info}">Missing <b>${e(pct(c.pct_missing))}</b></span>` +
      `${placementBar(c)}</td></tr>` +
      `<tr><td valign="top" width="54%" style="padding:6px 8px 10px">${ispTable}</td>` +
      `<td valign="top" style="padding:0 12px 10px 8px">${spamBlock}${auth}</td></tr></table>`,
  );
}

/**
 * Alerts as a reader takes them in: the per-provider findings of one campaign and metric are one entry (seven
 * providers below par is one problem, not seven), in the position of its worst member.
 */
interface AlertGroup {
  readonly severity: Alert['severity'];
  readonly scope: string;
  readonly metric: string;
  main: Alert | null;
  readonly isps: { readonly name: string; readonly alert: Alert }[];
  readonly advice: string[];
  readonly members: Alert[];
}

function groupAlerts(sorted: readonly Alert[]): AlertGroup[] {
  const groups: AlertGroup[] = [];
  const byKey = new Map<string, AlertGroup>();
  for (const x of sorted) {
    const scope = parseScope(x.scope);
    const key = scope?.kind === 'campaign' ? `${scope.id}|${metricKey(x.metric)}` : null;
    let g = key === null ? undefined : byKey.get(key);
    if (!g) {
      g = {
        severity: x.severity,
        scope: scope?.kind === 'campaign' ? `campaign ${scope.id}` : clean(x.scope, 80),
        metric: x.metric,
        main: null,
        isps: [],
        advice: [],
        members: [],
      };
      groups.push(g);
      if (key !== null) byKey.set(key, g);
    }
    if (scope?.kind === 'campaign' && scope.isp) g.isps.push({ name: clean(scope.isp, 40), alert: x });
    else g.main ??= x;
    const advice = clean(x.advice, 400);
    if (advice && !g.advice.includes(advice)) g.advice.push(advice);
    g.members.push(x);
  }
  return groups;
}

const thresholdText = (x: Alert) => (x.threshold === null ? '' : ` (threshold ${metricValue(x.metric, x.threshold)})`);
const valueText = (x: Alert) => (x.value === null || isNoDataAlert(x) ? '' : metricValue(x.metric, x.value));

/** `Gmail 12.5 %, Outlook 20.0 % (threshold 60.0 %); Orange 66.7 % (threshold 80.0 %)` */
function providersText(g: AlertGroup): string {
  const byThreshold = new Map<string, string[]>();
  for (const { name, alert } of g.isps) {
    const t = thresholdText(alert);
    byThreshold.set(t, [...(byThreshold.get(t) ?? []), `${name} ${valueText(alert)}`.trim()]);
  }
  return [...byThreshold.entries()].map(([t, names]) => `${names.join(', ')}${t}`).join('; ');
}

/** The group's advice, or a pointer to the entry above that already gave the same advice. */
function adviceText(g: AlertGroup, given: Map<string, string>): string {
  const fresh = g.advice.filter((x) => !given.has(x));
  const repeated = g.advice.filter((x) => given.has(x)).map((x) => given.get(x)!);
  const parts = [...fresh];
  if (repeated.length > 0) parts.push(`Advice as for ${[...new Set(repeated)].join(', ')} above.`);
  return parts.join(' ');
}

function noteAdvice(g: AlertGroup, given: Map<string, string>): void {
  for (const x of g.advice) if (!given.has(x)) given.set(x, g.scope);
}

function alertItem(g: AlertGroup, given: Map<string, string>): string {
  const level: Level = g.severity;
  const main = g.main
    ? ` <b>${e(valueText(g.main))}</b><span style="color:${palette.muted}">${e(thresholdText(g.main))}</span>`
    : '';
  const providers =
    g.isps.length === 0
      ? ''
      : `<div style="padding-top:2px">${e(`${g.main ? 'By provider' : 'At'}: ${providersText(g)}`)}</div>`;
  return (
    `<tr><td style="padding:7px 10px;background:${levelBg[level]};border-left:4px solid ${levelColour[level]}">` +
    `<b style="color:${levelColour[level]}">${e(g.severity.toUpperCase())}</b> &nbsp;<b>${e(g.scope)}</b>` +
    ` · ${e(metricLabel(g.metric))}${main}${providers}` +
    `<div style="padding-top:2px;color:#344054">${e(adviceText(g, given))}</div></td></tr>` +
    `<tr><td height="6" style="font-size:0;line-height:0">&nbsp;</td></tr>`
  );
}

function alertsBlock(a: Analysis, budget: number): string {
  if (a.alerts.length === 0) {
    if (a.noData) return '';
    return row(
      `<div style="${FONT};font-size:13px;padding:8px 10px;background:${palette.okBg};border-left:4px solid ` +
        `${palette.ok}">${e('No alerts: every server and placement test is within its usual range.')}</div>`,
    );
  }
  const groups = groupAlerts(a.alerts);
  const open = `<table ${TABLE} width="100%" style="${tableStyle()}">`;
  const close = '</table>';
  const moreLine = (rest: readonly AlertGroup[]) => {
    const left = rest.flatMap((g) => g.members);
    const n = (sev: Alert['severity']) => left.filter((x) => x.severity === sev).length;
    const parts = [
      n('critical') > 0 ? `${int(n('critical'))} critical` : '',
      n('warning') > 0 ? plural(n('warning'), 'warning') : '',
      n('info') > 0 ? plural(n('info'), 'note') : '',
    ].filter(Boolean);
    return `<tr><td style="padding:2px 10px;color:${palette.muted}">${e(
      `… and ${plural(left.length, 'more alert')} (${parts.join(', ')}), all in digest.json.`,
    )}</td></tr>`;
  };
  // The line for the rest is reserved up front, so adding an alert never leaves no room to say what was left out.
  let used = bytes(open + close) + bytes(moreLine(groups)) + 40;
  let html = '';
  let shown = 0;
  const given = new Map<string, string>();
  for (const g of groups) {
    if (shown >= MAX_VISIBLE_ALERTS) break;
    const item = alertItem(g, given);
    const size = bytes(item);
    if (used + size > budget) break;
    noteAdvice(g, given);
    html += item;
    used += size;
    shown++;
  }
  if (shown < groups.length) html += moreLine(groups.slice(shown));
  return row(open + html + close, '4px 24px');
}

function header(a: Analysis): string {
  const { d } = a;
  const v = verdict(a);
  const colour = v.level === 'nodata' ? palette.text : levelColour[v.level];
  const bg = v.level === 'nodata' ? palette.infoBg : levelBg[v.level];
  const summary = summaryRuns(a)
    .map(
      (runs) =>
        `<div style="padding-top:4px">${runs.map(([t, strong]) => (strong ? `<b>${e(t)}</b>` : e(t))).join('')}</div>`,
    )
    .join('');
  return (
    `<tr><td style="padding:18px 24px 6px;${FONT};font-size:12px;color:${palette.muted}">` +
    `${e(`inboxlake daily digest · ${longDate(d.date)} · ${clean(d.timezone, 60)}`)}</td></tr>` +
    row(
      `<div style="${FONT};padding:12px 14px;background:${bg};border-left:6px solid ${colour}">` +
        `<div style="font-size:21px;font-weight:bold;color:${colour}">${e(v.headline)}</div>` +
        `<div style="font-size:14px;color:${palette.text};line-height:1.45">${summary}</div></div>`,
    )
  );
}

/** Unreadable files named in the "incomplete" notice; digest.json lists every one with its reason. */
const NAMED_UNREADABLE = 5;

/** What an incomplete digest (lake files it could not read) says about itself; null for a complete one. */
function incompleteNotice(d: Digest): { headline: string; keys: string[]; note: string } | null {
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

function incompleteBanner(d: Digest): string {
  const notice = incompleteNotice(d);
  if (!notice) return '';
  return row(
    `<div style="${FONT};padding:10px 14px;background:${palette.criticalBg};border-left:6px solid ${palette.critical}">` +
      `<div style="font-size:15px;font-weight:bold;color:${palette.critical}">${e(notice.headline)}</div>` +
      notice.keys
        .map((k) => `<div style="font-family:monospace;font-size:12px;word-break:break-all">${e(k)}</div>`)
        .join('') +
      `<div style="font-size:13px;color:${palette.text};line-height:1.45;padding-top:4px">${e(notice.note)}</div></div>`,
  );
}

function serverRow(v: ServerView): string {
  const { s } = v;
  const status = serverStatus(v);
  const dq = delta(s.queued, s.baseline?.queued);
  const cell = (t: string, extra = '') => `<td align="right"${st(extra)}>${e(t)}</td>`;
  const bg = v.silent ? `background:${palette.silentBg};` : '';
  return (
    `<tr><td${st(bg)}>${e(`Server ${s.server_id}`)}</td>` +
    cell(int(s.queued), bg) +
    cell(v.silent ? `usually ${avg(s.baseline?.queued)}` : (dq?.text ?? '—'), `${bg}color:${palette.muted}`) +
    cell(rate(s.bounce_rate), bg) +
    cell(rate(s.complaint_rate), bg) +
    `<td style="${bg}color:${status.colour};font-size:11px;font-weight:bold">${e(status.label)}</td></tr>`
  );
}

function campaignRow(a: Analysis, v: CampaignView): string {
  const { c } = v;
  const label = v.level === 'ok' || v.level === 'info' ? 'OK' : v.level.toUpperCase();
  const colour = v.level === 'ok' || v.level === 'info' ? palette.ok : levelColour[v.level];
  const cell = (t: string) => `<td align="right" style="white-space:nowrap">${e(t)}</td>`;
  return (
    `<tr><td style="white-space:nowrap">${e(String(c.campaign_id))}</td>` +
    `<td>${e(show(c.subject, 48))}</td>` +
    cell(localTime(c.sent_at, a.d.timezone)) +
    cell(pct(c.pct_inbox)) +
    cell(pct(c.pct_bulk)) +
    cell(c.spam_score === null ? '—' : num(c.spam_score)) +
    `<td style="color:${colour};font-size:11px;font-weight:bold">${e(label)}</td></tr>`
  );
}

const tailHead = (cols: readonly [string, string][]) =>
  `<tr>${cols
    .map(
      ([t, align]) =>
        `<td align="${align}" style="font-size:11px;color:${palette.muted};border-bottom:1px solid ${palette.line}">` +
        `${e(t)}</td>`,
    )
    .join('')}</tr>`;

/**
 * The items not shown in full, as table rows in rank order, as many as the budget allows; the rest as one line
 * saying how many there are and how bad the worst of them is.
 */
function tailTable<T extends ItemView>(
  items: readonly T[],
  rowHtml: (v: T) => string,
  head: string,
  noun: [string, string],
  budget: number,
  title: string,
): string {
  if (items.length === 0) return '';
  const open =
    `<tr><td style="padding:2px 24px 0">${small(title)}` +
    `<table ${DATA} width="100%" style="${tableStyle(12)}">${head}`;
  const close = '</table></td></tr>';
  const moreLine = (rest: readonly T[]) => {
    const bad = rest.filter((v) => v.level === 'critical' || v.level === 'warning').length;
    const quality = bad === 0 ? 'none with a warning' : `${int(bad)} with a warning or worse`;
    const what = `${rest.length === items.length ? '' : 'more '}${rest.length === 1 ? noun[0] : noun[1]}`;
    const lead = rest.length === items.length ? '' : '… and ';
    return row(
      `<div style="${FONT};font-size:12px;color:${palette.muted}">${e(
        `${lead}${int(rest.length)} ${what} not listed (${quality}); every figure is in digest.json.`,
      )}</div>`,
      '4px 24px',
    );
  };
  const reserve = Buffer.byteLength(moreLine(items));
  let used = Buffer.byteLength(open + close) + reserve;
  let rows = '';
  let n = 0;
  for (const v of items) {
    const r = rowHtml(v);
    const size = Buffer.byteLength(r);
    if (used + size > budget) break;
    rows += r;
    used += size;
    n++;
  }
  if (n === 0) return Buffer.byteLength(moreLine(items)) <= budget ? moreLine(items) : '';
  return open + rows + close + (n < items.length ? moreLine(items.slice(n)) : '');
}

function hardBounceBlock(a: Analysis): string {
  const list = a.d.hard_bounced_addresses;
  if (list.length === 0) return '';
  const byCode = new Map<string, number>();
  for (const x of list) {
    const code = x.code === null ? '—' : String(x.code);
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
  }
  const codes = [...byCode.entries()]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 4)
    .map(([code, n]) => `${code} × ${int(n)}`)
    .join(', ');
  const examples = list
    .slice(0, 5)
    .map(
      (x) =>
        `<tr><td valign="top" style="white-space:nowrap">${e(clean(x.address, 64))}</td>` +
        `<td valign="top" style="color:${palette.muted}">${e(`${x.code ?? '—'} ${show(x.reason, 110)}`)}</td></tr>`,
    )
    .join('');
  const total = a.d.hard_bounced_total;
  return (
    heading('Suppress', `${plural(total, 'hard-bounced address', 'hard-bounced addresses')}`) +
    row(
      `<div style="${FONT};font-size:13px">${e(
        `${attachedSentence(list.length, total)} (codes ${codes}). ` +
          'Add them to your suppression list so they are not mailed again.',
      )}</div>` +
        `<table ${DATA} width="100%" style="${tableStyle(12)};margin-top:4px">${examples}</table>` +
        (list.length > 5 ? small(`First 5 of ${int(total)} shown.`) : ''),
    )
  );
}

/** What the CSV holds: every address, or the first ones and where the rest are. */
function attachedSentence(listed: number, total: number): string {
  if (listed >= total) return `The attached CSV lists all ${plural(total, 'address', 'addresses')} that hard-bounced`;
  return (
    `The attached CSV lists the first ${int(listed)} of ${int(total)} addresses that hard-bounced, by server and ` +
    'address (an e-mail cannot carry more; the named query new-hard-bounces lists them all from the lake)'
  );
}

function footer(a: Analysis): string {
  const { d } = a;
  const defs = definitionsOf(d);
  const items = defs
    .map(
      ([k, v]) =>
        `<tr><td valign="top" style="padding:1px 8px 1px 0;white-space:nowrap"><b>${e(clean(k, 40))}</b></td>` +
        `<td style="padding:1px 0">${e(clean(v, 200))}</td></tr>`,
    )
    .join('');
  return row(
    `<div style="${FONT};font-size:11px;color:${palette.muted};border-top:1px solid ${palette.line};` +
      `padding-top:10px;margin-top:14px">` +
      `<div style="font-weight:bold;padding-bottom:3px">Definitions</div>` +
      `<table ${TABLE} style="${FONT};font-size:11px;color:${palette.muted}">${items}</table>` +
      `<div style="padding-top:8px">${e(
        `Day ${d.date} in ${clean(d.timezone, 60)}: ${utc(d.window.start)} to ${utc(d.window.end)}. ` +
          `Generated ${utc(d.generated_at)} by inboxlake; the full figures are in digest.json.`,
      )}</div></div>`,
    '6px 24px 20px',
  );
}

function preheader(a: Analysis): string {
  const v = verdict(a);
  const worst = a.worst && !a.noData ? ` · ${a.worst.severity}: ${alertPhrase(a.worst)}` : '';
  return (
    `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;` +
    `color:#ffffff">${e(`${v.headline}${worst}`)}</div>`
  );
}

// ---------------------------------------------------------------------------------------------------- planning

interface Plan {
  readonly a: Analysis;
  readonly fullServers: ServerView[];
  readonly fullCampaigns: CampaignView[];
  readonly restServers: ServerView[];
  readonly restCampaigns: CampaignView[];
  readonly html: string;
}

function plan(d: Digest, options: RenderOptions): Plan {
  const a = analyse(d);
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxServers = a.noData ? 0 : (options.maxFullServers ?? 8);
  const maxCampaigns = a.noData ? 0 : (options.maxFullCampaigns ?? 6);

  const top =
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light">' +
    `<title>${e(`inboxlake digest ${d.date}`)}</title></head>` +
    `<body style="margin:0;padding:0;background:#eef0f3">${preheader(a)}` +
    `<table role="presentation" ${TABLE} width="100%" bgcolor="#eef0f3">` +
    '<tr><td align="center" style="padding:16px 8px">' +
    `<table role="presentation" ${TABLE} width="720" bgcolor="#ffffff" style="width:720px;max-width:100%;` +
    `${tableStyle(14)}">${header(a)}${incompleteBanner(d)}`;
  const bottom = `${hardBounceBlock(a)}${footer(a)}</table></td></tr></table></body></html>`;
  const alerts =
    a.alerts.length > 0 || !a.noData
      ? (a.alerts.length > 0 ? heading('Alerts', `${plural(a.alerts.length, 'alert')}, worst first`) : '') +
        alertsBlock(a, Math.floor(max * 0.2))
      : '';
  const serverHeading =
    a.servers.length === 0
      ? a.noData
        ? ''
        : heading('SocketLabs servers') + row(small('No SocketLabs server reported any figures for this day.'))
      : heading('SocketLabs servers', `${plural(a.servers.length, 'server')}, worst first`);
  const campaignHeading =
    a.campaigns.length === 0
      ? a.noData
        ? ''
        : heading('SendSage placement tests') + row(small('No placement test was sent this day.'))
      : heading('SendSage placement tests', `${plural(a.campaigns.length, 'test')}, worst first`);
  const fixed = bytes(top) + bytes(bottom) + bytes(alerts) + bytes(serverHeading) + bytes(campaignHeading);

  const serverHead = tailHead([
    ['Server', 'left'],
    ['Queued', 'right'],
    ['vs avg', 'right'],
    ['Bounce rate', 'right'],
    ['Complaint rate', 'right'],
    ['', 'left'],
  ]);
  const campaignHead = tailHead([
    ['Test', 'left'],
    ['Subject', 'left'],
    ['Sent', 'right'],
    ['Inbox', 'right'],
    ['Bulk', 'right'],
    ['Spam', 'right'],
    ['', 'left'],
  ]);
  const rowSize = (v: ItemView) => bytes(v.kind === 'server' ? serverRow(v) : campaignRow(a, v));
  const allRows = [...a.servers, ...a.campaigns].reduce((n, v) => n + rowSize(v), 0);
  // The compact tables keep some room, so a day with many items still lists more than the few shown in full.
  const tailReserve = Math.min(allRows + 2_000, Math.floor(max * 0.22));

  // Servers and campaigns take turns by severity, so a critical campaign is not crowded out by quiet servers.
  const candidates: ItemView[] = [
    ...a.servers.filter((v) => !v.idle).slice(0, maxServers),
    ...a.campaigns.slice(0, maxCampaigns),
  ].sort(
    (x, y) =>
      Math.max(levelRank[y.level], y.kind === 'server' && y.silent ? 2 : 0) -
        Math.max(levelRank[x.level], x.kind === 'server' && x.silent ? 2 : 0) ||
      x.rank - y.rank ||
      (x.kind === 'server' ? -1 : 1),
  );
  const cards = new Map<ItemView, string>();
  let used = fixed;
  for (const v of candidates) {
    const html = v.kind === 'server' ? serverCard(a, v) : campaignCard(a, v);
    const size = bytes(html);
    if (used + size + tailReserve > max) continue;
    cards.set(v, html);
    used += size;
  }
  const fullServers = a.servers.filter((v) => cards.has(v));
  const fullCampaigns = a.campaigns.filter((v) => cards.has(v));
  const restServers = a.servers.filter((v) => !cards.has(v));
  const restCampaigns = a.campaigns.filter((v) => !cards.has(v));

  const left = max - used;
  const campaignRowsSize = restCampaigns.reduce((n, v) => n + rowSize(v), 0) + 1_000;
  const serverTail = tailTable(
    restServers,
    serverRow,
    serverHead,
    ['server', 'servers'],
    left - Math.min(campaignRowsSize, Math.floor(left / 2)),
    fullServers.length > 0 ? 'The other servers' : a.noData ? 'Servers (nothing arrived)' : 'Servers',
  );
  const campaignTail = tailTable(
    restCampaigns,
    (v) => campaignRow(a, v),
    campaignHead,
    ['test', 'tests'],
    left - bytes(serverTail),
    fullCampaigns.length > 0 ? 'The other tests' : 'Tests',
  );
  const html =
    top +
    alerts +
    serverHeading +
    fullServers.map((v) => cards.get(v)).join('') +
    serverTail +
    campaignHeading +
    fullCampaigns.map((v) => cards.get(v)).join('') +
    campaignTail +
    bottom;
  if (bytes(html) <= max) return { a, fullServers, fullCampaigns, restServers, restCampaigns, html };
  // Only a budget smaller than the fixed parts (header, alerts, footer) gets here: say what matters and stop.
  const v = verdict(a);
  const minimal =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${e(`inboxlake digest ${d.date}`)}</title>` +
    `</head><body style="${FONT}"><div style="font-size:18px;font-weight:bold">${e(v.headline)}</div>` +
    `<div>${e(a.worst ? `Worst: ${a.worst.severity} · ${alertPhrase(a.worst)}` : '')}</div>` +
    `<div>${e(incompleteNotice(d)?.headline ?? '')}</div>` +
    `<div>${e('The full digest is too large for this message; every figure is in digest.json.')}</div></body></html>`;
  return {
    a,
    fullServers: [],
    fullCampaigns: [],
    restServers: a.servers,
    restCampaigns: a.campaigns,
    html: minimal,
  };
}

// ---------------------------------------------------------------------------------------------------- exports

/** The e-mail subject: the day, the worst severity and the worst alert in a phrase; INCOMPLETE when it is. */
export function renderSubject(d: Digest): string {
  const subject = subjectOf(d);
  return d.unreadable_files.length > 0 ? `${subject} · INCOMPLETE` : subject;
}

function subjectOf(d: Digest): string {
  const a = analyse(d);
  const head = `inboxlake ${d.date}`;
  const worst = a.worst ? alertPhrase(a.worst) : '';
  // On a day without data the alert that says so would only repeat the words; any other alert still earns its place.
  if (a.noData) return a.worst && !isNoDataAlert(a.worst) ? `${head} · NO DATA · ${worst}` : `${head} · NO DATA`;
  if (!a.worst) return `${head} · OK`;
  return `${head} · ${a.worst.severity.toUpperCase()} · ${worst}`;
}

/** The HTML part: a complete e-mail document, inline-styled, escaped, and within `maxBytes`. */
export function renderHtml(d: Digest, options: RenderOptions = {}): string {
  return plan(d, options).html;
}

// ---------------------------------------------------------------------------------------------------- text

const WIDTH = 80;

/** Word-wraps to the page width, continuation lines indented. */
function wrap(text: string, indent = '', first = indent, width = WIDTH): string[] {
  // A word longer than a line (a URL, a base64 token in a bounce reason) is cut, so no line passes the width.
  const room = Math.max(10, width - indent.length);
  const words = text
    .split(' ')
    .filter(Boolean)
    .flatMap((w) => (w.length <= room ? [w] : (w.match(new RegExp(`.{1,${room}}`, 'gu')) ?? [w])));
  const lines: string[] = [];
  let line = first;
  let fresh = true;
  for (const w of words) {
    if (!fresh && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent + w;
    } else {
      line += (fresh ? '' : ' ') + w;
    }
    fresh = false;
  }
  lines.push(line);
  return lines;
}

const SPARKS = '▁▂▃▄▅▆▇█';

function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v === 0 ? '_' : SPARKS[Math.min(7, Math.floor((v / (max || 1)) * 7.999))]!)).join('');
}

const padL = (s: string, n: number) => s.padStart(n);
const padR = (s: string, n: number) => s.padEnd(n);

function textServer(a: Analysis, v: ServerView): string[] {
  const { s } = v;
  const st = serverStatus(v);
  const out = [`Server ${s.server_id} (${s.source}) · ${st.label}`];
  if (v.silent)
    out.push(...wrap(`Queued nothing on ${a.d.date}; it usually queues ${avg(s.baseline?.queued)} a day.`, '  ', '  '));
  else if (s.baseline === null) out.push('  No baseline yet: fewer than 7 days of history.');
  out.push(`  ${padR('', 16)}${padL(shortDate(a.d.date), 12)}${padL('7-day avg', 12)}${padL('change', 12)}`);
  for (const m of serverMetricRows) {
    const c = serverMetricCells(v, m);
    const mark = v.alerts.some((x) => metricKey(x.metric) === m.key) ? '! ' : '  ';
    out.push(`${mark}${padR(m.label, 16)}${padL(c.now, 12)}${padL(c.base, 12)}${padL(c.d?.text ?? '—', 12)}`);
  }
  if (s.series.length > 0) {
    const span = `${shortDate(s.series[0]!.date)}–${shortDate(s.series[s.series.length - 1]!.date)}`;
    out.push(`  14 days, ${span}:`);
    for (const [label, values] of [
      ['queued', s.series.map((x) => x.queued)],
      ['bounces', s.series.map((x) => x.bounces)],
      ['complaints', s.series.map((x) => x.complaints)],
    ] as const) {
      out.push(`    ${padR(label, 11)}${sparkline(values)}  max ${int(Math.max(0, ...values))}`);
    }
  }
  if (s.top_failure_codes.length > 0) {
    out.push('  Top failure codes:');
    for (const f of s.top_failure_codes) {
      const head = `    ${padL(f.code === null ? '—' : String(f.code), 5)} ${padL(int(f.count), 7)}  `;
      out.push(...wrap(`${show(f.category, 30)}: ${show(f.meaning, 110)}`, ' '.repeat(head.length), head));
    }
  }
  if (s.top_bouncing_domains.length > 0) {
    const parts = s.top_bouncing_domains.map(
      (x) => `${show(x.domain, 48)} ${int(x.total)} (${int(x.hard)} hard, ${int(x.soft)} soft)`,
    );
    out.push(...wrap(`Top bouncing domains: ${parts.join('; ')}`, '    ', '  '));
  }
  if (s.complaint_types.length > 0) {
    out.push(
      ...wrap(
        `Complaints by type: ${s.complaint_types.map((x) => `${show(x.type, 30)} ${int(x.count)}`).join(', ')}`,
        '    ',
        '  ',
      ),
    );
  }
  return out;
}

function textCampaign(a: Analysis, v: CampaignView): string[] {
  const { c } = v;
  const label = v.level === 'ok' || v.level === 'info' ? 'OK' : v.level.toUpperCase();
  const out = [
    `Campaign ${c.campaign_id} · sent ${localTime(c.sent_at, a.d.timezone)} · ${campaignStatus(c)} · ${label}`,
  ];
  out.push(...wrap(`“${show(c.subject, 110)}” from ${show(c.from_address, 80)}`, '    ', '  '));
  out.push(`  Placement: inbox ${pct(c.pct_inbox)} · bulk ${pct(c.pct_bulk)} · missing ${pct(c.pct_missing)}`);
  const worst = worstIsps(v);
  const isps = ispOrder(c);
  if (isps.length > 0) {
    out.push(`  ${padR('Provider', 26)}${padL('seeds', 7)}${padL('inbox', 9)}${padL('bulk', 9)}${padL('missing', 9)}`);
    for (const i of isps.slice(0, MAX_ISP_ROWS)) {
      const name = `${show(i.isp_name, 24)}`;
      out.push(
        `${worst.has(i) ? '! ' : '  '}${padR(name, 26)}` +
          `${padL(i.count_total === null ? '—' : int(i.count_total), 7)}` +
          `${padL(pct(i.pct_inbox), 9)}${padL(pct(i.pct_bulk), 9)}${padL(pct(i.pct_missing), 9)}`,
      );
    }
    if (isps.length > MAX_ISP_ROWS) out.push(`  + ${plural(isps.length - MAX_ISP_ROWS, 'more provider')}`);
  }
  const spam =
    c.spam_score === null
      ? 'SpamAssassin: not scored yet'
      : `SpamAssassin: ${num(c.spam_score)} / ${c.spam_required === null ? '—' : num(c.spam_required)} required`;
  out.push(`  ${spam}`);
  const costly = c.top_rules
    .filter((r) => r.score !== null && r.score > 0.05)
    .sort((x, y) => (y.score ?? 0) - (x.score ?? 0))
    .slice(0, 5);
  for (const r of costly) {
    const head = `    ${padL(`+${num(r.score ?? 0)}`, 6)} `;
    out.push(...wrap(`${show(r.rule, 40)}: ${show(r.description, 100)}`, ' '.repeat(head.length), head));
  }
  const auth = (name: string, counts: Record<string, number>) => {
    const entries = Object.entries(counts).sort((x, y) => y[1] - x[1]);
    const results = entries.map(([k, n]) => `${clean(k, 20)} ${int(n)}`).join(', ');
    return `${name} ${entries.length === 0 ? 'no results' : results}`;
  };
  out.push(
    ...wrap(
      `Authentication: ${auth('SPF', c.authentication.spf)}; ${auth('DKIM', c.authentication.dkim)}; ${auth(
        'DMARC',
        c.authentication.dmarc,
      )}`,
      '    ',
      '  ',
    ),
  );
  return out;
}

/** The plain-text part: the same note in 80 columns, charts as sparklines. */
export function renderText(d: Digest, options: RenderOptions = {}): string {
  const p = plan(d, options);
  const { a } = p;
  const rule = '='.repeat(WIDTH);
  const thin = '-'.repeat(WIDTH);
  const v = verdict(a);
  const out: string[] = [`inboxlake daily digest · ${longDate(d.date)} · ${clean(d.timezone, 60)}`, rule];
  out.push(v.headline.toUpperCase());
  for (const runs of summaryRuns(a)) out.push(...wrap(runs.map(([t]) => t).join('')));
  out.push('');
  const notice = incompleteNotice(d);
  if (notice) {
    out.push(notice.headline);
    for (const k of notice.keys) out.push(...wrap(k, '    ', '  - '));
    out.push(...wrap(notice.note), '');
  }

  if (a.alerts.length > 0) {
    out.push('ALERTS', thin);
    const given = new Map<string, string>();
    for (const g of groupAlerts(a.alerts)) {
      const tag = padR(`[${g.severity.toUpperCase()}]`, 11);
      const pad = ' '.repeat(11);
      const main = g.main ? ` ${valueText(g.main)}${thresholdText(g.main)}` : '';
      out.push(...wrap(`${g.scope} · ${metricLabel(g.metric)}${main}`.replace(/ +$/, ''), pad, tag));
      if (g.isps.length > 0) out.push(...wrap(`${g.main ? 'By provider' : 'At'}: ${providersText(g)}`, pad, pad));
      out.push(...wrap(adviceText(g, given), pad, pad));
      noteAdvice(g, given);
    }
    out.push('', '(Below, ! marks the figure or provider an alert is about.)', '');
  } else if (!a.noData) {
    out.push('No alerts: every server and placement test is within its usual range.', '');
  }

  if (!(a.noData && a.servers.length === 0)) out.push('SOCKETLABS SERVERS', thin);
  if (a.servers.length === 0 && !a.noData) out.push('No SocketLabs server reported any figures for this day.');
  for (const s of p.fullServers) out.push(...textServer(a, s), '');
  if (p.restServers.length > 0) {
    out.push(p.fullServers.length > 0 ? 'The other servers:' : 'Servers:');
    out.push(
      `  ${padR('server', 14)}${padL('queued', 11)}${padL('vs avg', 16)}` +
        `${padL('bounce', 10)}${padL('complaint', 11)}  status`,
    );
    for (const s of p.restServers) {
      const st = serverStatus(s);
      const dq = s.silent
        ? `usually ${avg(s.s.baseline?.queued)}`
        : (delta(s.s.queued, s.s.baseline?.queued)?.text ?? '—');
      out.push(
        `  ${padR(`Server ${s.s.server_id}`, 14)}${padL(int(s.s.queued), 11)}${padL(dq, 16)}` +
          `${padL(rate(s.s.bounce_rate), 10)}${padL(rate(s.s.complaint_rate), 11)}  ${st.label}`,
      );
    }
  }
  out.push('');

  if (!(a.noData && a.campaigns.length === 0)) {
    out.push('SENDSAGE PLACEMENT TESTS', thin);
    if (a.campaigns.length === 0) out.push('No placement test was sent this day.');
    for (const c of p.fullCampaigns) out.push(...textCampaign(a, c), '');
    if (p.restCampaigns.length > 0) {
      out.push(p.fullCampaigns.length > 0 ? 'The other tests:' : 'Tests:');
      for (const c of p.restCampaigns) {
        const label = c.level === 'ok' || c.level === 'info' ? 'OK' : c.level.toUpperCase();
        const head = `  ${padL(String(c.c.campaign_id), 7)}  ${padL(pct(c.c.pct_inbox), 7)} inbox  ${padR(label, 8)} `;
        out.push(`${head}${show(c.c.subject, WIDTH - head.length)}`);
      }
    }
    out.push('');
  }

  const bounced = d.hard_bounced_addresses;
  if (bounced.length > 0) {
    out.push('SUPPRESS', thin);
    out.push(...wrap(`${attachedSentence(bounced.length, d.hard_bounced_total)}; add them to your suppression list.`));
    for (const x of bounced.slice(0, 5)) {
      out.push(...wrap(`${clean(x.address, 64)}: ${x.code ?? '—'} ${show(x.reason, 110)}`, '      ', '  '));
    }
    out.push('');
  }

  out.push('DEFINITIONS', thin);
  const defs = definitionsOf(d);
  for (const [k, text] of defs) out.push(...wrap(`${clean(k, 40)}: ${clean(text, 200)}`, '    ', '  '));
  out.push(
    ...wrap(
      `Day ${d.date} in ${clean(d.timezone, 60)}: ${utc(d.window.start)} to ${utc(d.window.end)}. Generated ` +
        `${utc(d.generated_at)} by inboxlake; the full figures are in digest.json.`,
    ),
  );
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
