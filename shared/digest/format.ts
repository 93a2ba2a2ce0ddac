import type { Alert } from './model';

/**
 * How the digest writes numbers, rates, changes, dates and API text, the same in the HTML and the text part. Plain
 * strings only: escaping for HTML is the HTML's business.
 */

/**
 * API text made safe to show on one line: control and bidirectional-override characters (which could fake a line
 * or reverse what the reader sees) become spaces, runs of space collapse, and long text is cut at a code point.
 */
export function clean(text: string | null | undefined, max = 120): string {
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
export const show = (text: string | null | undefined, max?: number) => clean(text, max) || '—';

export const int = (n: number) =>
  Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A baseline average: whole numbers from 100 up, one decimal below (1.6 complaints a day is not 2). */
export function avg(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (Math.abs(n) >= 100 || Number.isInteger(n)) return int(n);
  return n.toFixed(1);
}

/** A fraction as a percentage with 2 decimals: 0.0034 → `0.34 %`. */
export function rate(r: number | null | undefined): string {
  return r === null || r === undefined ? '—' : `${(r * 100).toFixed(2)} %`;
}

/** A SendSage percentage, already 0–100: one decimal is all ~50 seeds can tell. */
export function pct(p: number | null | undefined): string {
  return p === null || p === undefined ? '—' : `${p.toFixed(1)} %`;
}

export const num = (n: number) => (Number.isInteger(n) ? int(n) : String(Math.round(n * 100) / 100));

const metricLabels: Record<string, string> = {
  pct_inbox: 'inbox',
  pct_bulk: 'bulk',
  pct_missing: 'missing',
  spam_score: 'SpamAssassin score',
  dmarc_fail: 'DMARC failures',
};

/** Alert metrics are named `complaint rate` or `complaint_rate`; both mean the server field `complaint_rate`. */
export const metricKey = (metric: string) =>
  metric
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '_');

export const metricLabel = (metric: string) => metricLabels[metricKey(metric)] ?? clean(metric, 60).replace(/_/g, ' ');

/** An alert that says nothing arrived: its value (0) adds nothing to the words. */
export const isNoDataAlert = (x: Alert) => metricKey(x.metric) === 'no_data';

/** An alert's value in the unit its metric implies: rates are fractions, placement and `pct_*` already percentages. */
export function metricValue(metric: string, v: number | null): string {
  if (v === null) return '—';
  const key = metricKey(metric);
  if (/(^|_)rate$/.test(key)) return rate(v);
  if (/^pct_|_pct$|placement/.test(key)) return pct(v);
  return num(v);
}

export interface Delta {
  readonly text: string;
  /** Relative change in percent; Infinity when the baseline was 0. */
  readonly change: number;
}

/** Change against the baseline as an arrow and a percentage; null when there is nothing to compare with. */
export function delta(cur: number | null | undefined, base: number | null | undefined): Delta | null {
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
export function longDate(date: string): string {
  const t = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(t.getTime())) return date;
  return `${weekdays[t.getUTCDay()]} ${t.getUTCDate()} ${months[t.getUTCMonth()]} ${t.getUTCFullYear()}`;
}

/** `9 Nov` from `2026-11-09`. */
export function shortDate(date: string): string {
  const t = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(t.getTime())) return date;
  return `${t.getUTCDate()} ${months[t.getUTCMonth()]!.slice(0, 3)}`;
}

/** A UTC instant as local wall time in the digest's zone (`22 Nov 07:15`); UTC when the zone is unknown. */
export function localTime(instant: string, timezone: string): string {
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
export function utc(instant: string): string {
  const t = new Date(instant);
  return Number.isNaN(t.getTime()) ? clean(instant, 40) : `${t.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${int(n)} ${n === 1 ? one : many}`;

/** An alert's threshold in words, with a leading space; empty when it has none. */
export const thresholdText = (x: Alert) =>
  x.threshold === null ? '' : ` (threshold ${metricValue(x.metric, x.threshold)})`;
/** An alert's value in its unit; empty when it has none or says nothing arrived. */
export const valueText = (x: Alert) => (x.value === null || isNoDataAlert(x) ? '' : metricValue(x.metric, x.value));
