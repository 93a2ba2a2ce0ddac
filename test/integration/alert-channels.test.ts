import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertNotice, noticesOf } from '../../shared/alerts/channels/notice';
import type { WebhookKind } from '../../shared/alerts/channels/webhook';
import { alertsReportSchema } from '../../shared/alerts/model';
import { alertTargets, alertWebhook, loadAlertChannelsConfig } from '../../shared/app/alert-config';
import { AlertDeliveryError, deliverAlerts, snsPublisher } from '../../shared/app/alert-delivery';
import { produceAlerts } from '../../shared/app/alerts';
import { redactSecrets } from '../../shared/core/redact';
import { createLogger } from '../../shared/log';
import type { V2Simulator } from '../../shared/sandbox/socketlabs-v2/server';
import { awsEnv, lakeWithoutAlertState, startChat, TOKEN, TOPIC, withAwsEnv } from '../helpers/alert-channels';
import {
  googleChatWebhookMessage,
  slackWebhookMessage,
  snsSubject,
  teamsWebhookMessage,
} from '../helpers/chat-schemas';
import { runCli } from '../helpers/cli';
import { localStore, scratch } from '../helpers/collect';
import { BLOCKED, collectBlockedLake, DOMAIN } from '../helpers/planted-block';
import { startLocalSecretsManager } from '../helpers/secrets-manager';
import { type LocalSns, startLocalSns } from '../helpers/sns';

const BLOCK_ID = `block_failures:${BLOCKED}:${DOMAIN}`;

const schemas = { slack: slackWebhookMessage, teams: teamsWebhookMessage, 'google-chat': googleChatWebhookMessage };

describe('alert channels', () => {
  let sim: V2Simulator;
  let lake: string;
  let sns: LocalSns;
  /** What the evaluation after the block hour announces, and the one after it cleared. */
  let opened: AlertNotice[];
  let resolved: AlertNotice[];

  beforeAll(async () => {
    ({ sim, lake } = await collectBlockedLake('channels-lake'));
    sns = await startLocalSns();
    const store = localStore(await freshLake());
    const first = await produceAlerts(store, { at: Date.parse('2026-11-20T10:05:00Z') });
    opened = noticesOf(first.announcements, first.report.closed_until);
    const later = await produceAlerts(store, { at: Date.parse('2026-11-20T13:05:00Z') });
    resolved = noticesOf(later.announcements, later.report.closed_until);
  });
  afterAll(async () => {
    await sim.close();
    await sns.close();
  });

  const freshLake = () => lakeWithoutAlertState(lake, 'channels-lifecycle');

  it('the planted block is announced once when it opens and once when it clears', () => {
    expect(opened.map((n) => `${n.kind} ${n.alert.id}`)).toEqual([`opened ${BLOCK_ID}`]);
    expect(resolved.map((n) => `${n.kind} ${n.alert.id}`)).toEqual([`resolved ${BLOCK_ID}`]);
  });

  it.each(['slack', 'teams', 'google-chat'] as const)(
    '%s: each announcement arrives as JSON in the shape the tool documents, naming the incident',
    async (kind: WebhookKind) => {
      const chat = await startChat();
      try {
        const sent = await deliverAlerts([...opened, ...resolved], { webhook: alertWebhook(chat.url, kind, 'test') });
        expect(sent).toEqual({ posted: 2, published: 0 });
        expect(chat.received).toHaveLength(2);
        for (const r of chat.received) {
          expect(r.path).toBe(`/services/T0001/B0001/${TOKEN}`);
          expect(r.contentType).toMatch(/^application\/json/);
          const parsed = schemas[kind].safeParse(r.body);
          expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
          const text = JSON.stringify(r.body);
          for (const words of [`server ${BLOCKED}`, DOMAIN, 'code 1002', 'Since', '2026-11-20T09:00:00.000Z']) {
            expect(text).toContain(words);
          }
          expect(text).toContain('top-bouncing-domains');
          expect(text).toMatch(/against [\d.]+ usual/);
        }
        expect(JSON.stringify(chat.received[0]!.body)).toContain('new alert');
        expect(JSON.stringify(chat.received[1]!.body)).toContain('resolved');
      } finally {
        await chat.close();
      }
    },
  );

  it('SNS: one Publish per announcement through the real SNSClient, Subject and Message as documented', async () => {
    const before = sns.published.length;
    const publish = snsPublisher({ region: 'us-east-1', endpoint: sns.endpoint });
    const sent = await withAwsEnv(() => deliverAlerts([...opened, ...resolved], { topicArn: TOPIC }, { publish }));
    expect(sent).toEqual({ posted: 0, published: 2 });
    const got = sns.published.slice(before);
    expect(got.map((p) => p.Action)).toEqual(['Publish', 'Publish']);
    for (const p of got) {
      expect(p.TopicArn).toBe(TOPIC);
      expect(snsSubject.safeParse(p.Subject).success, p.Subject).toBe(true);
      expect(p.Message).toContain(`Where:               server ${BLOCKED} · ${DOMAIN} · code 1002`);
      expect(p.Message).toContain('Named query: top-bouncing-domains');
    }
    expect(got[0]!.Subject).toBe(
      `inboxlake CRITICAL opened: block_failures at server ${BLOCKED} - ${DOMAIN} - code 1002`,
    );
    expect(got[1]!.Subject).toContain('resolved');
  });

  it('a webhook answering 500: retried, then an error naming the channel and status, the URL nowhere', async () => {
    const chat = await startChat(500);
    const lines: string[] = [];
    const log = createLogger({ json: true, write: (l) => lines.push(l) });
    try {
      const error = await deliverAlerts(
        opened,
        { webhook: alertWebhook(chat.url, 'teams', 'test') },
        { log, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 2 } },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AlertDeliveryError);
      const message = (error as Error).message;
      expect(message).toContain('Teams webhook answered HTTP 500');
      expect(message).toContain(BLOCK_ID);
      expect(chat.received).toHaveLength(3);
      expect(lines.length).toBeGreaterThan(0);
      for (const text of [message, (error as Error).stack ?? '', ...lines]) {
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain(chat.url);
      }
    } finally {
      await chat.close();
    }
  });

  it.each([
    ['429 then 200: delivered on the second attempt', [429, 200], 2, null],
    [
      '400: refused at once, not retried, with the reason the tool gave',
      [400],
      1,
      'Slack webhook answered HTTP 400: invalid_payload',
    ],
  ] as const)('a webhook answering %s', async (_, statuses, attempts, failure) => {
    const chat = await startChat(statuses);
    try {
      const outcome = await deliverAlerts(
        opened,
        { webhook: alertWebhook(chat.url, 'slack', 'test') },
        { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 2 } },
      ).catch((e: unknown) => e);
      expect(chat.received).toHaveLength(attempts);
      if (failure === null) expect(outcome).toEqual({ posted: 1, published: 0 });
      else expect((outcome as Error).message).toContain(failure);
    } finally {
      await chat.close();
    }
  });

  it('on AWS the webhook URL comes from its secret (the value alone), is redacted from then on, and is posted to', async () => {
    const chat = await startChat();
    const sm = await startLocalSecretsManager({});
    try {
      const arn = sm.put('inboxlake/alert-webhook', `${chat.url}\n`);
      const config = loadAlertChannelsConfig({
        INBOXLAKE_ALERT_WEBHOOK_SECRET_ARN: arn,
        INBOXLAKE_ALERT_WEBHOOK_KIND: 'google-chat',
        INBOXLAKE_SECRETS_ENDPOINT: sm.endpoint,
        ...awsEnv,
      });
      expect(config.webhook).toBeUndefined();
      const targets = await withAwsEnv(() => alertTargets(config));
      expect(targets.webhook).toEqual({ kind: 'google-chat', url: chat.url });
      expect(sm.reads).toEqual([arn]);
      expect(redactSecrets(`see ${chat.url}`)).not.toContain(TOKEN);
      await deliverAlerts(opened, targets);
      expect(googleChatWebhookMessage.safeParse(chat.received[0]?.body).success).toBe(true);

      // A value that names no known tool: the error names the secret, not the URL.
      const other = sm.put('inboxlake/other-webhook', 'https://relay.example.net/hook/OTHERTOKEN987654');
      const error = await withAwsEnv(() =>
        alertTargets({ ...config, webhookKind: undefined, webhookSecretArn: other }),
      ).catch((e: unknown) => e);
      expect((error as Error).message).toContain(`secret ${other}`);
      expect((error as Error).message).not.toContain('OTHERTOKEN987654');
    } finally {
      await chat.close();
      await sm.close();
    }
  });

  describe('inboxlake alerts --send', () => {
    const cli = async (lakeDir: string, extra: Record<string, string>) => {
      const out = await scratch('channels-out');
      const res = await runCli(['alerts', '--at', '2026-11-20T10:05:00Z', '--out', out, '--send'], {
        INBOXLAKE_LAKE: lakeDir,
        INBOXLAKE_TMP: join(lakeDir, '..'),
        ...extra,
      });
      const report = await readFile(join(out, 'alerts.json'), 'utf8')
        .then((t) => alertsReportSchema.parse(JSON.parse(t)))
        .catch(() => null);
      return { ...res, report };
    };

    it('without a webhook URL: exit 2 with one line, and the alert is still announced by the next run', async () => {
      const dir = await freshLake();
      const refused = await cli(dir, {});
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n')).toEqual([
        'inboxlake: --send needs INBOXLAKE_ALERT_WEBHOOK_URL (a Slack, Teams or Google Chat incoming webhook)',
      ]);
      expect(refused.report).toBeNull();
      const { announcements } = await produceAlerts(localStore(dir), { at: Date.parse('2026-11-20T10:05:00Z') });
      expect(announcements.opened.map((a) => a.id)).toEqual([BLOCK_ID]);
    });

    it('posts the new alert to the webhook (kind from the variable) and publishes it to the topic', async () => {
      const chat = await startChat();
      const before = sns.published.length;
      try {
        const res = await cli(await freshLake(), {
          ...awsEnv,
          INBOXLAKE_ALERT_WEBHOOK_URL: chat.url,
          INBOXLAKE_ALERT_WEBHOOK_KIND: 'slack',
          INBOXLAKE_ALERT_TOPIC_ARN: TOPIC,
          INBOXLAKE_SNS_ENDPOINT: sns.endpoint,
        });
        // Only the SDK's Node-version notice may be there (Node 20 here; the Lambda runs 22): no warning of ours.
        expect(res.stderr).not.toMatch(/^(inboxlake:|ERROR|WARN)/m);
        expect(res.code).toBe(0);
        expect(res.report?.alerts.map((a) => `${a.id} ${a.state}`)).toEqual([`${BLOCK_ID} open`]);
        expect(res.stdout).toContain('sent 1 announcement: 1 to the slack webhook, 1 to the SNS topic');
        expect(chat.received).toHaveLength(1);
        const msg = slackWebhookMessage.parse(chat.received[0]!.body);
        expect(msg.text).toContain(`server ${BLOCKED} · ${DOMAIN} · code 1002`);
        expect(sns.published.slice(before).map((p) => p.TopicArn)).toEqual([TOPIC]);
      } finally {
        await chat.close();
      }
    });

    it('a webhook answering 500: exit 1, one line naming the channel and status, the URL nowhere', async () => {
      const chat = await startChat(500);
      try {
        const res = await cli(await freshLake(), {
          INBOXLAKE_ALERT_WEBHOOK_URL: chat.url,
          INBOXLAKE_ALERT_WEBHOOK_KIND: 'google-chat',
        });
        expect(res.code).toBe(1);
        expect(res.stderr).toContain('Google Chat webhook answered HTTP 500');
        expect(`${res.stdout}${res.stderr}`).not.toContain(TOKEN);
        // The default policy: three attempts.
        expect(chat.received).toHaveLength(3);
      } finally {
        await chat.close();
      }
    });
  });
});
