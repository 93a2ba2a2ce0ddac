import * as z from 'zod';
import { DAY_MS, parseDay, utcDay } from '../core/windows';

/**
 * Athena's `dt` partition projection, as the stack declares it: from a start (a date, or `NOW-<n>DAYS` when a
 * retention is set) to `NOW+1DAYS`. Rows of a `dt` outside that range are in the lake but invisible to every Athena
 * query, so a collector that writes one says so.
 */

/** The projection's start as the stack hands it to the collectors: `YYYY-MM-DD` or `NOW-<n>DAYS`. */
export const dtProjectionStartSchema = z
  .string()
  .trim()
  .regex(/^(\d{4}-\d{2}-\d{2}|NOW-\d+DAYS)$/, 'expected a date YYYY-MM-DD or NOW-<n>DAYS');

/** The first and last `dt` the projection covers at `now` (UTC days, as Athena evaluates NOW). */
export function projectedDays(start: string, now: number): { first: string; last: string } {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const relative = /^NOW-(\d+)DAYS$/.exec(start);
  const first = relative ? utcDay(today - Number(relative[1]) * DAY_MS) : start;
  return { first, last: utcDay(today + DAY_MS) };
}

/**
 * A warning when a run collecting the days `from`…`to` (inclusive, UTC) collects some that Athena's projection does
 * not cover; null when every day is inside. `start` is the projection's start (see dtProjectionStartSchema).
 */
export function dtOutsideProjectionWarning(from: string, to: string, start: string, now: number): string | null {
  const { first, last } = projectedDays(start, now);
  const before = parseDay(from) < parseDay(first);
  const after = parseDay(to) > parseDay(last);
  if (!before && !after) return null;
  const outside = [
    before ? `${from} to ${utcDay(Math.min(parseDay(to), parseDay(first) - DAY_MS))}` : null,
    after ? `${utcDay(Math.max(parseDay(from), parseDay(last) + DAY_MS))} to ${to}` : null,
  ].filter((x) => x !== null);
  return (
    `this run collects dt ${outside.join(' and ')}, outside Athena's dt projection (${first} to ${last}): ` +
    'rows of those days land in the lake but no Athena query sees them (set historyStart or retentionDays to cover them)'
  );
}
