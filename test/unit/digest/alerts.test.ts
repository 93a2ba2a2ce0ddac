import { describe, expect, it } from 'vitest';
import { findAlerts } from '../../../shared/digest/alerts';
import {
  type AlertScope,
  type DigestCampaign,
  type DigestServer,
  digestJson,
  digestSchema,
  parseScopeLabel,
  scopeLabel,
} from '../../../shared/digest/model';
import { defaultThresholds } from '../../../shared/digest/thresholds';
import { sampleDigest } from '../../../shared/sandbox/digest-sample';

const server = (id: number, over: Partial<DigestServer>): DigestServer => ({
  server_id: id,
  source: 'socketlabs-v2',
  queued: 1000,
  processed: 980,
  hard_bounces: 5,
  soft_bounces: 5,
  suppressed: 0,
  complaints: 0,
  opens: 100,
  clicks: 10,
  bounce_rate: 0.01,
  complaint_rate: 0,
  baseline: null,
  top_failure_codes: [],
  top_bouncing_domains: [],
  complaint_types: [],
  series: [],
  ...over,
});

const campaign = (id: number, pct: number, isps: DigestCampaign['isps'] = []): DigestCampaign => ({
  campaign_id: id,
  subject: 's',
  from_address: null,
  sent_at: '2026-11-22T10:00:00.000Z',
  status: 'done',
  pct_inbox: pct,
  pct_bulk: 100 - pct,
  pct_missing: 0,
  spam_score: 1,
  spam_required: 5,
  isps,
  top_rules: [],
  authentication: { spf: {}, dkim: {}, dmarc: {} },
});

describe('findAlerts', () => {
  const cases: [string, DigestServer, string | null][] = [
    ['complaint rate under 0.1 % is fine', server(1, { complaints: 0, complaint_rate: 0.0009 }), null],
    ['complaint rate at 0.1 % warns', server(1, { complaint_rate: 0.001 }), 'warning complaint rate'],
    ['complaint rate at 0.3 % is critical', server(1, { complaint_rate: 0.0034 }), 'critical complaint rate'],
    ['bounce rate at 2 % warns', server(1, { bounce_rate: 0.02 }), 'warning bounce rate'],
    ['bounce rate at 5 % is critical', server(1, { bounce_rate: 0.07 }), 'critical bounce rate'],
    [
      'below the minimum volume nothing is raised',
      server(1, { queued: 40, processed: 40, bounce_rate: 0.5, complaint_rate: 0.1 }),
      null,
    ],
  ];
  it.each(cases)('%s', (_name, s, expected) => {
    const alerts = findAlerts([s], [campaign(1, 95)], defaultThresholds);
    expect(alerts.length ? `${alerts[0]!.severity} ${alerts[0]!.metric}` : null).toBe(expected);
  });

  it('ranks by severity, then by how far past the threshold, across kinds', () => {
    const alerts = findAlerts(
      [server(7, { complaint_rate: 0.0175 })],
      [campaign(3, 90, [{ isp_name: 'Yahoo', count_total: 10, pct_inbox: 50, pct_bulk: 50, pct_missing: 0 }])],
      defaultThresholds,
    );
    expect(alerts.map((a) => a.scope)).toEqual([
      { kind: 'server', server_id: 7 },
      { kind: 'campaign', campaign_id: 3, provider: 'Yahoo' },
    ]);
  });

  it('a server that went quiet is itself an alert', () => {
    const quiet = server(9, {
      queued: 0,
      processed: 0,
      bounce_rate: null,
      complaint_rate: null,
      baseline: {
        queued: 500,
        processed: 490,
        hard_bounces: 1,
        soft_bounces: 1,
        suppressed: 0,
        complaints: 0,
        opens: 1,
        clicks: 0,
        bounce_rate: 0.004,
        complaint_rate: 0,
      },
    });
    expect(
      findAlerts([quiet], [campaign(1, 95)], defaultThresholds).map((a) => `${scopeLabel(a.scope)} ${a.metric}`),
    ).toEqual(['server 9 no data']);
  });
});

describe('alert scope', () => {
  const cases: [string, AlertScope][] = [
    ['server 1234', { kind: 'server', server_id: 1234 }],
    ['campaign 3829', { kind: 'campaign', campaign_id: 3829, provider: null }],
    ['campaign 3829 / Gmail', { kind: 'campaign', campaign_id: 3829, provider: 'Gmail' }],
    ['all sources', { kind: 'all-sources' }],
    ['source socketlabs', { kind: 'other', label: 'source socketlabs' }],
  ];
  it.each(cases)('%s reads back as the scope that writes it', (label, scope) => {
    expect(parseScopeLabel(label)).toEqual(scope);
    expect(scopeLabel(scope)).toBe(label);
  });

  it('digest.json writes labels and reads back the same structured scopes', () => {
    const d = sampleDigest();
    const json = JSON.parse(digestJson(d));
    expect(json.alerts.map((a: { scope: unknown }) => a.scope)).toEqual(d.alerts.map((a) => scopeLabel(a.scope)));
    expect(digestSchema.parse(json).alerts).toEqual(d.alerts);
  });
});
