import { describe, expect, it } from 'vitest';
import { createRollup } from '../../../shared/lake/rollup';
import { socketlabsFailed } from '../../../shared/sources/socketlabs-v1/tables';

describe('rollup', () => {
  it('counts rows per event hour and dimension combination, keeping values of different types apart', () => {
    const h = Date.parse('2026-11-20T05:00:00Z');
    const rollup = createRollup(socketlabsFailed);
    const row = (t: number, type: string | null, code: number | null, domain: string | null) => ({
      event_time: t,
      failure_type_name: type,
      failure_code: code,
      recipient_domain: domain,
    });
    rollup.add(row(h + 1, 'hard', 2001, 'gmail.com'));
    rollup.add(row(h + 3_599_999, 'hard', 2001, 'gmail.com'));
    rollup.add(row(h + 3_600_000, 'hard', 2001, 'gmail.com'));
    rollup.add(row(h, 'soft', null, null));
    rollup.add(row(h, 'soft', null, 'null'));
    const doc = rollup.finish({ start: h, end: h + 7_200_000 }, { dt: '2026-11-20', server_id: 1 });
    expect(doc.rows).toBe(5);
    expect(doc.dimensions).toEqual(['hour', 'failure_type_name', 'failure_code', 'recipient_domain']);
    expect(doc.counts).toEqual([
      ['2026-11-20T05:00:00.000Z', 'hard', 2001, 'gmail.com', 2],
      ['2026-11-20T05:00:00.000Z', 'soft', null, 'null', 1],
      ['2026-11-20T05:00:00.000Z', 'soft', null, null, 1],
      ['2026-11-20T06:00:00.000Z', 'hard', 2001, 'gmail.com', 1],
    ]);
  });
});
