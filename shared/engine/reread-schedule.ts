import * as z from 'zod';
import { DAY_MS, HOUR_MS, MINUTE_MS, overlaps, type TimeWindow, utcDay } from '../core/windows';
import type { Checkpoint, CompletedWindow } from './checkpoints';
import { SETTLE_LAG_MS, trailingRange } from './plan';

/**
 * The re-read schedule of a scheduled run: a window is read once it has closed (+ SETTLE_LAG_MS), then again at
 * growing delays after it closed, then never. A scheduled run reads only the windows that are due; a backfill reads
 * what it is asked (shared/engine/collect.ts).
 *
 * Why 1 h, 6 h, 24 h, 48 h by default. The reports are "the real-time state" (SocketLabs API overview, Reporting
 * API features), so almost every record is there when its window settles; the +1 h read catches what was still
 * being written at the first one. The records that come later are those of a message's later life: "successfully
 * sent" messages "may bounce later, and if that happens, they will show in the results of messagesFailed" (v1 guide),
 * and temporary failures ("try later", 3001–3003) are retried by the MTA for hours before they end as a failure: the
 * +6 h and +24 h reads are for them. The +48 h read keeps the horizon the trailing two days used to give, after which
 * a window was final before too; nothing of the APIs suggests later changes, and each extra read costs a whole window.
 */
export const DEFAULT_REREAD_AFTER = '1h,6h,24h,48h';

/** `every-run`: the policy before the schedule (every run re-reads the trailing days), kept to measure against. */
export const EVERY_RUN = 'every-run';
/** The trailing days `every-run` re-reads, and the age at which a window counts as final under it. */
export const EVERY_RUN_TRAILING_DAYS = 2;

export type RereadPolicy =
  | { readonly kind: 'schedule'; readonly delaysMs: readonly number[] }
  | { readonly kind: 'every-run' };

const units: Record<string, number> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };
const durationPattern = /^(\d+)(m|h|d)$/;

/** `INBOXLAKE_REREAD_AFTER`: `every-run`, or increasing delays after a window closes (`30m,6h,2d`). */
export const rereadAfterSchema = z
  .string()
  .trim()
  .transform((text, ctx): RereadPolicy => {
    if (text === EVERY_RUN) return { kind: 'every-run' };
    const delaysMs: number[] = [];
    for (const part of text.split(',').map((p) => p.trim())) {
      const m = durationPattern.exec(part);
      const ms = m ? Number(m[1]) * units[m[2]!]! : 0;
      if (!m || ms <= 0) {
        ctx.addIssue({
          code: 'custom',
          message:
            `expected '${EVERY_RUN}' or delays like ${DEFAULT_REREAD_AFTER} (minutes m, hours h, days d); ` +
            `'${part}' is not one`,
        });
        return z.NEVER;
      }
      if (delaysMs.length && ms <= delaysMs.at(-1)!) {
        ctx.addIssue({ code: 'custom', message: `delays must increase; '${part}' is not after the one before it` });
        return z.NEVER;
      }
      delaysMs.push(ms);
    }
    // A re-read beyond the APIs' 90 days of retention would ask for data that is gone.
    if (delaysMs.at(-1)! > 60 * DAY_MS) {
      ctx.addIssue({ code: 'custom', message: 'the last delay must be at most 60d' });
      return z.NEVER;
    }
    return { kind: 'schedule', delaysMs };
  });

/** How long after it closed a window is read for the last time: then it is final (skipped by a backfill too). */
export function finalAfterMs(policy: RereadPolicy): number {
  return policy.kind === 'schedule' ? policy.delaysMs.at(-1)! : EVERY_RUN_TRAILING_DAYS * DAY_MS;
}

/**
 * The date range a scheduled run plans: every day whose windows may still have a read due, plus one day for runs
 * that failed or never happened (a window stays due until it is read). Days with nothing due cost no API call.
 */
export function scheduledRange(now: number, policy: RereadPolicy): { from: string; to: string } {
  if (policy.kind === 'every-run') return trailingRange(now, EVERY_RUN_TRAILING_DAYS);
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const days = Math.ceil((finalAfterMs(policy) + SETTLE_LAG_MS) / DAY_MS) + 1;
  return { from: utcDay(today - days * DAY_MS), to: utcDay(today) };
}

/** When a window closing at `end` is to be read: on settling, then at each delay after it closed. */
function readTimes(end: number, delaysMs: readonly number[]): number[] {
  return [end + SETTLE_LAG_MS, ...delaysMs.map((d) => end + d)];
}

/**
 * Where a completed window's delays count from. An hour read while its day was open (today's hours) closed at its
 * own end. A window first read after its day closed is part of that day's read (the day whole, or one of the parts a
 * busy day was split into): it follows the day's schedule, so a split day is read again once per delay, not once
 * per part whenever that part's own delay comes.
 */
function closeOf(w: CompletedWindow): number {
  const dayEnd = Math.floor((w.end - 1) / DAY_MS) * DAY_MS + DAY_MS;
  return (w.reads[0] ?? w.completedAt) >= dayEnd ? dayEnd : w.end;
}

/** Whether a completed window has a read due at `now`: a read time has passed since it was last read. */
export function isDue(w: CompletedWindow, now: number, delaysMs: readonly number[]): boolean {
  const passed = readTimes(closeOf(w), delaysMs).filter((t) => t <= now);
  return passed.length > 0 && w.completedAt < Math.max(...passed);
}

export interface DuePlan {
  /** What to read, in order: each contains every completed window it overlaps, none crosses a UTC day. */
  readonly due: TimeWindow[];
  /** Planned windows with nothing due. */
  readonly notDue: TimeWindow[];
}

/**
 * The windows a scheduled run reads, from the planned ones (whole days, and today's closed hours as one window).
 *
 * Today is looked at hour by hour, so a run reads the hour that just settled and the hours whose re-read came, not
 * the whole day so far; past days stay whole windows (one read of a day is one request, not 24). Where windows of
 * different sizes cover the same time (today's hours, later the day that holds them; a day split into parts), a
 * window is due when any part of it is due, and it is widened to contain every completed window it overlaps:
 * publishing a window replaces the files of the windows it overlaps (shared/lake/window-writer.ts), so reading less
 * than an earlier window would drop that window's other rows. Once the day is read whole, its hours' checkpoint
 * entries give way to the day's (recordCompleted), and the day's own schedule takes over. Adjacent hours never read
 * are read as one window (a first run reads today so far in one request, as before).
 */
export function dueWindows(
  planned: readonly TimeWindow[],
  checkpoint: Checkpoint,
  now: number,
  delaysMs: readonly number[],
): DuePlan {
  const candidates: { window: TimeWindow; fresh: boolean; due: boolean }[] = [];
  for (const unit of planned.flatMap(unitsOf)) {
    const window = widen(unit, checkpoint.windows);
    const last = candidates.at(-1);
    if (last && overlaps(last.window, window)) {
      // Two hours widened to the same earlier window (or overlapping ones): one read of their union.
      last.window = widen(
        { start: Math.min(last.window.start, window.start), end: Math.max(last.window.end, window.end) },
        checkpoint.windows,
      );
      Object.assign(last, assess(last.window, checkpoint.windows, now, delaysMs));
      continue;
    }
    const state = assess(window, checkpoint.windows, now, delaysMs);
    const sameDay = last && utcDay(last.window.start) === utcDay(window.start);
    const partial = window.end - window.start < DAY_MS;
    if (last && sameDay && partial && last.fresh && state.fresh && last.window.end === window.start) {
      last.window = { start: last.window.start, end: window.end };
      continue;
    }
    candidates.push({ window, ...state });
  }
  return {
    due: candidates.filter((c) => c.due).map((c) => c.window),
    notDue: candidates.filter((c) => !c.due).map((c) => c.window),
  };
}

/** A whole day is one unit; a partial day (today's closed hours) is one unit per hour. */
function unitsOf(w: TimeWindow): TimeWindow[] {
  if (w.end - w.start >= DAY_MS) return [w];
  const out: TimeWindow[] = [];
  for (let start = w.start; start < w.end; start = Math.min(w.end, start + HOUR_MS)) {
    out.push({ start, end: Math.min(w.end, start + HOUR_MS) });
  }
  return out;
}

/** The smallest window containing `w` and every completed window it overlaps, transitively. */
function widen(w: TimeWindow, done: readonly CompletedWindow[]): TimeWindow {
  let out = w;
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of done) {
      if (!overlaps(c, out) || (c.start >= out.start && c.end <= out.end)) continue;
      out = { start: Math.min(out.start, c.start), end: Math.max(out.end, c.end) };
      changed = true;
    }
  }
  return out;
}

/** Whether no part of `w` was ever read (fresh), and whether any part is due: never read, or a completed part due. */
function assess(w: TimeWindow, done: readonly CompletedWindow[], now: number, delaysMs: readonly number[]) {
  const inside = done.filter((c) => overlaps(c, w)).sort((a, b) => a.start - b.start);
  let cursor = w.start;
  for (const c of inside) {
    if (c.start > cursor) break;
    cursor = Math.max(cursor, c.end);
  }
  const gap = cursor < w.end;
  return { fresh: inside.length === 0, due: gap || inside.some((c) => isDue(c, now, delaysMs)) };
}
