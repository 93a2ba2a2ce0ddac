import { describe, expect, it } from 'vitest';
import { googleChatPayload } from '../../../shared/alerts/channels/google-chat';
import { type AlertNotice, channelQueries, noticeContent, noticesOf } from '../../../shared/alerts/channels/notice';
import { slackPayload } from '../../../shared/alerts/channels/slack';
import { teamsPayload } from '../../../shared/alerts/channels/teams';
import { textMessage } from '../../../shared/alerts/channels/text';
import { webhookKindOf } from '../../../shared/alerts/channels/webhook';
import type { Alert } from '../../../shared/alerts/model';
import { alertWebhook } from '../../../shared/app/alert-config';
import { ConfigError } from '../../../shared/core/errors';
import { redactSecrets } from '../../../shared/core/redact';
import { loadNamedQueries } from '../../../shared/lake/named-queries';
import {
  googleChatWebhookMessage,
  slackWebhookMessage,
  snsSubject,
  teamsWebhookMessage,
} from '../../helpers/chat-schemas';

const AS_OF = '2026-11-20T10:00:00.000Z';

const block: Alert = {
  id: 'block_failures:42:yahoo.com',
  severity: 'critical',
  scope: { kind: 'domain', server_id: 42, domain: 'yahoo.com', code: 1002, campaign_id: null },
  metric: 'block_failures',
  value: 72,
  baseline: 1.4,
  count: 72,
  volume: null,
  p_value: 1e-40,
  window_minutes: 60,
  since: '2026-11-20T09:00:00.000Z',
  advice: 'yahoo.com is blocking server 42: slow down <now> & check blocklists (named query top-bouncing-domains).',
  state: 'open',
};
const bounce: Alert = {
  ...block,
  id: 'bounce_rate:41',
  severity: 'warning',
  scope: { kind: 'server', server_id: 41, domain: null, code: null, campaign_id: null },
  metric: 'bounce_rate',
  value: 0.0612,
  baseline: 0.0121,
  count: 223,
  volume: 3644,
  advice: 'Server 41 bounces 6.12 % over the last 60 min against 1.21 % usually.',
};
const notice = (alert: Alert, kind: AlertNotice['kind'] = 'opened'): AlertNotice => ({ kind, alert, asOf: AS_OF });

describe('what every channel says about an alert', () => {
  it('names what, where, how far from normal, since when, the advice and the named query', () => {
    const c = noticeContent(notice(block));
    expect(c.title).toBe('CRITICAL · Blocked by a provider · new alert');
    expect(c.where).toBe('server 42 · yahoo.com · code 1002');
    expect(c.deviation).toBe('72 against 1.4 usual (51.4× usual) over the last 60 min');
    expect(c.since).toBe('2026-11-20T09:00:00.000Z (as of 2026-11-20T10:00:00.000Z)');
    expect(c.advice).toBe(block.advice);
    expect(c.query).toEqual({ name: 'top-bouncing-domains', command: 'inboxlake query --named top-bouncing-domains' });
  });

  it('rates in percent with their counts; a resolved alert gives its last figures and when it cleared', () => {
    const c = noticeContent(notice(bounce, 'resolved'));
    expect(c.title).toBe('WARNING · Bounce-rate spike · resolved');
    expect(c.where).toBe('server 41');
    expect(c.deviation).toBe('last seen 6.12 % against 1.21 % usual (5.1× usual) over the last 60 min; 223 of 3,644');
    expect(c.since).toBe('2026-11-20T09:00:00.000Z until 2026-11-20T10:00:00.000Z (cleared)');
  });

  it('a SendSage test below the placement threshold: the test, shares in percent against the threshold, placement query', () => {
    const placement: Alert = {
      ...bounce,
      id: 'inbox_placement:campaign:9001',
      severity: 'critical',
      scope: { kind: 'campaign', server_id: null, domain: null, code: null, campaign_id: 9001 },
      metric: 'inbox_placement',
      value: 0.55,
      baseline: 0.8,
      count: 11,
      volume: 20,
    };
    const c = noticeContent(notice(placement));
    expect(c.title).toBe('CRITICAL · Inbox placement below threshold · new alert');
    expect(c.where).toBe('SendSage test 9001');
    expect(c.deviation).toBe('55.00 % against 80.00 % threshold (0.7× threshold) over the last 60 min; 11 of 20');
    expect(c.query.name).toBe('inbox-placement-by-isp');
  });

  it('announces opened, then reminders, then resolved; ongoing alerts are not announced', () => {
    const kinds = noticesOf({ opened: [block], reminders: [bounce], resolved: [block] }, AS_OF).map((n) => n.kind);
    expect(kinds).toEqual(['opened', 'reminder', 'resolved']);
  });

  it('points only at named queries that exist', () => {
    const known = loadNamedQueries().map((q) => q.name);
    for (const q of channelQueries()) expect(known).toContain(q);
  });
});

describe('Slack', () => {
  it('is Block Kit with a text fallback, as the webhook docs describe, and escapes markup', () => {
    const msg = slackWebhookMessage.parse(slackPayload(notice(block)));
    expect(msg.text).toContain('server 42 · yahoo.com · code 1002');
    const all = JSON.stringify(msg.blocks);
    expect(all).toContain('slow down &lt;now&gt; &amp; check blocklists');
    expect(all).not.toContain('<now>');
    expect(all).toContain('inboxlake query --named top-bouncing-domains');
    expect(all).toContain(':red_circle:');
  });

  it('keeps the header within 150 characters and marks a resolved alert green', () => {
    const long: Alert = { ...block, metric: 'x'.repeat(300) as Alert['metric'] };
    slackWebhookMessage.parse(slackPayload(notice(long)));
    expect(JSON.stringify(slackPayload(notice(block, 'resolved')))).toContain(':large_green_circle:');
  });
});

describe('Microsoft Teams', () => {
  it('is an Adaptive Card in the message/attachments envelope', () => {
    const msg = teamsWebhookMessage.parse(teamsPayload(notice(block)));
    const body = msg.attachments[0]!.content.body;
    expect(body[0]).toMatchObject({
      type: 'TextBlock',
      color: 'Attention',
      text: 'CRITICAL · Blocked by a provider · new alert',
    });
    expect(body[1]).toMatchObject({ type: 'FactSet' });
    expect(JSON.stringify(body)).toContain('server 42 · yahoo.com · code 1002');
  });

  it('colours by what happened: warning amber, resolved green', () => {
    const color = (n: AlertNotice) => (teamsPayload(n).attachments[0]!.content.body[0] as { color?: string }).color;
    expect(color(notice(bounce))).toBe('Warning');
    expect(color(notice(block, 'resolved'))).toBe('Good');
  });
});

describe('Google Chat', () => {
  it('is one cardsV2 card with a header and sections of widgets, its text escaped', () => {
    const msg = googleChatWebhookMessage.parse(googleChatPayload(notice(block)));
    const card = msg.cardsV2[0]!;
    expect(card.cardId).toMatch(/^[A-Za-z0-9-]+$/);
    expect(card.card.header).toEqual({
      title: 'CRITICAL · Blocked by a provider · new alert',
      subtitle: 'server 42 · yahoo.com · code 1002',
    });
    expect(JSON.stringify(card.card.sections)).toContain('slow down &lt;now&gt; &amp; check');
  });
});

describe('SNS text', () => {
  it.each([
    ['a block', block],
    ['a long Unicode domain', { ...block, scope: { ...block.scope, domain: `${'ü'.repeat(120)}.example` } }],
  ])('%s: a Subject SNS accepts (≤ 100 ASCII, one line) and the whole story in the Message', (_, alert) => {
    const text = textMessage(notice(alert as Alert));
    expect(snsSubject.safeParse(text.subject).success, text.subject).toBe(true);
    expect(text.message).toContain('Where:');
    expect(text.message).toContain('How far from normal:');
    expect(text.message).toContain('Advice:');
    expect(text.message).toContain('Named query: top-bouncing-domains');
  });
});

describe('which tool a webhook URL belongs to', () => {
  it.each([
    ['https://hooks.slack.com/services/T000/B000/XXXXXXXX', 'slack'],
    ['https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456', 'teams'],
    ['https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=xyz', 'teams'],
    ['https://default123.environment.api.powerautomate.com/powerautomate/automations/direct/workflows/abc', 'teams'],
    ['https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=t', 'google-chat'],
    ['https://hooks.slack.com.evil.example/services/x', null],
    ['https://example.com/hook', null],
    ['not a url', null],
  ])('%s → %s', (url, kind) => {
    expect(webhookKindOf(url)).toBe(kind);
  });

  it('an unknown host asks for the kind, without quoting the URL; the URL is redacted from then on', () => {
    const url = 'https://hooks.internal.example/relay/SECRETTOKEN123';
    let error: unknown;
    try {
      alertWebhook(url, undefined, 'INBOXLAKE_ALERT_WEBHOOK_URL');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('INBOXLAKE_ALERT_WEBHOOK_KIND');
    expect((error as Error).message).not.toContain('SECRETTOKEN123');
    expect(alertWebhook(url, 'slack', 'x')).toEqual({ kind: 'slack', url });
    expect(redactSecrets(`posting to ${url} and to /relay/SECRETTOKEN123`)).not.toContain('SECRETTOKEN123');
  });
});
