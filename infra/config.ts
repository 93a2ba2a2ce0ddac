import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { isTimeZone } from '../shared/config';
import { thresholdOverridesSchema } from '../shared/digest/thresholds';

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

const slug = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,23}$/, 'expected a slug: lower-case letters, digits and hyphens, 1-24 characters');

/**
 * A secret name, referenced (not created) by the stack. Names ending in a hyphen and six characters are refused:
 * the functions receive a partial ARN, which Secrets Manager could match against another secret's random suffix.
 */
const secretName = z
  .string()
  .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'expected a Secrets Manager secret name (letters, digits, /_+=.@-)')
  .refine((s) => !/-[A-Za-z0-9]{6}$/.test(s), 'must not end in a hyphen followed by six characters');

/** EventBridge Scheduler expressions: `cron(min hour day-of-month month day-of-week year)` or `rate(n unit)`. */
const schedule = z
  .string()
  .trim()
  .regex(
    /^(cron\((\S+\s+){5}\S+\)|rate\(\s*[1-9]\d*\s+(minute|minutes|hour|hours|day|days)\s*\))$/,
    'expected an EventBridge Scheduler expression: cron(m h dom mon dow year) or rate(n minutes|hours|days)',
  );

const email = z.email('expected an e-mail address');

/**
 * A deployed API URL: https only (the key or password travels with every request, so never in clear over the
 * internet) and no `user:password@` (credentials live in the secret, never in the synthesized template).
 */
const httpsApiUrl = z
  .url({ protocol: /^https$/, error: 'expected an https:// URL (credentials travel with every request)' })
  .refine((u) => {
    const url = new URL(u);
    return url.username === '' && url.password === '';
  }, 'must not carry user:password@ (credentials belong in the secret)');
const isoDate = z.iso.date('expected a date YYYY-MM-DD');

/** CloudWatch Logs accepts only these retention periods. */
const logRetentionChoices = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const socketlabsAccountSchema = z
  .strictObject({
    /** Names the account's function, state machine, schedule and alarms. */
    name: slug,
    apiGeneration: z.enum(['v1', 'v2']).default('v2'),
    /** Default: the documented base URL of the generation. */
    apiUrl: httpsApiUrl.optional(),
    /** Secret holding `{"apiKey": "...", "username": "..."}` (username for v1 only). */
    secretName,
    serverIds: z.array(z.number().int().positive()).min(1, 'expected at least one server id'),
    // Hourly, five minutes past the hour (in the configured time zone; the minute is what matters).
    schedule: schedule.default('cron(5 * * * ? *)'),
    /** Days before today collected again on every run (late events settle). */
    trailingDays: z.number().int().min(0).max(89).default(2),
  })
  .superRefine((a, ctx) => {
    if (a.apiUrl === undefined) return;
    const path = new URL(a.apiUrl).pathname.replace(/\/+$/, '');
    if (!path.endsWith(`/${a.apiGeneration}`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['apiUrl'],
        message: `expected a URL ending in /${a.apiGeneration} (apiGeneration is ${a.apiGeneration})`,
      });
    }
  });

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

const sendsageSchema = z.strictObject({
  /** Secret holding `{"username": "...", "password": "..."}`. */
  secretName,
  apiUrl: httpsApiUrl.optional(),
  // Hourly, twenty minutes past the hour: away from the SocketLabs runs, though they share nothing.
  schedule: schedule.default('cron(20 * * * ? *)'),
});

const formatSchema = z.string().refine((f) => f === 'parquet' || f === 'csv', {
  message:
    "expected 'parquet' or 'csv' ('both' is for local lakes only: Athena reads one format per table location, " +
    'so a deployed lake holds one)',
});

export const deploymentConfigSchema = z
  .strictObject({
    socketlabs: z.array(socketlabsAccountSchema).default([]),
    sendsage: sendsageSchema.nullable().default(null),
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
    retentionDays: z.number().int().min(90, 'expected at least 90 (SocketLabs keeps 90 days)').nullable().default(null),
    /** Where alarms are e-mailed (an SNS subscription the address must confirm); none: subscribe yourself. */
    alarmEmail: email.optional(),
    /** "No data landed" alarms: hours without a landed row before each source counts as quiet. */
    noDataHours: z
      .strictObject({
        socketlabs: z.number().int().min(1).max(168).default(6),
        sendsage: z.number().int().min(1).max(168).default(48),
      })
      .default({ socketlabs: 6, sendsage: 48 }),
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
    const names = new Map<string, number>();
    const owner = new Map<number, number>();
    c.socketlabs.forEach((a, i) => {
      if (names.has(a.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['socketlabs', i, 'name'],
          message: `duplicate account name '${a.name}'`,
        });
      }
      names.set(a.name, i);
      a.serverIds.forEach((id, j) => {
        const first = owner.get(id);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['socketlabs', i, 'serverIds', j],
            message: `server ${id} is already listed under socketlabs[${first}]; a server belongs to one account`,
          });
        }
        owner.set(id, i);
      });
    });
    if (c.socketlabs.length === 0 && c.sendsage === null) {
      ctx.addIssue({ code: 'custom', path: ['socketlabs'], message: 'configure at least one source' });
    }
    if (c.historyStart > new Date().toISOString().slice(0, 10)) {
      ctx.addIssue({ code: 'custom', path: ['historyStart'], message: 'must not be in the future' });
    }
  });

export type DeploymentConfig = z.output<typeof deploymentConfigSchema>;
export type SocketLabsAccount = DeploymentConfig['socketlabs'][number];
export type SendSageSource = NonNullable<DeploymentConfig['sendsage']>;

/** `inboxlake.socketlabs[0].serverIds`: a zod issue path as the operator would find the field in cdk.json. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`),
    CONTEXT_KEY,
  );
}

/** Parses and validates the raw context value; throws a DeploymentConfigError listing every problem. */
export function parseDeploymentConfig(raw: unknown): DeploymentConfig {
  if (raw === undefined || raw === null) {
    throw new DeploymentConfigError(`${CONTEXT_KEY}: missing; add an "${CONTEXT_KEY}" object to cdk.json's context`);
  }
  const parsed = deploymentConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
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

/** Default API base URLs (shared/api-docs: the v1 Reporting API guide; the v2 API reference). */
export const socketlabsDefaultApiUrl: Record<SocketLabsAccount['apiGeneration'], string> = {
  v1: 'https://api.socketlabs.com/v1',
  v2: 'https://api.socketlabs.com/v2',
};
