import { describe, expect, it } from 'vitest';
import { parseApiTimestamp } from '../../../shared/sources/timestamps';

describe('parseApiTimestamp', () => {
  const cases: [string, unknown, string | null][] = [
    ['UTC with Z', '2010-03-24T13:02:56Z', '2010-03-24T13:02:56.000Z'],
    ['offset with colon (v1 open/click)', '2010-03-01T16:29:57-04:00', '2010-03-01T20:29:57.000Z'],
    ['seven fractional digits', '2009-11-21T13:57:11.1034784Z', '2009-11-21T13:57:11.103Z'],
    ['no offset means UTC, not local', '2026-11-20 13:02:56', '2026-11-20T13:02:56.000Z'],
    ['SendSage space-T-space, offset without colon', '2011-09-05 T 00:01:29-0600', '2011-09-05T06:01:29.000Z'],
    ['SendSage space-T-space, offset with colon', '2012-06-01 T 12:45:40-06:00', '2012-06-01T18:45:40.000Z'],
    ['positive half-hour offset', '2026-01-01T05:30:00+05:30', '2026-01-01T00:00:00.000Z'],
    ['date only', '2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['epoch seconds as number', 1332856753, '2012-03-27T13:59:13.000Z'],
    ['epoch seconds as string', '1332856753', '2012-03-27T13:59:13.000Z'],
    ['midnight exactly', '2026-11-20T00:00:00Z', '2026-11-20T00:00:00.000Z'],
    ['impossible date', '2026-02-31T00:00:00Z', null],
    ['hour 24', '2026-02-01T24:00:00Z', null],
    // The plain `YYYY-MM-DDTHH:MM:SSZ` shape is read without the regex; it must check what the regex path checks.
    ['plain shape, month 13', '2026-13-01T00:00:00Z', null],
    ['plain shape, second 60', '2026-11-20T13:02:60Z', null],
    ['plain shape, leap day', '2028-02-29T23:59:59Z', '2028-02-29T23:59:59.000Z'],
    ['plain shape, not a leap year', '2027-02-29T00:00:00Z', null],
    ['plain shape padded with spaces', ' 2026-11-20T13:02:56Z ', '2026-11-20T13:02:56.000Z'],
    ['plain length, lower-case z (regex path)', '2026-11-20t13:02:56z', '2026-11-20T13:02:56.000Z'],
    ['plain length, a letter among the digits', '2026-11-2xT13:02:56Z', null],
    ['plain length, offset instead of Z', '2026-11-20 13:02+01', '2026-11-20T12:02:00.000Z'],
    ['garbage', 'yesterday', null],
    ['empty', '', null],
    ['null', null, null],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    const t = parseApiTimestamp(input);
    expect(t === null ? null : new Date(t).toISOString()).toBe(expected);
  });
});
