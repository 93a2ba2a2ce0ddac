import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import type { AlertNotice } from '../alerts/channels/notice';
import { textMessage } from '../alerts/channels/text';
import { webhookLabels, webhookPayload } from '../alerts/channels/webhook';
import { type DeliveryTarget, deliveryTargets } from '../alerts/outbox';
import { ApiRequestError, InboxlakeError, RateLimitedError, TransientApiError } from '../core/errors';
import { excerpt, redactSecrets } from '../core/redact';
import { type RetryPolicy, withRetry } from '../engine/retry';
import { type Logger, silentLogger } from '../log';
import type { AlertWebhook } from './alert-config';

/**
 * Sends announced alerts: one chat message per alert to the webhook, in its tool's format, and one SNS publish per
 * alert (plain text, for e-mail and SMS subscribers). Every message is tried even when another failed; the failures
 * are then thrown together, each naming its channel and status, never the webhook URL. How each (notice, target)
 * went is kept (`deliverEach`), so the outbox (./alert-outbox.ts) removes exactly what arrived.
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

/** One notice for one target: what the outbox keeps, and what a delivery tries once. */
export interface Delivery {
  readonly notice: AlertNotice;
  readonly target: DeliveryTarget;
}

/** How one delivery went: `failure` names the channel and status (never the URL); absent when it arrived. */
export interface DeliveryOutcome extends Delivery {
  readonly failure?: string;
}

/** The targets configured, in the order a notice is sent to them. */
export function targetsOf(targets: AlertTargets): DeliveryTarget[] {
  return deliveryTargets.filter((t) => (t === 'webhook' ? targets.webhook : targets.topicArn));
}

/** Sends every notice to every target; throws an AlertDeliveryError naming what failed once all were tried. */
export async function deliverAlerts(
  notices: readonly AlertNotice[],
  targets: AlertTargets,
  deps: DeliveryDeps = {},
): Promise<DeliveryReport> {
  const to = targetsOf(targets);
  const outcomes = await deliverEach(
    notices.flatMap((notice) => to.map((target) => ({ notice, target }))),
    targets,
    deps,
  );
  return reportDeliveries(outcomes, deps.log ?? silentLogger);
}

/** Tries each delivery once (the webhook with its retries) and says how each went; never throws for a channel. */
export async function deliverEach(
  deliveries: readonly Delivery[],
  targets: AlertTargets,
  deps: DeliveryDeps = {},
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  for (const d of deliveries) {
    const failure = await sendOne(d, targets, deps);
    outcomes.push(failure === null ? d : { ...d, failure: `${d.notice.kind} ${d.notice.alert.id}: ${failure}` });
  }
  return outcomes;
}

/** Counts what arrived; logs each failure and throws them together (an AlertDeliveryError) when any failed. */
export function reportDeliveries(outcomes: readonly DeliveryOutcome[], log: Logger): DeliveryReport {
  const failures = outcomes.flatMap((o) => (o.failure === undefined ? [] : [o.failure]));
  for (const f of failures) log.error(`alerts: not delivered: ${f}`);
  if (failures.length) {
    throw new AlertDeliveryError(
      `alerts: ${failures.length} of ${outcomes.length} messages not delivered: ${failures.slice(0, 3).join('; ')}` +
        (failures.length > 3 ? `; and ${failures.length - 3} more` : ''),
    );
  }
  return {
    posted: outcomes.filter((o) => o.target === 'webhook').length,
    published: outcomes.filter((o) => o.target === 'sns').length,
  };
}

/** One notice to one target; null when it arrived, else why not. */
async function sendOne(
  { notice, target }: Delivery,
  targets: AlertTargets,
  deps: DeliveryDeps,
): Promise<string | null> {
  try {
    if (target === 'webhook') {
      if (!targets.webhook) throw new InboxlakeError('no webhook configured');
      await postWebhook(targets.webhook, webhookPayload(targets.webhook.kind, notice), deps);
      return null;
    }
    if (!targets.topicArn) throw new InboxlakeError('no SNS topic configured');
    if (!deps.publish) throw new InboxlakeError('no SNS publisher given');
    const text = textMessage(notice);
    await deps.publish({ TopicArn: targets.topicArn, Subject: text.subject, Message: text.message });
    return null;
  } catch (error) {
    return target === 'webhook' ? messageOf(error) : `SNS publish failed (${messageOf(error)})`;
  }
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
