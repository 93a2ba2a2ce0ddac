/**
 * The v2 API's date-times: canonical UTC rendering on the hot path (an item carries up to three stamps) and parsing,
 * which is v1's. Apart because the store, the answers, the filters and the faults all need it.
 */
import { formatV1DateTime, parseV1DateTime } from '../socketlabs-v1/dates';

const DAY = 86_400;

const twoDigits = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const dayPrefixes = new Map<number, string>();
let lastDayNum = Number.NaN;
let lastDayPrefix = '';

/** Epoch seconds rendered as the API's canonical UTC date-time (`2026-11-20T13:02:56Z`). */
export function formatV2DateTime(epochSec: number): string {
  const sec = Math.floor(epochSec);
  const dayNum = Math.floor(sec / DAY);
  // An item carries up to three stamps on different days; v1's one-day cache would miss on every other call.
  let prefix = dayNum === lastDayNum ? lastDayPrefix : dayPrefixes.get(dayNum);
  if (prefix === undefined) {
    prefix = formatV1DateTime(dayNum * DAY).slice(0, 11);
    if (dayPrefixes.size >= 4096) dayPrefixes.clear();
    dayPrefixes.set(dayNum, prefix);
  }
  lastDayNum = dayNum;
  lastDayPrefix = prefix;
  const s = sec - dayNum * DAY;
  return [
    prefix,
    twoDigits[Math.floor(s / 3600)],
    ':',
    twoDigits[Math.floor(s / 60) % 60],
    ':',
    twoDigits[s % 60],
    'Z',
  ].join('');
}

/** Whole epoch seconds of an ISO date-time with `Z` or an offset; null when it is not one. */
export const parseV2DateTime = (text: unknown): number | null => parseV1DateTime(text);
