import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { type AlertNotice, noticesOf } from '../alerts/channels/notice';
import { textMessage } from '../alerts/channels/text';
import { webhookLabels, webhookPayload } from '../alerts/channels/webhook';
import { ApiRequestError, InboxlakeError, RateLimitedError, TransientApiError } from '../core/errors';
import { excerpt, redactSecrets } from '../core/redact';
import { type RetryPolicy, withRetry } from '../engine/retry';
import { type Logger, silentLogger } from '../log';
import type { AlertWebhook } from './alert-config';
import type { AlertsResult } from './alerts';

/**
 * Sends announced alerts: one chat message per alert to the webhook, in its tool's format, and one SNS publish per
 * alert (plain text, for e-mail and SMS subscribers). Every message is tried even when another failed; the failures
 * are then thrown together, each naming its channel and status, never the webhook URL.
 */

/** Publishes one SNS message (the real SNSClient in the doors; see `snsPublisher`). */
export type SnsPublish = (input: PublishCommandInput) => Promise<void>;

/** A publisher through the AWS SDK's SNSClient (an endpoint for tests; the default chain's credentials). */
export function snsPublisher(config: { readonly region: string; readonly endpoint?: string }): SnsPublish {
  let client: SNSClient | undefined;
  return async (input) => {
    client ??= new SNSClient({ region: config.region, ...(config.endpoint ? { endpoint: config.endpoint } : {}) });
    await client.send(new PublishCommand(input));
  };
}

export interface AlertTargets {
  readonly webhook?: AlertWebhook;
  readonly topicArn?: string;
}

export interface DeliveryDeps {
  readonly fetch?: typeof fetch;
  /** Required when the targets name a topic. */
  readonly publish?: SnsPublish;
  readonly log?: Logger;
  /** Retries of a webhook answering 429, 5xx or not at all (default: 3 attempts from 500 ms). */
  readonly retry?: RetryPolicy;
  readonly signal?: AbortSignal;
}

export interface DeliveryReport {
  readonly posted: number;
  readonly published: number;
}

/** Some announcements did not reach their channel; the message lists each failure (channel, status), no URL. */
export class AlertDeliveryError extends InboxlakeError {
  override name = 'AlertDeliveryError';
}

const webhookRetry: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 4_000, maxRetryAfterMs: 10_000 };

/** Sends every notice to every target; throws an AlertDeliveryError naming what failed once all were tried. */
export async function deliverAlerts(
  notices: readonly AlertNotice[],
  targets: AlertTargets,
  deps: DeliveryDeps = {},
): Promise<DeliveryReport> {
  const log = deps.log ?? silentLogger;
  const failures: string[] = [];
  let posted = 0;
  let published = 0;
  for (const notice of notices) {
    const what = `${notice.kind} ${notice.alert.id}`;
    if (targets.webhook) {
      try {
        await postWebhook(targets.webhook, webhookPayload(targets.webhook.kind, notice), deps);
        posted++;
      } catch (error) {
        failures.push(`${what}: ${messageOf(error)}`);
      }
    }
    if (targets.topicArn) {
      try {
        if (!deps.publish) throw new InboxlakeError('no SNS publisher given');
        const text = textMessage(notice);
        await deps.publish({ TopicArn: targets.topicArn, Subject: text.subject, Message: text.message });
        published++;
      } catch (error) {
        failures.push(`${what}: SNS publish failed (${messageOf(error)})`);
      }
    }
  }
  for (const f of failures) log.error(`alerts: not delivered: ${f}`);
  if (failures.length) {
    const tried = notices.length * ((targets.webhook ? 1 : 0) + (targets.topicArn ? 1 : 0));
    throw new AlertDeliveryError(
      `alerts: ${failures.length} of ${tried} messages not delivered: ${failures.slice(0, 3).join('; ')}` +
        (failures.length > 3 ? `; and ${failures.length - 3} more` : ''),
    );
  }
  return { posted, published };
}

/** Sends what an evaluation announces (opened, reminders, resolved); both doors call this after produceAlerts. */
export async function announceAlerts(
  result: AlertsResult,
  targets: AlertTargets,
  deps: DeliveryDeps = {},
): Promise<DeliveryReport & { readonly announced: number }> {
  const notices = noticesOf(result.announcements, result.report.closed_until);
  return { announced: notices.length, ...(await deliverAlerts(notices, targets, deps)) };
}

/** One POST of a JSON body, retried while the tool answers 429 or 5xx or cannot be reached. */
async function postWebhook(webhook: AlertWebhook, body: unknown, deps: DeliveryDeps): Promise<void> {
  const doFetch = deps.fetch ?? fetch;
  const label = webhookLabels[webhook.kind];
  await withRetry(
    async () => {
      let res: Response;
      try {
        res = await doFetch(webhook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(body),
          signal: deps.signal,
        });
      } catch (error) {
        // fetch's own words ("fetch failed") and its cause's code say what went wrong; the URL is not repeated.
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
        throw new TransientApiError(`${label} unreachable (${redactSecrets(reason)})`, { cause: error });
      }
      if (res.ok) {
        await res.body?.cancel();
        return;
      }
      // The tools answer with a short reason (Slack: "invalid_payload", "no_service"): worth showing, redacted.
      const text = excerpt(await res.text().catch(() => ''), 200);
      const message = `${label} answered HTTP ${res.status}${text ? `: ${text}` : ''}`;
      if (res.status === 429) {
        const after = Number(res.headers.get('retry-after'));
        throw new RateLimitedError(message, Number.isFinite(after) && after > 0 ? after * 1000 : null);
      }
      if (res.status >= 500) throw new TransientApiError(message);
      throw new ApiRequestError(message, res.status);
    },
    { policy: deps.retry ?? webhookRetry, signal: deps.signal },
  );
}

const messageOf = (error: unknown) => redactSecrets(error instanceof Error ? error.message : String(error));
