/**
 * The `filters=` language of the v2 reports (`field=predicate:value` clauses joined by `&`), compiled to a predicate
 * over items against a field-type table. Apart from request parsing because it is a small language of its own.
 */
import { parseV2DateTime } from './dates';
import type { V2FieldType, V2Item } from './model';
import { ApiError, parseDate } from './request';

const DAY = 86_400;

export type Predicate = (item: V2Item) => boolean;

const allowedPredicates: Record<V2FieldType, readonly string[]> = {
  string: ['eq', 'neq', 'like', 'nlike', 'start', 'end'],
  number: ['eq', 'neq', 'gt', 'lt', 'gte', 'lte'],
  date: ['eq', 'gt', 'lt', 'gte', 'lte'],
  enum: ['eq', 'neq'],
};

export const textOf = (v: unknown) => (v === null || v === undefined ? '' : String(v)).toLowerCase();

function compileClause(field: string, type: V2FieldType, predicate: string, raw: string): Predicate {
  if (type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) {
      throw new ApiError(400, 'InvalidFilter', `filter value for ${field} must be a number`);
    }
    const cmp: Record<string, (x: number) => boolean> = {
      eq: (x) => x === n,
      neq: (x) => x !== n,
      gt: (x) => x > n,
      lt: (x) => x < n,
      gte: (x) => x >= n,
      lte: (x) => x <= n,
    };
    const test = cmp[predicate]!;
    return (item) => {
      const v = item[field];
      if (typeof v !== 'number') return predicate === 'neq';
      return test(v);
    };
  }
  if (type === 'date') {
    const parsed = parseDate(raw);
    if (!parsed) throw new ApiError(400, 'InvalidFilter', `filter value for ${field} must be a date`);
    // A date-only value stands for its whole day: eq matches the day, gt starts after it, lte ends with it.
    const lo = parsed.sec;
    const hi = parsed.hasTime ? lo + 1 : lo + DAY;
    const cmp: Record<string, (t: number) => boolean> = {
      eq: (t) => t >= lo && t < hi,
      gt: (t) => t >= hi,
      lt: (t) => t < lo,
      gte: (t) => t >= lo,
      lte: (t) => t < hi,
    };
    const test = cmp[predicate]!;
    return (item) => {
      const t = parseV2DateTime(item[field]);
      return t !== null && test(t);
    };
  }
  const value = raw.toLowerCase();
  const cmp: Record<string, (s: string) => boolean> = {
    eq: (s) => s === value,
    neq: (s) => s !== value,
    like: (s) => s.includes(value),
    nlike: (s) => !s.includes(value),
    start: (s) => s.startsWith(value),
    end: (s) => s.endsWith(value),
  };
  const test = cmp[predicate]!;
  return (item) => test(textOf(item[field]));
}

/** Compiles `field=predicate:value` clauses (joined by `&`) against a field table; null when there are none. */
export function compileFilters(
  texts: readonly string[],
  types: Readonly<Record<string, V2FieldType>>,
): Predicate | null {
  const byLower = new Map(Object.keys(types).map((f) => [f.toLowerCase(), f]));
  const clauses: Predicate[] = [];
  for (const text of texts) {
    for (const part of text.split('&')) {
      if (part.trim() === '') continue;
      const m = /^([^=]+)=([A-Za-z]+):(.*)$/s.exec(part);
      if (!m) throw new ApiError(400, 'InvalidFilter', `filter '${part.slice(0, 60)}' is not field=predicate:value`);
      const field = byLower.get(m[1]!.trim().toLowerCase());
      if (!field) throw new ApiError(400, 'InvalidFilter', `unknown filter field '${m[1]!.slice(0, 40)}'`);
      const type = types[field]!;
      const predicate = m[2]!.toLowerCase();
      if (!allowedPredicates[type].includes(predicate)) {
        throw new ApiError(400, 'InvalidFilter', `predicate '${predicate}' is not supported for ${field}`);
      }
      clauses.push(compileClause(field, type, predicate, m[3]!));
    }
  }
  if (clauses.length === 0) return null;
  return (item) => clauses.every((c) => c(item));
}
