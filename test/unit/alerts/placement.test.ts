import { describe, expect, it } from 'vitest';
import { alertSchema, scopeLabel } from '../../../shared/alerts/model';
import { detectPlacementAlerts, type FinishedTest } from '../../../shared/alerts/placement';
import { type AlertThresholdsInput, alertThresholdsSchema } from '../../../shared/alerts/thresholds';
import { inboxPlacementDefaults } from '../../../shared/core/placement';
import { binomialLowerTail, binomialUpperTail } from '../../../shared/core/stats';
import { defaultThresholds } from '../../../shared/digest/thresholds';

const SENT = Date.parse('2026-11-20T09:12:00Z');
const test = (pctInbox: number, over: Partial<FinishedTest> = {}): FinishedTest => ({
  campaignId: 4321,
  sentAt: SENT,
  finishedAt: SENT + 2 * 3_600_000,
  subject: 'Black Friday',
  fromAddress: 'news@shop.example',
  pctInbox,
  seedsInbox: Math.round((pctInbox / 100) * 50),
  seedsTotal: 50,
  providers: [],
  ...over,
});
const detect = (tests: FinishedTest[], t: AlertThresholdsInput = {}) =>
  detectPlacementAlerts(tests, alertThresholdsSchema.parse(t));

describe('SendSage placement alerts', () => {
  it('use the digest thresholds by default (one definition in core)', () => {
    const t = alertThresholdsSchema.parse({});
    expect([t.inboxWarn, t.inboxCritical, t.minSeeds]).toEqual([
      defaultThresholds.inboxWarn,
      defaultThresholds.inboxCritical,
      defaultThresholds.minSeeds,
    ]);
    expect(t.inboxWarn).toBe(inboxPlacementDefaults.inboxWarn);
  });

  it.each([
    { name: 'well in the inbox', pct: 92, expected: null },
    { name: 'exactly at the warning threshold', pct: 80, expected: null },
    { name: 'just below the warning threshold', pct: 78, expected: { severity: 'warning', baseline: 0.8 } },
    { name: 'at the critical threshold (not below it)', pct: 60, expected: { severity: 'warning', baseline: 0.8 } },
    { name: 'below the critical threshold', pct: 42, expected: { severity: 'critical', baseline: 0.6 } },
  ])('$name ($pct %)', ({ pct, expected }) => {
    const alerts = detect([test(pct)]);
    if (!expected) {
      expect(alerts).toEqual([]);
      return;
    }
    expect(alerts).toHaveLength(1);
    const a = alertSchema.parse(alerts[0]);
    expect(a).toMatchObject({
      id: 'inbox_placement:4321',
      metric: 'inbox_placement',
      scope: { kind: 'campaign', server_id: null, domain: null, code: null, campaign_id: 4321 },
      value: pct / 100,
      ...expected,
      count: Math.round((pct / 100) * 50),
      volume: 50,
      window_minutes: 180,
      since: new Date(SENT).toISOString(),
      state: 'open',
    });
    expect(a.p_value).toBeCloseTo(binomialLowerTail(a.count, 50, expected.baseline), 12);
    expect(a.advice).toContain('SendSage test 4321 "Black Friday" from news@shop.example');
    expect(a.advice).toContain('inbox-placement-by-isp');
    expect(scopeLabel(a.scope)).toBe('SendSage test 4321');
  });

  it('names the providers below the warning threshold beyond chance, lowest first', () => {
    const [a] = detect([
      test(70, {
        providers: [
          { name: 'Gmail', seeds: 8, pctInbox: 25 },
          { name: 'Orange', seeds: 2, pctInbox: 0 },
          // 4 of 6 in the inbox happens 34 % of the time at a true 80 %: chance, not a finding.
          { name: 'Yahoo', seeds: 6, pctInbox: 66.7 },
          // 6 of 12: 1.9 % at a true 80 %.
          { name: 'Outlook', seeds: 12, pctInbox: 50 },
          { name: 'AT&T', seeds: 4, pctInbox: 100 },
        ],
      }),
    ]);
    expect(a!.advice).toContain('(lowest: Gmail 25 %, Outlook 50 %)');
    expect(a!.advice).not.toContain('Orange');
    expect(a!.advice).not.toContain('Yahoo');
  });

  it('without seed counts: volume null, count 0 and no tail probability', () => {
    const [a] = detect([test(50, { seedsInbox: null, seedsTotal: null })]);
    expect(a).toMatchObject({ count: 0, volume: null, p_value: 1, severity: 'critical' });
  });

  it('follows configured thresholds and orders the lowest placement first', () => {
    const alerts = detect([test(88, { campaignId: 1 }), test(75, { campaignId: 2 }), test(95, { campaignId: 3 })], {
      inboxWarn: 90,
      inboxCritical: 80,
    });
    expect(alerts.map((a) => [a.id, a.severity])).toEqual([
      ['inbox_placement:2', 'critical'],
      ['inbox_placement:1', 'warning'],
    ]);
  });
});

describe('binomialLowerTail', () => {
  it.each([
    { k: 0, n: 10, p: 0.5, expected: 0.5 ** 10 },
    { k: 10, n: 10, p: 0.3, expected: 1 },
    { k: 3, n: 10, p: 0.5, expected: (1 + 10 + 45 + 120) / 1024 },
  ])('P(X ≤ $k | n=$n, p=$p)', ({ k, n, p, expected }) => {
    expect(binomialLowerTail(k, n, p)).toBeCloseTo(expected, 12);
  });

  it('complements the upper tail', () => {
    expect(binomialLowerTail(20, 50, 0.8) + binomialUpperTail(21, 50, 0.8)).toBeCloseTo(1, 12);
  });
});
