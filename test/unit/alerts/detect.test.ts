import { describe, expect, it } from 'vitest';
import { detectAlerts, type FailureCell, type ServerCell } from '../../../shared/alerts/detect';
import { type AlertThresholdsInput, alertThresholdsSchema } from '../../../shared/alerts/thresholds';
import { poissonUpperTail } from '../../../shared/core/stats';

const Q = 15 * 60_000;
const DAY = 86_400_000;
const AT = Date.parse('2026-11-20T12:07:00Z'); // closed until 12:00
const END = Date.parse('2026-11-20T12:00:00Z');

/** Rejected (1xxx) codes are blocks; the rest are other families. */
const describe1xxx = (code: number | null) =>
  code === null ? null : { category: Math.floor(code / 1000) === 1 ? 'rejected' : 'other', meaning: `code ${code}` };

type Quarter = Omit<ServerCell, 'server' | 'period'>;

/** The same quarter-hour counts for every quarter of [from, to) on each of the 7 previous days (the baseline). */
function history(server: number, q: Quarter, from = END - 3 * 3_600_000, to = END): ServerCell[] {
  const out: ServerCell[] = [];
  for (let d = 1; d <= 7; d++)
    for (let p = from - d * DAY; p < to - d * DAY; p += Q) out.push({ server, period: p, ...q });
  return out;
}

/** Counts for every quarter of [from, to) today. */
function today(server: number, q: Quarter, from: number, to = END): ServerCell[] {
  const out: ServerCell[] = [];
  for (let p = from; p < to; p += Q) out.push({ server, period: p, ...q });
  return out;
}

const normal: Quarter = { queued: 250, processed: 240, bounces: 3, complaints: 0 };
const detect = (servers: ServerCell[], failures: FailureCell[] = [], thresholds: AlertThresholdsInput = {}) =>
  detectAlerts({
    at: AT,
    servers,
    failures,
    thresholds: alertThresholdsSchema.parse(thresholds),
    describeFailureCode: describe1xxx,
  });

describe('detectAlerts', () => {
  it('finds nothing in a normal hour', () => {
    expect(detect([...history(7, normal), ...today(7, normal, END - 3 * 3_600_000)])).toEqual([]);
  });

  it('finds a bounce-rate spike, since the quarter-hour it began', () => {
    const spike = { ...normal, bounces: 30 };
    const alerts = detect([
      ...history(7, normal),
      ...today(7, normal, END - 3 * 3_600_000, END - 45 * 60_000),
      ...today(7, spike, END - 45 * 60_000),
    ]);
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({
      metric: 'bounce_rate',
      severity: 'critical',
      scope: { kind: 'server', server_id: 7, domain: null, code: null },
      window_minutes: 60,
      count: 3 + 90,
      volume: 1000,
      state: 'open',
      since: '2026-11-20T11:15:00.000Z',
    });
    expect(a.value).toBeCloseTo(0.093, 6);
    expect(a.baseline).toBeCloseTo(0.012, 6);
    expect(a.p_value).toBeLessThan(1e-6);
  });

  it('does not alert on the same rates at low volume', () => {
    // A tenth of the mail with the same tenfold bounce rate: 40 queued an hour is below bounceMinQueued.
    const small = { queued: 10, processed: 10, bounces: 0, complaints: 0 };
    expect(
      detect([...history(7, small), ...today(7, { ...small, bounces: 1 }, END - 3_600_000)]).map((a) => a.metric),
    ).toEqual([]);
    // The same counts pass once the minimum volume allows them: the volume guard is what held them back.
    expect(
      detect([...history(7, small), ...today(7, { ...small, bounces: 3 }, END - 3_600_000)], [], {
        bounceMinQueued: 20,
        bounceMinCount: 5,
      }).map((a) => a.metric),
    ).toEqual(['bounce_rate']);
  });

  it('finds a complaint-rate spike as a warning when under the critical ratio', () => {
    const base: Quarter = { queued: 10_000, processed: 10_000, bounces: 100, complaints: 10 }; // 0.1 %
    const alerts = detect([...history(3, base), ...today(3, { ...base, complaints: 30 }, END - 3_600_000)]);
    expect(alerts.map((a) => [a.metric, a.severity, a.scope.server_id])).toEqual([['complaint_rate', 'warning', 3]]);
    expect(alerts[0]!.value).toBeCloseTo(0.003, 9);
    // Five times the baseline is critical.
    const worse = detect([...history(3, base), ...today(3, { ...base, complaints: 50 }, END - 3_600_000)]);
    expect(worse.map((a) => [a.metric, a.severity])).toEqual([['complaint_rate', 'critical']]);
  });

  it('finds a server gone silent at an hour it usually sends, and not one that rarely sends then', () => {
    const quiet = { queued: 0, processed: 0, bounces: 0, complaints: 0 };
    const alerts = detect([
      ...history(5, normal),
      ...today(5, normal, END - 3 * 3_600_000, END - 60 * 60_000),
      ...today(5, quiet, END - 60 * 60_000),
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      metric: 'volume',
      severity: 'critical',
      value: 0,
      since: '2026-11-20T11:00:00.000Z',
    });
    expect(alerts[0]!.baseline).toBe(1000);
    // Half an hour of silence is not yet a tenth of the hour's usual volume.
    expect(
      detect([
        ...history(5, normal),
        ...today(5, normal, END - 3 * 3_600_000, END - 30 * 60_000),
        ...today(5, quiet, END - 30 * 60_000),
      ]),
    ).toEqual([]);
    // Only 3 of the 7 previous days sent at this hour: not "usually".
    const sometimes = history(6, normal).filter((c) => c.period >= END - 3 * DAY - 3 * 3_600_000);
    expect(detect([...sometimes, ...today(6, quiet, END - 3 * 3_600_000)])).toEqual([]);
  });

  describe('blocks at a recipient domain', () => {
    const servers = [...history(9, normal), ...today(9, normal, END - 3 * 3_600_000)];
    /** `perDay` block failures at example.org in the hour before END on each baseline day, `now` in the last hour. */
    function failures(perDay: number, now: readonly [code: number, count: number][]): FailureCell[] {
      const out: FailureCell[] = [];
      for (let d = 1; d <= 7; d++)
        if (perDay)
          out.push({ server: 9, period: END - Q - d * DAY, domain: 'example.org', code: 1002, count: perDay });
      for (const [code, count] of now) out.push({ server: 9, period: END - 2 * Q, domain: 'example.org', code, count });
      // Mail to another domain bounces as usual: invalid addresses are not blocks.
      out.push({ server: 9, period: END - 2 * Q, domain: 'other.test', code: 2001, count: 200 });
      return out;
    }

    it('names the server, the domain and the dominant code', () => {
      const alerts = detect(
        servers,
        failures(0, [
          [1002, 12],
          [1004, 30],
          [1999, 3],
        ]),
      );
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        metric: 'block_failures',
        severity: 'critical',
        scope: { kind: 'domain', server_id: 9, domain: 'example.org', code: 1004 },
        value: 45,
        baseline: 1,
        since: '2026-11-20T11:30:00.000Z',
      });
      expect(alerts[0]!.advice).toContain('example.org');
      expect(alerts[0]!.advice).toContain('1004');
    });

    it('counts the block failures once: the bounce-rate spike they cause is the block alert, a surge beyond is not', () => {
      // 45 blocks in one quarter-hour on top of 12 usual bounces an hour among 1 000 queued: a bounce-rate spike alone.
      const blocked = failures(0, [[1002, 45]]);
      const withBounces = [
        ...history(9, normal),
        ...today(9, normal, END - 3 * 3_600_000, END - Q * 2),
        ...today(9, { ...normal, bounces: 3 + 45 }, END - Q * 2, END - Q),
        ...today(9, normal, END - Q),
      ];
      expect(detect(withBounces).map((a) => a.metric)).toEqual(['bounce_rate']);
      expect(detect(withBounces, blocked).map((a) => a.metric)).toEqual(['block_failures']);
      // Another 60 bounces elsewhere in the same hour: a bounce-rate spike of its own.
      const more = withBounces.map((c) => (c.period === END - Q ? { ...c, bounces: c.bounces + 60 } : c));
      expect(
        detect(more, blocked)
          .map((a) => a.metric)
          .sort(),
      ).toEqual(['block_failures', 'bounce_rate']);
    });

    it('needs a minimum count', () => {
      expect(detect(servers, failures(0, [[1002, 19]]))).toEqual([]);
    });

    it('opens exactly when the Poisson tail reaches alpha', () => {
      // 8 blocks an hour usually, at the same volume: P(X ≥ 25 | 8) = 1.17e-6 is chance, P(X ≥ 26 | 8) = 3.6e-7 not.
      expect(detect(servers, failures(8, [[1002, 25]]))).toEqual([]);
      const at = detect(servers, failures(8, [[1002, 26]]));
      expect(at.map((a) => [a.metric, a.value, a.baseline])).toEqual([['block_failures', 26, 8]]);
      expect(at[0]!.p_value).toBeCloseTo(poissonUpperTail(26, 8), 15);
      // A configured alpha moves the boundary to that tail probability exactly.
      const alpha = poissonUpperTail(30, 8);
      expect(detect(servers, failures(8, [[1002, 29]]), { alpha })).toEqual([]);
      expect(detect(servers, failures(8, [[1002, 30]]), { alpha })).toHaveLength(1);
    });
  });
});
