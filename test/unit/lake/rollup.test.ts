import { describe, expect, it } from 'vitest';
import { createRollup, rollupOfKey } from '../../../shared/lake/rollup';
import { bounceRollups } from '../../../shared/sources/socketlabs-common/tables';
import { socketlabsFailed } from '../../../shared/sources/socketlabs-v1/tables';

const h = Date.parse('2026-11-20T05:00:00Z');
const row = (t: number, type: string | null, code: number | null, domain: string | null) => ({
  event_time: t,
  failure_type_name: type,
  failure_code: code,
  recipient_domain: domain,
  to_address: `x@${domain}`,
  reason: null,
});
const bounces = bounceRollups.find((r) => r.name === 'bounces')!;

describe('rollup', () => {
  it('counts rows per event quarter-hour and dimension combination, keeping values of different types apart', () => {
    const rollup = createRollup(socketlabsFailed, bounces);
    rollup.add(row(h + 1, 'hard', 2001, 'gmail.com'));
    rollup.add(row(h + 899_999, 'hard', 2001, 'gmail.com'));
    rollup.add(row(h + 900_000, 'hard', 2001, 'gmail.com'));
    rollup.add(row(h, 'soft', null, null));
    rollup.add(row(h, 'soft', null, 'null'));
    const doc = rollup.finish({ start: h, end: h + 7_200_000 }, { dt: '2026-11-20', server_id: 1 });
    expect(doc.rows).toBe(5);
    expect(doc.rollup).toBe('bounces');
    expect(doc.period_minutes).toBe(15);
    expect(doc.dimensions).toEqual(['period', 'failure_type_name', 'failure_code', 'recipient_domain']);
    expect(doc.counts).toEqual([
      ['2026-11-20T05:00:00.000Z', 'hard', 2001, 'gmail.com', 2],
      ['2026-11-20T05:00:00.000Z', 'soft', null, 'null', 1],
      ['2026-11-20T05:00:00.000Z', 'soft', null, null, 1],
      ['2026-11-20T05:15:00.000Z', 'hard', 2001, 'gmail.com', 1],
    ]);
  });

  it('merges the values JSON writes alike (absent, NaN and null; 0 and -0) and keeps true apart from "true"', () => {
    const rollup = createRollup(socketlabsFailed, bounces);
    const base = row(h, 'hard', null, 'a.com');
    rollup.add({ ...base, failure_code: null });
    const { failure_code: _, ...absent } = base;
    rollup.add(absent);
    rollup.add({ ...base, failure_code: Number.NaN });
    rollup.add({ ...base, failure_code: -0 });
    rollup.add({ ...base, failure_code: 0 });
    rollup.add({ ...base, recipient_domain: true });
    rollup.add({ ...base, recipient_domain: 'true' });
    rollup.add({ ...base, event_time: Number.NaN });
    const doc = rollup.finish({ start: h, end: h + 3_600_000 }, { dt: '2026-11-20', server_id: 1 });
    expect(doc.rows).toBe(8);
    expect(doc.counts).toEqual([
      ['2026-11-20T05:00:00.000Z', 'hard', 0, 'a.com', 2],
      ['2026-11-20T05:00:00.000Z', 'hard', null, 'a.com', 3],
      ['2026-11-20T05:00:00.000Z', 'hard', null, 'true', 1],
      ['2026-11-20T05:00:00.000Z', 'hard', null, true, 1],
      [null, 'hard', null, 'a.com', 1],
    ]);
  });

  it('counts only the rows its `where` admits', () => {
    const rollup = createRollup(socketlabsFailed, bounces);
    rollup.add(row(h, 'hard', 2001, 'a.com'));
    rollup.add(row(h, 'suppressed', 3001, 'a.com'));
    rollup.add(row(h, null, null, 'a.com'));
    const doc = rollup.finish({ start: h, end: h + 3_600_000 }, { dt: '2026-11-20', server_id: 1 });
    expect(doc.rows).toBe(1);
    expect(doc.counts).toEqual([['2026-11-20T05:00:00.000Z', 'hard', 2001, 'a.com', 1]]);
  });

  it.each([
    ['_rollups/t/dt=2026-11-20/server_id=1/part-20261120T000000Z-20261121T000000Z.totals.json', 'totals'],
    ['_rollups/t/dt=2026-11-20/part-campaign-12.hard_bounces.json', 'hard_bounces'],
    ['_rollups/t/dt=2026-11-20/part-20261120T000000Z-20261121T000000Z.json', null],
    ['t/dt=2026-11-20/part-20261120T000000Z-20261121T000000Z.parquet', null],
  ])('names the rollup of %s', (key, name) => {
    expect(rollupOfKey(key)).toBe(name);
  });
});
