/**
 * The rhythm of a simulated server's mail: a steady daily volume of its own, lighter at weekends, a little different
 * from one day to the next. (The hours within a day follow the office-hours table of day-timeline.ts: quiet nights.)
 */
import { mixSeed, Rng } from './random';

/** Share of a weekday's volume sent on each UTC day of the week, Sunday first: weekends are lighter. */
const WEEKDAY_SHARE = [0.35, 1, 1, 1, 1, 0.9, 0.45] as const;

/**
 * A server's volume on a day (days since the Unix epoch): its base, drawn once per `serverSeed` from
 * `[min, max]`, times the day of the week's share, times ±15 % of day-to-day noise.
 */
export function dailyVolume(serverSeed: number, dayNum: number, min: number, max: number): number {
  const base = new Rng(serverSeed).int(min, max);
  const noise = new Rng(mixSeed(serverSeed, dayNum)).float(0.85, 1.15);
  const weekday = new Date(dayNum * 86_400_000).getUTCDay();
  return Math.round(base * WEEKDAY_SHARE[weekday]! * noise);
}
