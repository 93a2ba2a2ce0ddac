import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { webhookKinds } from '../shared/alerts/channels/webhook';
import { alertThresholdOverridesSchema } from '../shared/alerts/thresholds';
import { isTimeZone } from '../shared/config';
import { thresholdOverridesSchema } from '../shared/digest/thresholds';
import { commandsOf, type Registry, sources } from '../shared/sources';
import type { DeployedCollector, SourceCommand } from '../shared/sources/descriptor';
import type { SendSageDeployment } from '../shared/sources/sendsage';
import { type SocketLabsAccount, socketlabsDefaultApiUrl } from '../shared/sources/socketlabs-common/command';

/**
 * The deployment configuration: the `inboxlake` object of cdk.json's context, parsed once at synth. Types are
 * inferred from the schema; every error names the path of the field at fault (`inboxlake.socketlabs[0].serverIds`).
 * Credentials are never part of it: the config names Secrets Manager secrets whose values the operator sets.
 */

/** The context key the config lives under (also the root of every error path). */
export const CONTEXT_KEY = 'inboxlake';

/** A deployment config that cannot be used; the message lists every problem with its field path. */
export class DeploymentConfigError extends Error {
  override name = 'DeploymentConfigError';
}

const email = z.email('expected an e-mail address');

const isoDate = z.iso.date('expected a date YYYY-MM-DD');

/** CloudWatch Logs accepts only these retention periods. */
const logRetentionChoices = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const digestSchema = z
  .strictObject({
    from: email,
    to: z.array(email).min(1, 'expected at least one recipient'),
    /** Local time of day (in `timeZone`) the digest of yesterday is sent; after the morning's collections. */
    localTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:MM (24-hour clock)'),
    /** The verified SES identity the digest is sent from: a domain (example.com) or an address. */
    sesIdentity: z.string().min(3),
    /**
     * While the SES account is in the sandbox, SES also authorizes a send against each recipient's (verified)
     * identity; true adds the recipients' identities to the function's ses:SendRawEmail resources.
     */
    sesSandbox: z.boolean().default(false),
    /** Thresholds to change from the digest's defaults (shared/digest/thresholds.ts); the rest keep them. */
    thresholds: thresholdOverridesSchema.default({}),
  })
  .superRefine((d, ctx) => {
    const fromDomain = d.from.slice(d.from.lastIndexOf('@') + 1).toLowerCase();
    const identity = d.sesIdentity.toLowerCase();
    const covered = identity.includes('@')
      ? identity === d.from.toLowerCase()
      : fromDomain === identity || fromDomain.endsWith(`.${identity}`);
    if (!covered) {
      ctx.addIssue({
        code: 'custom',
        path: ['sesIdentity'],
        message: `the identity '${d.sesIdentity}' does not cover the sender ${d.from}; SES would refuse to send`,
      });
    }
  });

/**
 * The alerts topic's e-mail subscribers and the chat webhook. The webhook URL is a credential: the config names the
 * Secrets Manager secret holding it (its value is the URL alone), never the URL.
 */
const alertsSchema = z.strictObject({
  /** Subscribed to the alerts topic (each address confirms SNS's first mail); more (SMS, chat bots) may be added. */
  emails: z.array(email).default([]),
  /**
   * The complete ARN (with Secrets Manager's 6-character suffix, which IAM needs to match it) of the secret holding
   * a Slack, Teams or Google Chat incoming-webhook URL; none: alerts go to the topic only.
   */
  webhookSecretArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
      "expected the secret's complete ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)",
    )
    .optional(),
  /** The webhook's tool when its URL's host does not say it (slack, teams, google-chat). */
  webhookKind: z.enum(webhookKinds).optional(),
  /**
   * Alert thresholds to change (shared/alerts/thresholds.ts names, documents and bounds them), e.g.
   * `{"alpha": 1e-5, "blockMinCount": 30}`; passed to the function as INBOXLAKE_ALERT_THRESHOLDS and checked here as
   * the function will check them.
   */
  thresholds: z
    .record(z.string(), z.unknown())
    .default({})
    .superRefine((given, ctx) => {
      for (const issue of alertThresholdOverridesSchema.safeParse(given).error?.issues ?? []) {
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      }
    }),
});

const formatSchema = z.string().refine((f) => f === 'parquet' || f === 'csv', {
  message:
    "expected 'parquet' or 'csv' ('both' is for local lakes only: Athena reads one format per table location, " +
    'so a deployed lake holds one)',
});

/**
 * The deployment config's schema for a registry: the common fields, and one key per source command (`socketlabs`,
 * `sendsage`, …) whose value that source's descriptor defines (shared/sources/<api>), as are its `noDataHours`.
 */
export function deploymentConfigSchemaFor(registry: Registry = sources) {
  const commands = commandsOf(registry);
  const noDataHoursDefaults = Object.fromEntries(commands.map((c) => [c.name, c.deploy.noDataHours]));
  return z
    .strictObject({
      ...Object.fromEntries(commands.map((c) => [c.name, c.deploy.schema])),
      /** IANA zone of the schedules and of the digest's "yesterday". */
      timeZone: z.string().refine(isTimeZone, 'expected an IANA time zone such as Europe/Berlin or UTC'),
      digest: digestSchema,
      format: formatSchema.default('parquet').transform((f) => f as 'parquet' | 'csv'),
      /** First `dt` Athena's partition projection covers when no retention is set. */
      historyStart: isoDate.default('2024-01-01'),
      /**
       * Days lake data (tables, rollups) is kept; null keeps it forever. When set, Athena's `dt` projection starts
       * that many days ago instead of at historyStart.
       */
      retentionDays: z
        .number()
        .int()
        .min(90, 'expected at least 90 (SocketLabs keeps 90 days)')
        .nullable()
        .default(null),
      /** Intraday alerts: who hears about them besides the chat webhook. */
      alerts: alertsSchema.default({ emails: [], thresholds: {} }),
      /** Where alarms are e-mailed (an SNS subscription the address must confirm); none: subscribe yourself. */
      alarmEmail: email.optional(),
      /** "No data landed" alarms: hours without a landed row before each source counts as quiet. */
      noDataHours: z
        .strictObject(
          Object.fromEntries(
            commands.map((c) => [c.name, z.number().int().min(1).max(168).default(c.deploy.noDataHours)]),
          ),
        )
        .default(noDataHoursDefaults),
      athena: z
        .strictObject({
          /** Queries scanning more are cancelled (Athena's minimum is 10 MB). */
          bytesScannedCutoffPerQuery: z.number().int().min(10_000_000).default(10_000_000_000),
        })
        .default({ bytesScannedCutoffPerQuery: 10_000_000_000 }),
      logRetentionDays: z
        .number()
        .refine((n) => (logRetentionChoices as readonly number[]).includes(n), {
          message: `expected one of CloudWatch's retention periods: ${logRetentionChoices.join(', ')}`,
        })
        .default(30),
      /** X-Ray tracing of the functions and state machines. */
      tracing: z.boolean().default(false),
      /**
       * The customer-managed KMS key the source secrets are encrypted with, if not the AWS-managed one: the functions
       * that read a secret get kms:Decrypt on it (through Secrets Manager only). A key ARN, since IAM ignores aliases.
       */
      secretsKmsKeyArn: z
        .string()
        .regex(
          /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,
          'expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias',
        )
        .optional(),
    })
    .superRefine((c, ctx) => {
      const deployed = commands.some((command) => collectorsOf(command, c).length > 0);
      if (!deployed) {
        ctx.addIssue({
          code: 'custom',
          path: [commands[0]?.name ?? 'sources'],
          message: 'configure at least one source',
        });
      }
      if (c.historyStart > new Date().toISOString().slice(0, 10)) {
        ctx.addIssue({ code: 'custom', path: ['historyStart'], message: 'must not be in the future' });
      }
    });
}

/** The collectors a command deploys under a parsed config (its key's value, through its descriptor). */
export function collectorsOf(
  command: SourceCommand,
  config: Readonly<Record<string, unknown>>,
): readonly DeployedCollector[] {
  return command.deploy.collectors(config[command.name] as never);
}

/** The schema of the default registry. */
export const deploymentConfigSchema = deploymentConfigSchemaFor();

/**
 * A parsed deployment config. Each source's part is keyed by its command; the default registry's parts are typed
 * here for convenience (tests, tools), a registered source's part is read through its descriptor.
 */
export type DeploymentConfig = z.output<ReturnType<typeof deploymentConfigSchemaFor>> & {
  readonly socketlabs: SocketLabsAccount[];
  readonly sendsage: SendSageDeployment;
  readonly noDataHours: Readonly<Record<string, number>>;
};
export type { SocketLabsAccount };
export type SendSageSource = NonNullable<SendSageDeployment>;

/** `inboxlake.socketlabs[0].serverIds`: a zod issue path as the operator would find the field in cdk.json. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`),
    CONTEXT_KEY,
  );
}

/** Parses and validates the raw context value; throws a DeploymentConfigError listing every problem. */
export function parseDeploymentConfig(raw: unknown, registry: Registry = sources): DeploymentConfig {
  if (raw === undefined || raw === null) {
    throw new DeploymentConfigError(`${CONTEXT_KEY}: missing; add an "${CONTEXT_KEY}" object to cdk.json's context`);
  }
  const parsed = deploymentConfigSchemaFor(registry).safeParse(raw);
  if (parsed.success) return parsed.data as DeploymentConfig;
  const lines = parsed.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`);
  throw new DeploymentConfigError(`invalid deployment config:\n  ${lines.join('\n  ')}`);
}

/** cdk.json at the repository root. */
export const cdkJsonPath = new URL('../cdk.json', import.meta.url);

/** The committed cdk.json's context (feature flags and the example config), as the CDK CLI passes it to the app. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as { context: Record<string, unknown> }).context;
}

/** The example deployment config committed in cdk.json (fake server ids, example addresses). */
export function exampleDeploymentConfig(): DeploymentConfig {
  return parseDeploymentConfig(cdkJsonContext()[CONTEXT_KEY]);
}

export { socketlabsDefaultApiUrl };
