import { describe, expect, it } from 'vitest';
import { dtOutsideProjectionWarning, dtProjectionStartSchema, projectedDays } from '../../../shared/lake/projection';

const now = Date.parse('2026-12-02T18:00:00Z');

describe('the dt projection range', () => {
  it.each([
    ['a fixed start', '2026-01-01', { first: '2026-01-01', last: '2026-12-03' }],
    ['a start relative to today', 'NOW-400DAYS', { first: '2025-10-28', last: '2026-12-03' }],
  ])('%s', (_name, start, want) => {
    expect(projectedDays(start, now)).toEqual(want);
  });

  it('accepts what the stack sets, nothing else', () => {
    expect(dtProjectionStartSchema.safeParse('2026-01-01').success).toBe(true);
    expect(dtProjectionStartSchema.safeParse('NOW-90DAYS').success).toBe(true);
    expect(dtProjectionStartSchema.safeParse('NOW+1DAYS').success).toBe(false);
    expect(dtProjectionStartSchema.safeParse('yesterday').success).toBe(false);
  });
});

describe('dtOutsideProjectionWarning', () => {
  it.each([
    ['inside', '2026-11-01', '2026-12-02', '2026-01-01', null],
    ['from the first projected day', '2026-10-01', '2026-12-02', '2026-10-01', null],
    [
      'days before the start',
      '2026-09-04',
      '2026-12-02',
      '2026-11-01',
      "this run collects dt 2026-09-04 to 2026-10-31, outside Athena's dt projection (2026-11-01 to 2026-12-03)",
    ],
    [
      'a range wholly before a relative start',
      '2026-08-01',
      '2026-08-03',
      'NOW-90DAYS',
      "this run collects dt 2026-08-01 to 2026-08-03, outside Athena's dt projection (2026-09-03 to 2026-12-03)",
    ],
  ])('%s', (_name, from, to, start, want) => {
    const got = dtOutsideProjectionWarning(from, to, start, now);
    if (want === null) expect(got).toBeNull();
    else expect(got).toContain(want);
  });
});
