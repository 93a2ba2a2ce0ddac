import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticesOf } from '../../shared/alerts/channels/notice';
import { OUTBOX_GIVE_UP_MS, queueNotices } from '../../shared/alerts/outbox';
import { alertWebhook } from '../../shared/app/alert-config';
import { AlertDeliveryError, snsPublisher } from '../../shared/app/alert-delivery';
import { announceAlerts } from '../../shared/app/alert-outbox';
import { produceAlerts } from '../../shared/app/alerts';
import { ALERTS_OUTBOX_PREFIX, alertOutboxKey } from '../../shared/lake/layout';
import { createLogger } from '../../shared/log';
import type { V2Simulator } from '../../shared/sandbox/socketlabs-v2/server';
import { lakeWithoutAlertState, startChat, TOKEN, TOPIC, withAwsEnv } from '../helpers/alert-channels';
import { slackWebhookMessage, teamsWebhookMessage } from '../helpers/chat-schemas';
import { runCli } from '../helpers/cli';
import { localStore, scratch } from '../helpers/collect';
import { BLOCKED, collectBlockedLake, DOMAIN } from '../helpers/planted-block';
import { type LocalSns, startLocalSns } from '../helpers/sns';

const BLOCK_ID = `block_failures:${BLOCKED}:${DOMAIN}`;
/** The evaluation after the block hour announces it; a quarter-hour later it is still open, and quiet. */
const OPENS = Date.parse('2026-11-20T10:05:00Z');
const QUIET = Date.parse('2026-11-20T10:20:00Z');

/** A logger whose JSON lines the test reads back. */
function capturingLog() {
  const lines: string[] = [];
  const log = createLogger({ json: true, write: (l) => lines.push(l) });
  const at = (level: string) =>
    lines.map((l) => JSON.parse(l) as { level: string; message: string }).filter((l) => l.level === level);
  return { log, lines, at };
}

describe('alert outbox: announcements delivered at least once', () => {
  let sim: V2Simulator;
  let lake: string;
  let sns: LocalSns;

  beforeAll(async () => {
    ({ sim, lake } = await collectBlockedLake('outbox-lake'));
    sns = await startLocalSns();
  });
  afterAll(async () => {
    await sim.close();
    await sns.close();
  });

  const freshLake = () => lakeWithoutAlertState(lake, 'outbox-lifecycle');
  const waiting = (dir: string) => localStore(dir).list(ALERTS_OUTBOX_PREFIX);

  it('inboxlake alerts --send: a webhook answering 500 leaves the announcement queued (exit 1); the next evaluation delivers it once', async () => {
    // Three failed attempts (the default policy) on the first evaluation, then the tool is back.
    const chat = await startChat([500, 500, 500, 200]);
    const dir = await freshLake();
    const cli = async (at: number) =>
      runCli(['alerts', '--at', new Date(at).toISOString(), '--out', await scratch('outbox-out'), '--send'], {
        INBOXLAKE_LAKE: dir,
        INBOXLAKE_TMP: join(dir, '..'),
        INBOXLAKE_ALERT_WEBHOOK_URL: chat.url,
        INBOXLAKE_ALERT_WEBHOOK_KIND: 'slack',
      });
    try {
      const failed = await cli(OPENS);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('Slack webhook answered HTTP 500');
      expect(`${failed.stdout}${failed.stderr}`).not.toContain(TOKEN);
      expect(chat.received).toHaveLength(3);
      expect(await waiting(dir)).toEqual([alertOutboxKey(OPENS, 'opened', BLOCK_ID, 'webhook')]);

      const next = await cli(QUIET);
      expect(next.stderr).not.toMatch(/^(inboxlake:|ERROR|WARN)/m);
      expect(next.code).toBe(0);
      expect(next.stdout).toContain(
        'sent 0 announcements: 1 to the slack webhook; 1 of those left by earlier evaluations',
      );
      expect(chat.received).toHaveLength(4);
      const msg = slackWebhookMessage.parse(chat.received[3]!.body);
      expect(msg.text).toContain(`server ${BLOCKED} · ${DOMAIN} · code 1002`);
      expect(JSON.stringify(msg)).toContain('new alert');
      expect(await waiting(dir)).toEqual([]);
    } finally {
      await chat.close();
    }
  });

  it('SNS failing while the webhook takes it: only the SNS entry stays, and the next evaluation publishes it once', async () => {
    const dir = await freshLake();
    const store = localStore(dir);
    const chat = await startChat();
    const targets = { webhook: alertWebhook(chat.url, 'teams', 'test'), topicArn: TOPIC };
    const publish = snsPublisher({ region: 'us-east-1', endpoint: sns.endpoint });
    const { log } = capturingLog();
    const before = sns.published.length;
    try {
      sns.failing = true;
      const opened = await produceAlerts(store, { at: OPENS });
      const error = await withAwsEnv(() => announceAlerts(store, opened, targets, { publish, log })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AlertDeliveryError);
      expect((error as Error).message).toContain(`1 of 2 messages not delivered: opened ${BLOCK_ID}: SNS publish`);
      expect(chat.received).toHaveLength(1);
      expect(await waiting(dir)).toEqual([alertOutboxKey(OPENS, 'opened', BLOCK_ID, 'sns')]);

      sns.failing = false;
      const quiet = await produceAlerts(store, { at: QUIET });
      const sent = await withAwsEnv(() => announceAlerts(store, quiet, targets, { publish, log }));
      expect(sent).toEqual({ announced: 0, posted: 0, published: 1, earlier: 1, givenUp: 0 });
      expect(chat.received).toHaveLength(1);
      expect(teamsWebhookMessage.safeParse(chat.received[0]!.body).success).toBe(true);
      expect(sns.published.slice(before).map((p) => p.Subject)).toEqual([
        `inboxlake CRITICAL opened: block_failures at server ${BLOCKED} - ${DOMAIN} - code 1002`,
      ]);
      expect(await waiting(dir)).toEqual([]);
    } finally {
      sns.failing = false;
      await chat.close();
    }
  });

  it('an entry past the cap is logged as an error naming the alert and removed; an unreadable one is named and left, one for another channel waits', async () => {
    const dir = await freshLake();
    const store = localStore(dir);
    const opened = await produceAlerts(store, { at: OPENS });
    const [notice] = noticesOf(opened.announcements, opened.report.closed_until);
    const now = Date.parse('2026-11-21T12:00:00Z');
    // Queued a minute more than the cap ago and never delivered; a reminder queued an hour ago still is due.
    await queueNotices(store, OPENS, [notice!], ['webhook'], now - OUTBOX_GIVE_UP_MS - 60_000);
    const reminderAt = Date.parse('2026-11-21T11:05:00Z');
    await queueNotices(store, reminderAt, [{ ...notice!, kind: 'reminder' }], ['webhook', 'sns'], now - 3_600_000);
    const broken = alertOutboxKey(Date.parse('2026-11-20T09:50:00Z'), 'opened', 'volume:41', 'webhook');
    await store.putBytes(broken, '{"schema_version":1,"notice":', 'application/json');

    const chat = await startChat();
    const { log, at } = capturingLog();
    try {
      const quiet = await produceAlerts(store, { at: QUIET });
      const sent = await announceAlerts(
        store,
        quiet,
        { webhook: alertWebhook(chat.url, 'slack', 'test') },
        {
          log,
          now: () => now,
        },
      );
      expect(sent).toEqual({ announced: 0, posted: 1, published: 0, earlier: 1, givenUp: 1 });
      expect(chat.received).toHaveLength(1);
      expect(slackWebhookMessage.parse(chat.received[0]!.body).text).toContain('still open (reminder)');
      expect(at('error').map((l) => l.message)).toEqual([
        `alerts: gave up opened ${BLOCK_ID} to the webhook: not delivered since ` +
          `${new Date(now - OUTBOX_GIVE_UP_MS - 60_000).toISOString()} (the alert history still records it)`,
      ]);
      const warnings = at('warn').map((l) => l.message);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`unreadable outbox entry ${store.location}/${broken}`);
      // The SNS copy waits for a run that has the topic; this one sends to the webhook only.
      expect(await waiting(dir)).toEqual([broken, alertOutboxKey(reminderAt, 'reminder', BLOCK_ID, 'sns')]);
    } finally {
      await chat.close();
    }
  });
});
