import { tmpdir } from 'node:os';
import * as z from 'zod';
import { ConfigError } from './engine/errors';
import { registerSecret } from './engine/redact';
import { lakeLocationProblem } from './lake/open-store';
import { dtProjectionStartSchema } from './lake/projection';

/**
 * Configuration from the environment, parsed once at the door (CLI, Lambda) with zod; domain code receives the
 * typed result. Every error names the variable.
 */
const positiveIntList = z
  .string()
  .trim()
  .regex(/^\d+(\s*,\s*\d+)*$/, 'expected a comma-separated list of numeric server ids, e.g. 1234,5678')
  .transform((s) => [...new Set(s.split(',').map((x) => Number(x.trim())))]);

/**
 * An API base URL. Only http(s) (fetch can reach nothing else) and no `user:password@`: fetch refuses such a URL on
 * every attempt, and credentials have variables of their own. Messages never quote the value.
 */
const apiUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .refine((u) => {
      const url = new URL(u);
      return url.username === '' && url.password === '';
    }, 'must not carry user:password@ (the credentials have their own variables)')
    .default(fallback);

/** Control characters in a credential are paste accidents (a newline, a tab); no API issues credentials with them. */
const noControlCharacters = (s: string) => !/[\u0000-\u001f\u007f-\u009f]/.test(s);
/** A value sent in an HTTP header must be Latin-1: fetch refuses anything else, on every attempt. */
const latin1 = (s: string) => /^[\u0000-\u00ff]*$/.test(s);
const controlMessage = 'contains a control character';

/** Whether the runtime knows an IANA zone name. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const lakeSchema = z.object({
  INBOXLAKE_LAKE: z
    .string()
    .trim()
    .min(1)
    .default('./lake')
    .superRefine((location, ctx) => {
      const problem = lakeLocationProblem(location);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  INBOXLAKE_FORMAT: z.enum(['parquet', 'csv', 'both']).default('parquet'),
  INBOXLAKE_TMP: z.string().min(1).default(tmpdir()),
  /** For S3-compatible servers (tests, MinIO); unset on AWS. */
  INBOXLAKE_S3_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
  /** Where Athena's dt projection starts (the stack sets it on the collectors); unset: no Athena, no check. */
  INBOXLAKE_DT_PROJECTION_START: dtProjectionStartSchema.optional(),
});

const socketlabsSchema = z.object({
  SOCKETLABS_API_URL: apiUrl('https://api.socketlabs.com/v2'),
  /** v1 only (Basic auth with the control-panel user); v2 authenticates with the key alone. */
  SOCKETLABS_USERNAME: z.string().trim().min(1).refine(noControlCharacters, controlMessage).optional(),
  SOCKETLABS_API_KEY: z
    .string()
    .trim()
    .min(1, 'is required (the SocketLabs API key)')
    .refine(noControlCharacters, controlMessage)
    .refine(latin1, 'contains a character outside Latin-1 (the key is sent in an HTTP header)'),
  SOCKETLABS_SERVER_IDS: positiveIntList,
  SOCKETLABS_REQUESTS_PER_SECOND: z.coerce.number().positive().max(1000).default(1),
  SOCKETLABS_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  /** v2: multiplies the documented per-minute limits; only for simulators whose windows run faster (tests, bench). */
  SOCKETLABS_RATE_SCALE: z.coerce.number().positive().max(10_000).default(1),
  /** v2 CSV download page size (the API's maximum is 500,000). */
  SOCKETLABS_CSV_PAGE_SIZE: z.coerce.number().int().min(1).max(500_000).default(500_000),
  INBOXLAKE_TRAILING_DAYS: z.coerce.number().int().min(0).max(89).default(2),
  INBOXLAKE_MAX_ROWS_PER_WINDOW: z.coerce.number().int().min(500).default(100_000),
});

export type LakeConfig = ReturnType<typeof toLakeConfig>;
export type SocketLabsConfig = ReturnType<typeof toSocketLabsConfig>;

function parseEnv<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  // Empty strings count as unset, as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const name = String(i.path[0] ?? '(environment)');
    const problem = i.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : i.message;
    return `${name} ${problem}`;
  });
  throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
}

function toLakeConfig(e: z.output<typeof lakeSchema>) {
  return {
    location: e.INBOXLAKE_LAKE,
    formats: e.INBOXLAKE_FORMAT === 'both' ? (['parquet', 'csv'] as const) : ([e.INBOXLAKE_FORMAT] as const),
    tmpDir: e.INBOXLAKE_TMP,
    s3Endpoint: e.INBOXLAKE_S3_ENDPOINT,
    region: e.AWS_REGION,
    dtProjectionStart: e.INBOXLAKE_DT_PROJECTION_START,
  };
}

function toSocketLabsConfig(e: z.output<typeof socketlabsSchema>) {
  const path = new URL(e.SOCKETLABS_API_URL).pathname.replace(/\/+$/, '');
  const generation = path.endsWith('/v1') ? 'v1' : path.endsWith('/v2') ? 'v2' : null;
  if (!generation) {
    throw new ConfigError(
      `SOCKETLABS_API_URL must end in /v1 (Reporting API v1) or /v2 (SocketLabs API v2), got path '${path || '/'}'`,
    );
  }
  if (generation === 'v1' && !e.SOCKETLABS_USERNAME) {
    throw new ConfigError('SOCKETLABS_USERNAME is required for the v1 Reporting API (the control-panel user name)');
  }
  // v1 sends `user:key` as a Basic token; the key alone is what v2 sends.
  registerSecret(e.SOCKETLABS_API_KEY, generation === 'v1' ? e.SOCKETLABS_USERNAME : undefined);
  return {
    apiUrl: e.SOCKETLABS_API_URL,
    generation,
    username: e.SOCKETLABS_USERNAME ?? '',
    apiKey: e.SOCKETLABS_API_KEY,
    serverIds: e.SOCKETLABS_SERVER_IDS,
    requestsPerSecond: e.SOCKETLABS_REQUESTS_PER_SECOND,
    timeoutMs: e.SOCKETLABS_TIMEOUT_MS,
    rateScale: e.SOCKETLABS_RATE_SCALE,
    csvPageSize: e.SOCKETLABS_CSV_PAGE_SIZE,
    trailingDays: e.INBOXLAKE_TRAILING_DAYS,
    maxRowsPerWindow: e.INBOXLAKE_MAX_ROWS_PER_WINDOW,
  } as const;
}

/** Where and how the lake is written. */
export function loadLakeConfig(env: Record<string, string | undefined> = process.env) {
  return toLakeConfig(parseEnv(lakeSchema, env));
}

/** SocketLabs credentials, servers and limits. */
export function loadSocketLabsConfig(env: Record<string, string | undefined> = process.env) {
  return toSocketLabsConfig(parseEnv(socketlabsSchema, env));
}

/** Whether the environment carries SocketLabs credentials (else `npm start` uses the embedded simulator). */
export function hasSocketLabsCredentials(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.SOCKETLABS_API_KEY && env.SOCKETLABS_SERVER_IDS);
}

const sendsageSchema = z.object({
  SENDSAGE_API_URL: apiUrl('https://monitor.drh.net/api.php'),
  SENDSAGE_USERNAME: z
    .string()
    .trim()
    .min(1, 'is required (the SendSage Monitor user name)')
    .refine(noControlCharacters, controlMessage),
  // Sent in a form body (UTF-8), so any printable character is fine; not trimmed, a space may belong to it.
  SENDSAGE_PASSWORD: z
    .string()
    .min(1, 'is required (the SendSage Monitor password)')
    .refine(noControlCharacters, controlMessage),
  /** The API states no limit; the default stays gentle. */
  SENDSAGE_REQUESTS_PER_SECOND: z.coerce.number().positive().max(1000).default(2),
  SENDSAGE_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  SENDSAGE_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  /** Which seed messages to fetch whole (headers, SPF/DKIM/DMARC): by default those that arrived misplaced (bulk). */
  SENDSAGE_MESSAGES: z.enum(['non-inbox', 'all', 'none']).default('non-inbox'),
});

/** SendSage Monitor credentials and politeness settings. */
export function loadSendSageConfig(env: Record<string, string | undefined> = process.env) {
  const e = parseEnv(sendsageSchema, env);
  registerSecret(e.SENDSAGE_PASSWORD, e.SENDSAGE_USERNAME);
  return {
    apiUrl: e.SENDSAGE_API_URL,
    username: e.SENDSAGE_USERNAME,
    password: e.SENDSAGE_PASSWORD,
    requestsPerSecond: e.SENDSAGE_REQUESTS_PER_SECOND,
    concurrency: e.SENDSAGE_CONCURRENCY,
    timeoutMs: e.SENDSAGE_TIMEOUT_MS,
    messages: e.SENDSAGE_MESSAGES,
  } as const;
}

export type SendSageConfig = ReturnType<typeof loadSendSageConfig>;

/** Whether the environment carries SendSage credentials (else `npm start` uses the embedded simulator). */
export function hasSendSageCredentials(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.SENDSAGE_USERNAME && env.SENDSAGE_PASSWORD);
}

const secretsSchema = z.object({
  /** For a Secrets Manager-compatible endpoint (tests); unset on AWS. */
  INBOXLAKE_SECRETS_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
});

/** A secret ARN variable (on AWS the stack names each source's secret; then its credentials come from it). */
const secretArn = z.string().trim().min(1).optional();

/**
 * Where to read the sources' secrets, and which secret a source's ARN variable (SOCKETLABS_SECRET_ARN, …) names
 * (none: its credentials come from the environment).
 */
export function loadSecretsConfig(env: Record<string, string | undefined> = process.env) {
  const e = parseEnv(secretsSchema, env);
  return {
    secretArn: (variable: string) => {
      const parsed = secretArn.safeParse(env[variable] === '' ? undefined : env[variable]);
      if (!parsed.success)
        throw new ConfigError(`invalid configuration: ${variable} ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    },
    endpoint: e.INBOXLAKE_SECRETS_ENDPOINT,
    region: e.AWS_REGION,
  } as const;
}

export type SecretsConfig = ReturnType<typeof loadSecretsConfig>;

const fraction = z.coerce.number().min(0).max(1);
const digestSchemaEnv = z.object({
  INBOXLAKE_TIMEZONE: z
    .string()
    .trim()
    .min(1)
    .default('UTC')
    .refine(isTimeZone, 'must be an IANA time zone name, e.g. Europe/Paris'),
  INBOXLAKE_DIGEST_FROM: z.email().optional(),
  INBOXLAKE_DIGEST_TO: z
    .string()
    .optional()
    .transform((s) =>
      (s ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.email())),
  /** For an SES-compatible endpoint (the local emulator); unset on AWS. */
  INBOXLAKE_SES_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
  INBOXLAKE_COMPLAINT_WARN: fraction.default(0.001),
  INBOXLAKE_COMPLAINT_CRITICAL: fraction.default(0.003),
  INBOXLAKE_BOUNCE_WARN: fraction.default(0.02),
  INBOXLAKE_BOUNCE_CRITICAL: fraction.default(0.05),
  INBOXLAKE_INBOX_WARN: z.coerce.number().min(0).max(100).default(80),
  INBOXLAKE_INBOX_CRITICAL: z.coerce.number().min(0).max(100).default(60),
  INBOXLAKE_MIN_VOLUME: z.coerce.number().int().min(0).default(100),
});

/** The digest's zone, sender, recipients and thresholds. */
export function loadDigestConfig(env: Record<string, string | undefined> = process.env) {
  const e = parseEnv(digestSchemaEnv, env);
  return {
    timeZone: e.INBOXLAKE_TIMEZONE,
    from: e.INBOXLAKE_DIGEST_FROM,
    to: e.INBOXLAKE_DIGEST_TO,
    sesEndpoint: e.INBOXLAKE_SES_ENDPOINT,
    region: e.AWS_REGION,
    thresholds: {
      complaintWarn: e.INBOXLAKE_COMPLAINT_WARN,
      complaintCritical: e.INBOXLAKE_COMPLAINT_CRITICAL,
      bounceWarn: e.INBOXLAKE_BOUNCE_WARN,
      bounceCritical: e.INBOXLAKE_BOUNCE_CRITICAL,
      inboxWarn: e.INBOXLAKE_INBOX_WARN,
      inboxCritical: e.INBOXLAKE_INBOX_CRITICAL,
      minVolume: e.INBOXLAKE_MIN_VOLUME,
      minSeeds: 3,
    },
  } as const;
}

export type DigestConfig = ReturnType<typeof loadDigestConfig>;
