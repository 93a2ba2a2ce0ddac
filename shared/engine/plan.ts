import { DateRangeError } from '../core/errors';
import { DAY_MS, dayWindows, HOUR_MS, parseDay, type TimeWindow, utcDay } from '../core/windows';

/**
 * How long after an hour ends it is first collected: events reach the reports a little after they happen. Records
 * later still are picked up by the re-read schedule (shared/engine/reread-schedule.ts).
 */
export const SETTLE_LAG_MS = 15 * 60_000;

export interface DayPlan {
  readonly from: string;
  readonly to: string;
  /** Where the planned windows end: midnight after `to`, or today's last closed hour. */
  readonly until: number;
  /** Whole UTC days, then (when `to` is today) today's closed hours as one window. */
  readonly windows: TimeWindow[];
  readonly warnings: string[];
}

/**
 * The closed time windows to collect: whole days up to yesterday and, when the range reaches today, today from
 * midnight to its last closed hour (so a digest of a local day west of UTC has its evening, which falls on today in
 * UTC). `to` is clamped to today and `from` to the API's retention (older data is gone; asking for it costs calls and
 * returns errors or nothing).
 */
export function planDays(opts: { from: string; to: string; now: number; retentionDays: number }): DayPlan {
  const warnings: string[] = [];
  const today = Math.floor(opts.now / DAY_MS) * DAY_MS;
  const oldest = utcDay(today - (opts.retentionDays - 1) * DAY_MS);
  let { from, to } = opts;
  // Ranges with nothing to collect are refused plainly rather than planned as no windows and reported as success.
  if (parseDay(from) > today) {
    throw new DateRangeError(
      `${from} → ${to} is wholly in the future (today is ${utcDay(today)} UTC); nothing to collect`,
    );
  }
  if (parseDay(from) > parseDay(to)) throw new DateRangeError(`the range starts after it ends: ${from} is after ${to}`);
  if (parseDay(to) < parseDay(oldest)) {
    throw new DateRangeError(
      `${from} → ${to} is wholly older than the API keeps (${opts.retentionDays} days, from ${oldest}); nothing to collect`,
    );
  }
  if (parseDay(to) > today) {
    warnings.push(`${to} has not begun yet; collecting up to today's closed hours (UTC)`);
    to = utcDay(today);
  }
  if (parseDay(from) < parseDay(oldest)) {
    warnings.push(`the API keeps ${opts.retentionDays} days; ${from} is older, starting at ${oldest}`);
    from = oldest;
  }
  const lastWholeDay = Math.min(parseDay(to), today - DAY_MS);
  const windows = parseDay(from) <= lastWholeDay ? dayWindows(from, utcDay(lastWholeDay)) : [];
  const closedUntil = lastSettledHour(opts.now);
  if (parseDay(to) === today && parseDay(from) <= today && closedUntil > today) {
    windows.push({ start: today, end: closedUntil });
  }
  const until = windows.at(-1)?.end ?? parseDay(from);
  return { from, to, until, windows, warnings };
}

/** End of the last hour at `now` that has settled (SETTLE_LAG_MS after it ended): where today's collection stops. */
export function lastSettledHour(now: number): number {
  return Math.floor((now - SETTLE_LAG_MS) / HOUR_MS) * HOUR_MS;
}

/**
 * Where a collection of a range that reaches today ends at `now`: today's last settled hour, or midnight while no hour
 * of today has settled. Evaluating alerts there keeps their windows off hours that were not collected yet.
 */
export function collectedUntil(now: number): number {
  return Math.max(Math.floor(now / DAY_MS) * DAY_MS, lastSettledHour(now));
}

/**
 * The trailing days and today's closed hours: a collection's default range where it has no re-read schedule (the
 * policy `every-run`, a half-given range).
 */
export function trailingRange(now: number, trailingDays: number): { from: string; to: string } {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return { from: utcDay(today - Math.max(1, trailingDays) * DAY_MS), to: utcDay(today) };
}
