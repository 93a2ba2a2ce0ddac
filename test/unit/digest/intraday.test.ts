import { describe, expect, it } from 'vitest';
import { intradayAlerts } from '../../../shared/digest/intraday';
import { type Digest, digestJson, digestSchema } from '../../../shared/digest/model';
import { renderDigest } from '../../../shared/digest/render';
import type { AlertHistoryEvent } from '../../../shared/lake/alert-history';
import { sampleDigest } from '../../../shared/sandbox/digest-sample';

// The day 2026-11-20 in Europe/Berlin (UTC+1): 2026-11-19T23:00Z to 2026-11-20T23:00Z.
const TZ = 'Europe/Berlin';
const START = Date.parse('2026-11-19T23:00:00Z');
const END = Date.parse('2026-11-20T23:00:00Z');

const event = (
  kind: AlertHistoryEvent['event'],
  at: string,
  over: Partial<AlertHistoryEvent> = {},
): AlertHistoryEvent => ({
  schema_version: 1,
  event: kind,
  at,
  id: 'block_failures:42:yahoo.com',
  metric: 'block_failures',
  severity: 'critical',
  where: 'server 42 yahoo.com code 1002',
  scope: { kind: 'domain', server_id: 42, domain: 'yahoo.com', code: 1002, campaign_id: null },
  unit: 'count',
  value: 80,
  baseline: 2,
  peak_value: 80,
  peak_baseline: 2,
  opened_at: at,
  since: '2026-11-20T09:00:00.000Z',
  window_minutes: 60,
  advice: 'slow down',
  ...over,
});

const bounce = { id: 'bounce_rate:41', metric: 'bounce_rate', where: 'server 41', unit: 'share' } as const;

describe('intradayAlerts', () => {
  it('one entry per incident opened or resolved in the local day, in order of opening', () => {
    const opened = '2026-11-20T10:05:00.000Z';
    const list = intradayAlerts(
      [
        // Opened the evening before (local), resolved in the day: listed with its opening.
        event('opened', '2026-11-19T21:05:00.000Z', { ...bounce, severity: 'warning' }),
        event('resolved', '2026-11-20T01:05:00.000Z', {
          ...bounce,
          severity: 'warning',
          opened_at: '2026-11-19T21:05:00.000Z',
          value: 0.03,
          baseline: 0.01,
          peak_value: 0.06,
          peak_baseline: 0.012,
        }),
        // Opened, reminded with a higher peak, resolved.
        event('opened', opened),
        event('reminder', '2026-11-20T16:05:00.000Z', { opened_at: opened, value: 150, peak_value: 150 }),
        event('resolved', '2026-11-20T19:05:00.000Z', { opened_at: opened, value: 30, peak_value: 150 }),
        // Opened late in the local day (22:30 Berlin), still open when the day ends.
        event('opened', '2026-11-20T21:30:00.000Z', { id: 'volume:43', metric: 'volume', where: 'server 43' }),
        // After the local day: not this digest's.
        event('resolved', '2026-11-20T23:05:00.000Z', {
          id: 'volume:43',
          metric: 'volume',
          where: 'server 43',
          opened_at: '2026-11-20T21:30:00.000Z',
        }),
      ],
      START,
      END,
    );
    expect(list.map((x) => [x.id, x.opened_at, x.resolved_at, x.peak_value, x.severity])).toEqual([
      ['bounce_rate:41', '2026-11-19T21:05:00.000Z', '2026-11-20T01:05:00.000Z', 0.06, 'warning'],
      ['block_failures:42:yahoo.com', opened, '2026-11-20T19:05:00.000Z', 150, 'critical'],
      ['volume:43', '2026-11-20T21:30:00.000Z', null, 80, 'critical'],
    ]);
    expect(list[0]).toMatchObject({ unit: 'share', where: 'server 41', metric: 'bounce_rate', peak_baseline: 0.012 });
  });

  it('leaves out an incident that only had reminders in the day (opened before, resolved after)', () => {
    const list = intradayAlerts(
      [event('reminder', '2026-11-20T12:00:00.000Z', { opened_at: '2026-11-19T12:00:00.000Z' })],
      START,
      END,
    );
    expect(list).toEqual([]);
  });

  it('keeps two incidents of the same alert apart (it resolved and came back)', () => {
    const first = '2026-11-20T08:00:00.000Z';
    const second = '2026-11-20T14:00:00.000Z';
    const list = intradayAlerts(
      [
        event('opened', first),
        event('resolved', '2026-11-20T11:00:00.000Z', { opened_at: first }),
        event('opened', second, { severity: 'warning' }),
      ],
      START,
      END,
    );
    expect(list.map((x) => [x.opened_at, x.resolved_at, x.severity])).toEqual([
      [first, '2026-11-20T11:00:00.000Z', 'critical'],
      [second, null, 'warning'],
    ]);
  });
});

describe('the digest renders its intraday section', () => {
  const base = sampleDigest();
  const withIntraday = (d: Digest): Digest =>
    digestSchema.parse({
      ...structuredClone(d),
      timezone: TZ,
      intraday: intradayAlerts(
        [
          event('opened', '2026-11-20T10:05:00.000Z'),
          event('resolved', '2026-11-20T13:05:00.000Z', { opened_at: '2026-11-20T10:05:00.000Z', peak_value: 96 }),
          event('opened', '2026-11-20T18:05:00.000Z', {
            id: 'inbox_placement:4321',
            metric: 'inbox_placement',
            severity: 'warning',
            where: 'SendSage test 4321',
            scope: { kind: 'campaign', server_id: null, domain: null, code: null, campaign_id: 4321 },
            unit: 'share',
            value: 0.72,
            baseline: 0.8,
            peak_value: 0.72,
            peak_baseline: 0.8,
          }),
        ],
        START,
        END,
      ),
    });

  it('lists each alert with metric, where, peak vs usual and local opened/resolved times (html, text, json)', () => {
    const d = withIntraday(base);
    const { html, text } = renderDigest(d);
    expect(text).toContain('INTRADAY ALERTS');
    expect(text).toMatch(/\[CRITICAL\] +block failures · server 42 yahoo\.com code 1002 · peak 96 vs 2\n/);
    expect(text).toMatch(/ +opened 20 Nov 11:05 · resolved 20 Nov 14:05\n/);
    expect(text).toMatch(/\[WARNING\] +inbox placement · SendSage test 4321 · peak 72\.00 % vs 80\.00 %\n/);
    expect(text).toMatch(/ +opened 20 Nov 19:05 · resolved still open\n/);
    expect(html).toContain('Intraday alerts');
    expect(html).toContain('server 42 yahoo.com code 1002');
    expect(html).toContain('72.00 % vs 80.00 %');
    expect(html).toContain('still open');
    // Before the servers, after the day's alerts, in both parts.
    expect(text.indexOf('INTRADAY ALERTS')).toBeLessThan(text.indexOf('SOCKETLABS SERVERS'));
    expect(html.indexOf('Intraday alerts')).toBeLessThan(html.indexOf('SocketLabs servers'));
    const json = JSON.parse(digestJson(d));
    expect(json.intraday).toEqual([
      expect.objectContaining({
        id: 'block_failures:42:yahoo.com',
        peak_value: 96,
        resolved_at: '2026-11-20T13:05:00.000Z',
      }),
      expect.objectContaining({ id: 'inbox_placement:4321', unit: 'share', resolved_at: null }),
    ]);
    expect(digestSchema.parse(json).intraday).toEqual(d.intraday);
  });

  it('says so when there were none', () => {
    const { html, text } = renderDigest(base);
    expect(base.intraday).toEqual([]);
    expect(text).toContain('No intraday alerts: the hourly evaluation opened or resolved none on this day.');
    expect(html).toContain('No intraday alerts: the hourly evaluation opened or resolved none on this day.');
  });

  it('reads a digest.json written before the section existed', () => {
    const { intraday: _, ...old } = JSON.parse(digestJson(base));
    expect(digestSchema.parse(old).intraday).toEqual([]);
  });
});
