import { describe, expect, it } from 'vitest';
import { ConfigError, DateRangeError } from '../../../shared/core/errors';
import { dayWindows, HOUR_MS, parseWindowId, splitWindow, windowId } from '../../../shared/core/windows';
import { planDays, trailingRange } from '../../../shared/engine/plan';

describe('windows', () => {
  it('names a window by its bounds and reads the name back', () => {
    const w = dayWindows('2026-11-20', '2026-11-20')[0]!;
    expect(windowId(w)).toBe('20261120T000000Z-20261121T000000Z');
    expect(parseWindowId(`part-${windowId(w)}.parquet`)).toEqual(w);
  });

  it('splits a day into whole-hour parts that tile it exactly', () => {
    const day = dayWindows('2026-11-20', '2026-11-20')[0]!;
    for (const parts of [2, 3, 5, 7, 24, 100]) {
      const split = splitWindow(day, parts);
      expect(split.length).toBe(Math.min(parts, 24));
      expect(split[0]!.start).toBe(day.start);
      expect(split.at(-1)!.end).toBe(day.end);
      for (let i = 1; i < split.length; i++) expect(split[i]!.start).toBe(split[i - 1]!.end);
      for (const w of split) expect((w.end - w.start) % HOUR_MS).toBe(0);
    }
  });

  it('splits an hour or less into whole minutes, a minute or less into whole seconds, never below a second', () => {
    // Before: an hour was never split, so an hour holding more rows than one run can page was left forever.
    const hour = { start: Date.parse('2026-11-20T10:00:00Z'), end: Date.parse('2026-11-20T11:00:00Z') };
    expect(splitWindow(hour, 4).map(windowId)).toEqual([
      '20261120T100000Z-20261120T101500Z',
      '20261120T101500Z-20261120T103000Z',
      '20261120T103000Z-20261120T104500Z',
      '20261120T104500Z-20261120T110000Z',
    ]);
    expect(splitWindow(hour, 500)).toHaveLength(60);
    const minute = { start: hour.start, end: hour.start + 60_000 };
    expect(splitWindow(minute, 7).map((w) => (w.end - w.start) / 1000)).toEqual([8, 9, 8, 9, 8, 9, 9]);
    expect(splitWindow(minute, 100)).toHaveLength(60);
    const second = { start: hour.start, end: hour.start + 1000 };
    expect(splitWindow(second, 4)).toEqual([second]);
    for (const w of splitWindow(hour, 7)) expect(parseWindowId(windowId(w))).toEqual(w);
  });

  it('plans closed windows only: whole days, then today up to its last closed hour; clamps to the retention', () => {
    const now = Date.parse('2026-11-23T10:20:00Z');
    const plan = planDays({ from: '2026-07-01', to: '2026-11-24', now, retentionDays: 90 });
    expect(plan.from).toBe('2026-08-26');
    expect(plan.to).toBe('2026-11-23');
    expect(plan.windows).toHaveLength(90);
    expect(plan.windows.at(-2)).toEqual(dayWindows('2026-11-22', '2026-11-22')[0]);
    // At 10:20 the hour that ended at 10:00 has settled for 15 minutes; the current hour has not ended.
    expect(plan.windows.at(-1)).toEqual({ start: Date.parse('2026-11-23T00:00:00Z'), end: now - 20 * 60_000 });
    expect(plan.until).toBe(Date.parse('2026-11-23T10:00:00Z'));
    expect(plan.warnings).toHaveLength(2);
    expect(() => planDays({ from: '2026-11-10', to: '2026-11-01', now, retentionDays: 90 })).toThrow(/after/);
    expect(trailingRange(now, 2)).toEqual({ from: '2026-11-21', to: '2026-11-23' });
  });

  it.each([
    ['10:14', '09:00'],
    ['10:15', '10:00'],
    ['00:59', null],
    ['01:15', '01:00'],
  ])('at %s UTC, today is collected until %s', (time, until) => {
    const now = Date.parse(`2026-11-23T${time}:00Z`);
    const plan = planDays({ from: '2026-11-23', to: '2026-11-23', now, retentionDays: 90 });
    expect(plan.windows).toEqual(
      until === null ? [] : [{ start: Date.parse('2026-11-23T00:00:00Z'), end: Date.parse(`2026-11-23T${until}:00Z`) }],
    );
  });

  it.each([
    [
      'wholly in the future',
      '2026-12-01',
      '2026-12-03',
      /2026-12-01 → 2026-12-03 is wholly in the future \(today is 2026-11-23 UTC\)/,
    ],
    ['reversed', '2026-11-10', '2026-11-01', /starts after it ends: 2026-11-10 is after 2026-11-01/],
    [
      'wholly older than the retention',
      '2026-01-01',
      '2026-01-31',
      /wholly older than the API keeps \(90 days, from 2026-08-26\)/,
    ],
  ])('a range %s is refused plainly, as a configuration error', (_, from, to, message) => {
    const now = Date.parse('2026-11-23T10:20:00Z');
    const plan = () => planDays({ from, to, now, retentionDays: 90 });
    expect(plan).toThrow(DateRangeError);
    expect(plan).toThrow(ConfigError);
    expect(plan).toThrow(message);
  });

  it('a range that ends before today plans whole days only', () => {
    const now = Date.parse('2026-11-23T10:20:00Z');
    const plan = planDays({ from: '2026-11-20', to: '2026-11-22', now, retentionDays: 90 });
    expect(plan.windows).toEqual(dayWindows('2026-11-20', '2026-11-22'));
    expect(plan.until).toBe(Date.parse('2026-11-23T00:00:00Z'));
    expect(plan.warnings).toEqual([]);
  });
});
