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
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2026-02-31 over into March; an impossible date is an invalid value, not another day.
  if (new Date(t).getUTCDate() !== day) return null;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    t -= sign * offsetMin * 60_000;
  }
  return t;
}
