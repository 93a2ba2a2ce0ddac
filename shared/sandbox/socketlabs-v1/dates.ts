/**
 * Dates as the v1 simulator (and the v2 one, which shares its day numbers) reads and writes them: UTC calendar dates
 * as day numbers, and the API's DateTime text, rendered on the hot path of every record. Apart because every other
 * module of both simulators needs them and none of their generation.
 */
const DAY = 86_400;

const dateRe = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since the Unix epoch of a UTC date `YYYY-MM-DD`; throws on anything else. */
export function parseUtcDate(date: string): number {
  const m = dateRe.exec(date);
  if (!m) throw new Error(`invalid date '${date}' (expected YYYY-MM-DD)`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new Error(`invalid date '${date}'`);
  return ms / 86_400_000;
}

/** UTC date `YYYY-MM-DD` of a day number (days since the Unix epoch). */
export function formatUtcDate(dayNum: number): string {
  return new Date(dayNum * 86_400_000).toISOString().slice(0, 10);
}

const twoDigits = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
let cachedDayNum = Number.NaN;
let cachedDayPrefix = '';

/** Renders epoch seconds as the API does: `2010-03-01T16:29:57Z`, or local time with its offset (`-04:00`). */
export function formatV1DateTime(epochSec: number, offsetMinutes = 0): string {
  const localSec = Math.floor(epochSec) + offsetMinutes * 60;
  const dayNum = Math.floor(localSec / DAY);
  // Pages are runs of records from the same day; caching the date part avoids a Date per record on the hot path.
  if (dayNum !== cachedDayNum) {
    cachedDayNum = dayNum;
    cachedDayPrefix = new Date(dayNum * 86_400_000).toISOString().slice(0, 11);
  }
  const s = localSec - dayNum * DAY;
  let zone = 'Z';
  if (offsetMinutes !== 0) {
    const abs = Math.abs(offsetMinutes);
    zone = `${offsetMinutes < 0 ? '-' : '+'}${twoDigits[Math.floor(abs / 60)]}:${twoDigits[abs % 60]}`;
  }
  // join() yields one flat string; a template literal would leave a tree of cons strings, ~120 bytes more per
  // record once a large truth is materialised.
  return [
    cachedDayPrefix,
    twoDigits[Math.floor(s / 3600)],
    ':',
    twoDigits[Math.floor(s / 60) % 60],
    ':',
    twoDigits[s % 60],
    zone,
  ].join('');
}

const isoRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Whole epoch seconds of an ISO date-time with `Z` or an offset; null when it is not one. */
export function parseV1DateTime(text: unknown): number | null {
  if (typeof text !== 'string' || !isoRe.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}
