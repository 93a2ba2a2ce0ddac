/**
 * Request parsing shared by every v2 endpoint: the API's error type, query parameters, dates, integers and the sort
 * order with its value comparison. Apart from the answers so that each endpoint reads its parameters the same way.
 */
import type { V2FieldType } from './model';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

export const errorBody = (errorType: string, message: string) => JSON.stringify({ error: [{ errorType, message }] });

/** Query parameters by lower-cased name, first value wins; `filters` keeps every occurrence. */
export function queryParams(url: URL): { params: Map<string, string>; filters: string[] } {
  const params = new Map<string, string>();
  const filters: string[] = [];
  for (const [name, value] of url.searchParams) {
    const key = name.toLowerCase();
    if (key === 'filters') filters.push(value);
    else if (!params.has(key)) params.set(key, value);
  }
  return { params, filters };
}

const dateRe = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch seconds of `yyyy-mm-dd[ HH:MM:SS][K]` (UTC unless an offset is given) and whether it had a time part. */
export function parseDate(text: string): { sec: number; hasTime: boolean } | null {
  const m = dateRe.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7).map((v) => v ?? '0') as string[];
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== Number(y) ||
    back.getUTCMonth() !== Number(mo) - 1 ||
    back.getUTCDate() !== Number(d) ||
    back.getUTCHours() !== Number(h) ||
    back.getUTCMinutes() !== Number(mi) ||
    back.getUTCSeconds() !== Number(s)
  ) {
    return null;
  }
  let offsetSec = 0;
  const zone = m[7];
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offsetSec =
      (digits.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 3600 + Number(digits.slice(3, 5)) * 60);
  }
  return { sec: ms / 1000 - offsetSec, hasTime: m[4] !== undefined };
}

export function parseDateParam(name: string, text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const parsed = parseDate(text);
  if (!parsed) throw new ApiError(400, 'InvalidDateFormat', `${name} must be formatted as yyyy-mm-dd HH:MM:SS`);
  return parsed.sec;
}

export function parseIntParam(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined || text.trim() === '') return fallback;
  if (!/^[+-]?\d+$/.test(text.trim())) throw new ApiError(400, 'InvalidParameter', `${name} must be an integer`);
  const n = Number(text.trim());
  if (n < min || n > max) throw new ApiError(400, 'InvalidParameter', `${name} must be between ${min} and ${max}`);
  return n;
}

export interface Sort {
  readonly field: string;
  readonly asc: boolean;
}

export function parseSort(
  params: Map<string, string>,
  types: Readonly<Record<string, V2FieldType>>,
  fallback: Sort,
): Sort {
  const fieldText = params.get('sortfield')?.trim();
  const dirText = params.get('sortdirection')?.trim().toLowerCase();
  let field = fallback.field;
  if (fieldText) {
    const found = Object.keys(types).find((f) => f.toLowerCase() === fieldText.toLowerCase());
    if (!found) throw new ApiError(400, 'InvalidSortField', `cannot sort by '${fieldText.slice(0, 40)}'`);
    field = found;
  }
  let asc = fallback.asc;
  if (dirText) {
    if (dirText !== 'asc' && dirText !== 'dsc') {
      throw new ApiError(400, 'InvalidSortDirection', "sortDirection must be 'asc' or 'dsc'");
    }
    asc = dirText === 'asc';
  }
  return { field, asc };
}

/** Orders values the way the sorts do: nulls first, numbers numerically, text case-insensitively, then exactly. */
export function compareValues(a: unknown, b: unknown): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an === bn ? 0 : an ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const as = String(a);
  const bs = String(b);
  const al = as.toLowerCase();
  const bl = bs.toLowerCase();
  if (al !== bl) return al < bl ? -1 : 1;
  return as < bs ? -1 : as > bs ? 1 : 0;
}
