import { DAY_MS, dayWindows, parseDay, type TimeWindow, utcDay } from './windows';

export interface DayPlan {
  readonly from: string;
  readonly to: string;
  readonly days: TimeWindow[];
  readonly warnings: string[];
}

/**
 * The closed UTC days to collect: `to` is clamped to yesterday (today is still open), `from` to the API's retention
 * (older data is gone; asking for it costs calls and returns errors or nothing).
 */
export function planDays(opts: { from: string; to: string; now: number; retentionDays: number }): DayPlan {
  const warnings: string[] = [];
  const today = Math.floor(opts.now / DAY_MS) * DAY_MS;
  const yesterday = utcDay(today - DAY_MS);
  const oldest = utcDay(today - (opts.retentionDays - 1) * DAY_MS);
  let { from, to } = opts;
  if (parseDay(from) > parseDay(to)) throw new Error(`--from ${from} is after --to ${to}`);
  if (parseDay(to) > parseDay(yesterday)) {
    warnings.push(`${to} is not a closed day yet; collecting up to ${yesterday} (UTC)`);
    to = yesterday;
  }
  if (parseDay(from) < parseDay(oldest)) {
    warnings.push(`the API keeps ${opts.retentionDays} days; ${from} is older, starting at ${oldest}`);
    from = oldest;
  }
  const days = parseDay(from) <= parseDay(to) ? dayWindows(from, to) : [];
  return { from, to, days, warnings };
}

/** The scheduled run's range: the trailing days up to yesterday, re-pulled to catch late records. */
export function trailingRange(now: number, trailingDays: number): { from: string; to: string } {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return { from: utcDay(today - Math.max(1, trailingDays) * DAY_MS), to: utcDay(today - DAY_MS) };
}
