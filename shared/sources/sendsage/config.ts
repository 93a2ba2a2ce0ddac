import * as z from 'zod';
import { apiUrl, controlMessage, noControlCharacters, parseEnv } from '../../core/env';
import { registerSecret } from '../../core/redact';

/** SENDSAGE_*: SendSage Monitor's settings. */
export const sendsageSchema = z.object({
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
