import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/core/errors';
import { DAY_MS, HOUR_MS, MINUTE_MS, overlaps, type TimeWindow } from '../../../shared/core/windows';
import {
  type Checkpoint,
  emptyCheckpoint,
  loadCheckpoint,
  recordCompleted,
  withCompleted,
} from '../../../shared/engine/checkpoints';
import { planDays } from '../../../shared/engine/plan';
import {
  DEFAULT_REREAD_AFTER,
  dueWindows,
  isDue,
  rereadAfterSchema,
  scheduledRange,
} from '../../../shared/engine/reread-schedule';
import { checkpointKey } from '../../../shared/lake/layout';
import { loadSocketLabsConfig } from '../../../shared/sources/socketlabs-common/config';
import { localStore, scratch } from '../../helpers/collect';

const H = HOUR_MS;
const DELAYS = [1 * H, 6 * H, 24 * H, 48 * H];
const D0 = Date.parse('2026-11-16T00:00:00Z');
const at = (day: number, hour: number, minute = 5) => D0 + day * DAY_MS + hour * H + minute * MINUTE_MS;
const w = (start: number, end: number): TimeWindow => ({ start, end });
const iso = (x: TimeWindow) => `${new Date(x.start).toISOString()}/${new Date(x.end).toISOString()}`;

/** What a scheduled run at `now` plans and which windows it reads, with every read recorded as completed at `now`. */
function scheduledRun(checkpoint: Checkpoint, now: number) {
  const policy = { kind: 'schedule', delaysMs: DELAYS } as const;
  const range = scheduledRange(now, policy);
  const plan = planDays({ ...range, now, retentionDays: 90 });
  const { due, notDue } = dueWindows(plan.windows, checkpoint, now, DELAYS);
  let next = checkpoint;
  for (const window of due) next = withCompleted(next, { ...window, rows: 0, completedAt: now });
  return { due, notDue, checkpoint: next };
}

describe('INBOXLAKE_REREAD_AFTER', () => {
  it.each([
    ['the default', DEFAULT_REREAD_AFTER, { kind: 'schedule', delaysMs: [H, 6 * H, 24 * H, 48 * H] }],
    [
      'minutes, hours and days, spaced',
      ' 30m, 2h ,1d ',
      { kind: 'schedule', delaysMs: [30 * MINUTE_MS, 2 * H, DAY_MS] },
    ],
    ['one delay', '3d', { kind: 'schedule', delaysMs: [3 * DAY_MS] }],
    ["today's policy, to measure against", 'every-run', { kind: 'every-run' }],
  ])('accepts %s', (_name, text, policy) => {
    expect(rereadAfterSchema.parse(text)).toEqual(policy);
  });

  it.each([
    ['a unit it does not know', '1h,6x', /'6x' is not one/],
    ['delays that do not increase', '6h,1h', /delays must increase/],
    ['a repeated delay', '1h,1h', /delays must increase/],
    ['a zero delay', '0h', /'0h' is not one/],
    ['an empty item', '1h,,6h', /'' is not one/],
    ['a delay past the retention', '1h,61d', /at most 60d/],
  ])('refuses %s', (_name, text, message) => {
    const parsed = rereadAfterSchema.safeParse(text);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(message);
  });

  it('is read with the SocketLabs settings: the default when unset, a ConfigError naming it when wrong', () => {
    const env = { SOCKETLABS_API_KEY: 'k', SOCKETLABS_SERVER_IDS: '1' };
    expect(loadSocketLabsConfig(env).reread).toEqual({ kind: 'schedule', delaysMs: DELAYS });
    expect(() => loadSocketLabsConfig({ ...env, INBOXLAKE_REREAD_AFTER: '2h,1h' })).toThrow(ConfigError);
    expect(() => loadSocketLabsConfig({ ...env, INBOXLAKE_REREAD_AFTER: '2h,1h' })).toThrow(
      /INBOXLAKE_REREAD_AFTER delays must increase/,
    );
  });
});

describe('which windows are due', () => {
  it('a window is due at settling and at each delay after it closed, until it has been read after the last', () => {
    const day = { start: D0, end: D0 + DAY_MS, rows: 0 };
    const readAt = (t: number) => ({ ...day, completedAt: t, reads: [t] });
    // Read as it closed (00:05, before it settled): due again once settled and an hour on.
    expect(isDue(readAt(at(1, 0)), at(1, 0, 10), DELAYS)).toBe(false);
    expect(isDue(readAt(at(1, 0)), at(1, 0, 20), DELAYS)).toBe(true);
    expect(isDue(readAt(at(1, 1)), at(1, 5), DELAYS)).toBe(false);
    expect(isDue(readAt(at(1, 1)), at(1, 6), DELAYS)).toBe(true);
    expect(isDue(readAt(at(1, 6)), at(2, 0, 0) - 1, DELAYS)).toBe(false);
    expect(isDue(readAt(at(1, 6)), at(2, 0, 0), DELAYS)).toBe(true);
    expect(isDue(readAt(at(2, 0)), at(3, 0), DELAYS)).toBe(true);
    // Read after its last delay: never again, however late.
    expect(isDue(readAt(at(3, 0)), at(40, 0), DELAYS)).toBe(false);
  });

  it('on an empty checkpoint everything planned is due: past days whole, today so far as one window', () => {
    const now = at(5, 15, 30);
    const { due, notDue } = scheduledRun(emptyCheckpoint, now);
    expect(notDue).toEqual([]);
    expect(due.map(iso)).toEqual([
      ...[1, 2, 3, 4].map((d) => iso(w(D0 + d * DAY_MS, D0 + (d + 1) * DAY_MS))),
      iso(w(D0 + 5 * DAY_MS, D0 + 5 * DAY_MS + 15 * H)),
    ]);
  });

  it('hourly runs read each hour of today when it settles and 6 h later, and yesterday on its own schedule', () => {
    let checkpoint = emptyCheckpoint;
    // Day 0 and before read once, long ago enough to be final.
    for (let d = -4; d < 1; d++) {
      const day = w(D0 + d * DAY_MS, D0 + (d + 1) * DAY_MS);
      checkpoint = withCompleted(checkpoint, { ...day, rows: 0, completedAt: at(d + 3, 1) });
    }
    const reads: string[] = [];
    for (let t = at(1, 0); t <= at(4, 1); t += H) {
      const run = scheduledRun(checkpoint, t);
      for (const x of run.due) {
        // Never less than what the lake holds of the windows it overlaps: publishing replaces their files.
        for (const c of checkpoint.windows) if (overlaps(c, x)) expect(c.start >= x.start && c.end <= x.end).toBe(true);
        reads.push(`${new Date(t).toISOString().slice(5, 16)} ${iso(x)}`);
      }
      checkpoint = run.checkpoint;
    }
    const of = (start: number, end: number) =>
      reads.filter((r) => r.endsWith(iso(w(start, end)))).map((r) => r.slice(0, 11));
    const day1 = D0 + DAY_MS;
    // Hour 10 of day 1: settled and an hour on (12:05), 6 h after (17:05); then day 1 whole took over.
    expect(of(day1 + 10 * H, day1 + 11 * H)).toEqual(['11-17T12:05', '11-17T17:05']);
    // Day 1 whole: as it closed, settled and +1 h, +6 h, +24 h, +48 h.
    expect(of(day1, day1 + DAY_MS)).toEqual([
      '11-18T00:05',
      '11-18T01:05',
      '11-18T06:05',
      '11-19T00:05',
      '11-20T00:05',
    ]);
    // Day 1 in hours: 0–16 read twice, 17–21 once (their +6 h falls in day 2), 22–23 only within the day.
    const hourReads = reads.filter((r) => {
      const [start, end] = r.slice(12).split('/').map(Date.parse) as [number, number];
      return start >= day1 && end <= day1 + DAY_MS && end - start === H;
    });
    expect(hourReads).toHaveLength(17 * 2 + 5);
    // Day 0, final before the runs began, is never read again.
    expect(reads.filter((r) => r.endsWith(iso(w(D0, D0 + DAY_MS))))).toEqual([]);
  });

  it('an hour due inside a larger window read before (a backfill of today) re-reads that window whole', () => {
    const day = D0 + 5 * DAY_MS;
    // A backfill read today 00:00–05:00 at 05:20; hours 5–8 were read by the schedule since.
    let checkpoint = withCompleted(emptyCheckpoint, {
      ...w(day, day + 5 * H),
      rows: 0,
      completedAt: day + 5 * H + 20 * MINUTE_MS,
    });
    for (let h = 5; h < 9; h++)
      checkpoint = withCompleted(checkpoint, {
        ...w(day + h * H, day + (h + 1) * H),
        rows: 0,
        completedAt: day + (h + 2) * H + 5 * MINUTE_MS,
      });
    // 11:05: 05:00 + 6 h has come for the backfilled window; hour 5 is not due before 12:00; hour 9 settled and +1 h.
    const { due } = dueWindows([w(day, day + 10 * H)], checkpoint, day + 11 * H + 5 * MINUTE_MS, DELAYS);
    expect(due.map(iso)).toEqual([iso(w(day, day + 5 * H)), iso(w(day + 9 * H, day + 10 * H))]);
  });

  it('a day is due when any part of it is, and then read whole', () => {
    const day = D0 + 4 * DAY_MS;
    const closed = day + DAY_MS;
    const done = (start: number, end: number, completedAt: number) => ({ start, end, rows: 0, completedAt });
    // Hours 0–17 and 18–24 were just read; hour 17 at 19:05, so its +6 h read comes at midnight.
    const parts = (hour17ReadAt: number) =>
      [
        done(day, day + 17 * H, closed + 3 * MINUTE_MS),
        done(day + 17 * H, day + 18 * H, hour17ReadAt),
        done(day + 18 * H, closed, closed + 3 * MINUTE_MS),
      ].reduce(withCompleted, emptyCheckpoint);
    const now = closed + 5 * MINUTE_MS;
    expect(dueWindows([w(day, closed)], parts(day + 19 * H + 5 * MINUTE_MS), now, DELAYS).due.map(iso)).toEqual([
      iso(w(day, closed)),
    ]);
    // The same parts with hour 17 read after midnight: nothing is due.
    const none = dueWindows([w(day, closed)], parts(closed + MINUTE_MS), now, DELAYS);
    expect(none).toEqual({ due: [], notDue: [w(day, closed)] });
  });
});

describe('a busy day split into parts', () => {
  it('is read again on the schedule of the day, not whenever one part’s own delay after its end comes', () => {
    const day = D0 + 4 * DAY_MS;
    const closed = day + DAY_MS;
    // Read at its +6 h read in three parts (the row limit split it).
    const parts = [0, 8, 16].reduce(
      (c, h) =>
        withCompleted(c, {
          ...w(day + h * H, day + (h + 8) * H),
          rows: 0,
          completedAt: closed + 6 * H + 5 * MINUTE_MS,
        }),
      emptyCheckpoint,
    );
    const due = (now: number) => dueWindows([w(day, closed)], parts, now, DELAYS).due.map(iso);
    // 08:00 + 24 h (the first part's own end) is not a read of the day; midnight + 24 h is, of the day whole.
    expect(due(closed + 10 * H)).toEqual([]);
    expect(due(closed + 23 * H + 59 * MINUTE_MS)).toEqual([]);
    expect(due(closed + DAY_MS + 5 * MINUTE_MS)).toEqual([iso(w(day, closed))]);
  });
});

describe('checkpoints of version 1', () => {
  it('are read: each window counts as read once, at its completedAt; the next save writes version 2', async () => {
    const store = localStore(await scratch('reread-v1'));
    const ref = { store, source: 'socketlabs-v2', scope: '1', dataset: 'messages' };
    const v1 = {
      version: 1,
      windows: [
        {
          start: '2026-11-16T00:00:00.000Z',
          end: '2026-11-17T00:00:00.000Z',
          rows: 7,
          completedAt: '2026-11-17T06:05:00.000Z',
        },
      ],
    };
    await store.putBytes(checkpointKey('socketlabs-v2', '1', 'messages'), JSON.stringify(v1), 'application/json');
    const loaded = await loadCheckpoint(ref);
    const read = Date.parse('2026-11-17T06:05:00.000Z');
    expect(loaded.windows).toEqual([{ start: D0, end: D0 + DAY_MS, rows: 7, completedAt: read, reads: [read] }]);
    // Read at +6 h 5 min: the +24 h read is due at the start of the 18th, not before.
    expect(isDue(loaded.windows[0]!, at(2, 0, 0) - 1, DELAYS)).toBe(false);
    expect(isDue(loaded.windows[0]!, at(2, 0, 0), DELAYS)).toBe(true);
    // Read again, it keeps its first read.
    await recordCompleted(ref, loaded, { start: D0, end: D0 + DAY_MS, rows: 8, completedAt: at(2, 0) });
    const saved = JSON.parse((await store.get(checkpointKey('socketlabs-v2', '1', 'messages')))!.toString('utf8'));
    expect(saved).toEqual({
      version: 2,
      windows: [
        {
          start: '2026-11-16T00:00:00.000Z',
          end: '2026-11-17T00:00:00.000Z',
          rows: 8,
          reads: ['2026-11-17T06:05:00.000Z', '2026-11-18T00:05:00.000Z'],
        },
      ],
    });
  });
});
