import { describe, expect, it } from 'vitest';
import { DAY_MS, parseDay } from '../../../shared/core/windows';
import { COMPACTION_CATCH_UP_DAYS, compactableDays } from '../../../shared/engine/compact-days';

const day = (d: string) => ({ start: parseDay(d), end: parseDay(d) + DAY_MS });
const none = { left: [], failed: [] };

describe('compactableDays', () => {
  it('a scheduled run (the trailing days planned) compacts the days just before them, never a trailing day', () => {
    const now = Date.parse('2026-11-18T15:30:00Z');
    const planned = [day('2026-11-16'), day('2026-11-17'), { start: parseDay('2026-11-18'), end: now - 3_600_000 }];
    expect(COMPACTION_CATCH_UP_DAYS).toBe(2);
    expect(compactableDays(planned, none, 2 * DAY_MS, now)).toEqual(['2026-11-14', '2026-11-15']);
  });

  it('a backfill compacts its final days, except those with a window left or failed', () => {
    const now = Date.parse('2026-11-18T15:30:00Z');
    const planned = ['2026-11-10', '2026-11-11', '2026-11-12', '2026-11-13', '2026-11-14', '2026-11-15', '2026-11-16'];
    const report = {
      left: [{ start: parseDay('2026-11-12') + 3_600_000, end: parseDay('2026-11-12') + 7_200_000 }],
      failed: [{ window: day('2026-11-14'), error: 'HTTP 500' }],
    };
    expect(compactableDays(planned.map(day), report, 2 * DAY_MS, now)).toEqual([
      '2026-11-08',
      '2026-11-09',
      '2026-11-10',
      '2026-11-11',
      '2026-11-13',
      '2026-11-15',
    ]);
  });

  it('nothing planned, nothing compacted', () => {
    expect(compactableDays([], none, 0, Date.now())).toEqual([]);
  });
});
