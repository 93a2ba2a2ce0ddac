import * as z from 'zod';
import { type WebhookKind, webhookKindOf, webhookKinds } from '../alerts/channels/webhook';
import { type AlertThresholds, alertThresholdOverridesSchema } from '../alerts/thresholds';
import { parseEnv } from '../core/env';
import { ConfigError } from '../core/errors';
import { registerSecret } from '../core/redact';
import { thresholdEnvShape } from '../digest/thresholds';
import type { AlertTargets } from './alert-delivery';
import { type SecretReader, secretsManagerReader } from './secrets';

/**
 * Where announced alerts go, read from the environment at the door (CLI, Lambda). The webhook URL is a credential
 * (whoever holds it can post to the channel): it is registered with the redactor as soon as it is read, and no
 * message here quotes it.
 */

const alertChannelsEnv = z.object({
  /** A Slack, Teams (Workflows or connector) or Google Chat incoming-webhook URL (CLI: `alerts --send`). */
  INBOXLAKE_ALERT_WEBHOOK_URL: z.string().trim().optional(),
  /** The tool, when the URL's host does not say it (a proxy, a custom domain). */
  INBOXLAKE_ALERT_WEBHOOK_KIND: z.enum(webhookKinds).optional(),
  /** On AWS: the Secrets Manager secret whose value is the webhook URL (the stack sets it when configured). */
  INBOXLAKE_ALERT_WEBHOOK_SECRET_ARN: z.string().trim().min(1).optional(),
  /** The SNS topic each announcement is published to (the stack sets it; optional for the CLI). */
  INBOXLAKE_ALERT_TOPIC_ARN: z
    .string()
    .trim()
    .regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/, 'must be an SNS topic ARN')
    .optional(),
  /** For an SNS-compatible endpoint (tests); unset on AWS. */
  INBOXLAKE_SNS_ENDPOINT: z.url().optional(),
  INBOXLAKE_SECRETS_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
});

export interface AlertWebhook {
  readonly kind: WebhookKind;
  readonly url: string;
}

/** Where announced alerts go, as the environment says (the webhook, when read from a secret, comes later). */
export function loadAlertChannelsConfig(env: Record<string, string | undefined> = process.env) {
  const e = parseEnv(alertChannelsEnv, env);
  return {
    webhook: e.INBOXLAKE_ALERT_WEBHOOK_URL
      ? alertWebhook(e.INBOXLAKE_ALERT_WEBHOOK_URL, e.INBOXLAKE_ALERT_WEBHOOK_KIND, 'INBOXLAKE_ALERT_WEBHOOK_URL')
      : undefined,
    webhookKind: e.INBOXLAKE_ALERT_WEBHOOK_KIND,
    webhookSecretArn: e.INBOXLAKE_ALERT_WEBHOOK_SECRET_ARN,
    topicArn: e.INBOXLAKE_ALERT_TOPIC_ARN,
    snsEndpoint: e.INBOXLAKE_SNS_ENDPOINT,
    secretsEndpoint: e.INBOXLAKE_SECRETS_ENDPOINT,
    region: e.AWS_REGION,
  } as const;
}

export type AlertChannelsConfig = ReturnType<typeof loadAlertChannelsConfig>;

/**
 * A webhook from its URL (registered as a secret first, in every form it may take in a message: whole, and the path
 * and query that carry the token) and its kind: the one given, else the one its host names. `origin` names where
 * the URL came from in errors (a variable, a secret's ARN).
 */
export function alertWebhook(url: string, kind: WebhookKind | undefined, origin: string): AlertWebhook {
  registerSecret(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${origin}: not a URL`);
  }
  registerSecret(`${parsed.pathname}${parsed.search}`);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(`${origin}: must be an https:// URL`);
  }
  const found = kind ?? webhookKindOf(url);
  if (!found) {
    throw new ConfigError(
      `${origin}: the host ${parsed.hostname} is not a known Slack, Teams or Google Chat webhook host; set ` +
        `INBOXLAKE_ALERT_WEBHOOK_KIND to ${webhookKinds.join(', ')}`,
    );
  }
  return { kind: found, url };
}

/**
 * The targets of this deployment: the webhook from the environment, else from the secret the stack names (its value
 * is the URL; read once per container by the caller), and the topic.
 */
export async function alertTargets(
  config: AlertChannelsConfig,
  read: SecretReader = secretsManagerReader({ region: config.region, endpoint: config.secretsEndpoint }),
): Promise<AlertTargets> {
  if (config.webhook || !config.webhookSecretArn) return { webhook: config.webhook, topicArn: config.topicArn };
  const arn = config.webhookSecretArn;
  const value = (await read(arn)).trim();
  registerSecret(value);
  return { webhook: alertWebhook(value, config.webhookKind, `secret ${arn}`), topicArn: config.topicArn };
}

const inboxEnv = z.object({
  INBOXLAKE_INBOX_WARN: thresholdEnvShape.INBOXLAKE_INBOX_WARN,
  INBOXLAKE_INBOX_CRITICAL: thresholdEnvShape.INBOXLAKE_INBOX_CRITICAL,
});

/**
 * The alert thresholds of this run: the defaults, with what `INBOXLAKE_ALERT_THRESHOLDS` (a JSON object, e.g.
 * `{"alpha": 1e-5, "blockMinCount": 30}`) sets in their place. The placement thresholds follow the digest's
 * INBOXLAKE_INBOX_WARN / INBOXLAKE_INBOX_CRITICAL, so a test the digest calls fine never alerts, unless the JSON sets
 * them itself. Anything wrong is a ConfigError naming the variable and the field.
 */
export function loadAlertThresholds(env: Record<string, string | undefined> = process.env): AlertThresholds {
  const inbox = parseEnv(inboxEnv, env);
  const raw = env.INBOXLAKE_ALERT_THRESHOLDS?.trim();
  let given: unknown = {};
  if (raw) {
    try {
      given = JSON.parse(raw);
    } catch (error) {
      throw new ConfigError(`INBOXLAKE_ALERT_THRESHOLDS is not JSON: ${(error as Error).message}`);
    }
  }
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new ConfigError('INBOXLAKE_ALERT_THRESHOLDS must be a JSON object, e.g. {"alpha": 1e-5}');
  }
  const parsed = alertThresholdOverridesSchema.safeParse({
    ...(inbox.INBOXLAKE_INBOX_WARN === undefined ? {} : { inboxWarn: inbox.INBOXLAKE_INBOX_WARN }),
    ...(inbox.INBOXLAKE_INBOX_CRITICAL === undefined ? {} : { inboxCritical: inbox.INBOXLAKE_INBOX_CRITICAL }),
    ...given,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
    throw new ConfigError(`INBOXLAKE_ALERT_THRESHOLDS: ${problems.join('; ')}`);
  }
  return parsed.data;
}
