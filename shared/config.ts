import { tmpdir } from 'node:os';
import * as z from 'zod';
import { parseEnv } from './core/env';
import { ConfigError } from './core/errors';
import { thresholdEnvShape, thresholdsFromEnv } from './digest/thresholds';
import { lakeLocationProblem } from './lake/open-store';
import { dtProjectionStartSchema } from './lake/projection';

/**
 * Configuration from the environment, parsed once at the door (CLI, Lambda) with zod; domain code receives the
 * typed result. Every error names the variable.
 */
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

export type LakeConfig = ReturnType<typeof toLakeConfig>;

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

/** Where and how the lake is written. */
export function loadLakeConfig(env: Record<string, string | undefined> = process.env) {
  return toLakeConfig(parseEnv(lakeSchema, env));
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
  ...thresholdEnvShape,
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
    thresholds: thresholdsFromEnv(e),
  } as const;
}

export type DigestConfig = ReturnType<typeof loadDigestConfig>;
