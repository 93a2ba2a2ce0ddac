/**
 * API timestamps → epoch milliseconds (UTC). Written by hand rather than with Date.parse because Date.parse reads a
 * time without an offset as *local* time, and rejects SendSage's `2012-06-01 T 12:45:40-0600`.
 *
 * Accepted: `2010-03-24T13:02:56Z`, `2010-03-01T16:29:57-04:00`, `2009-11-21T13:57:11.1034784Z` (any fraction,
 * kept to the millisecond), `2026-11-20 13:02:56` (no offset: UTC, as the APIs default), `2012-06-01 T 12:45:40-0600`,
 * offsets `±HH:MM`, `±HHMM`, `±HH`, and epoch seconds as a number or a string of digits.
 */
const isoLike =
  /^(\d{4})-(\d{2})-(\d{2})(?:\s*[Tt ]\s*(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses an API timestamp; null when absent, empty or not a valid instant. */
export function parseApiTimestamp(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  if (text.length === 20) {
    const t = plainUtc(text);
    if (t !== undefined) return t;
  }
  if (/^\d{9,11}$/.test(text)) return Number(text) * 1000;
  const m = isoLike.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  let t = validUtc(year, month, day, hour, minute, second, ms);
  if (t === null) return null;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    t -= sign * offsetMin * 60_000;
  }
  return t;
}

/** The instant of calendar fields, or null when they name none (month 13, 2026-02-31: Date.UTC would roll over). */
function validUtc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number) {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return new Date(t).getUTCDate() === day ? t : null;
}

// Where `YYYY-MM-DDTHH:MM:SSZ` has its separators and its digits.
const separators: readonly [number, number][] = [
  [4, 45], // -
  [7, 45],
  [10, 84], // T
  [13, 58], // :
  [16, 58],
  [19, 90], // Z
];

/** Two or four digits at `at`; -1 when one is not a digit. */
function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `2026-11-20T13:02:56Z`, what the APIs send almost always, read without the regex (three a row on the per-row hot
 * path); the same checks as the general path. Undefined when the text has another shape.
 */
function plainUtc(text: string): number | null | undefined {
  for (const [at, code] of separators) if (text.charCodeAt(at) !== code) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  return validUtc(year, month, day, hour, minute, second, 0);
}
