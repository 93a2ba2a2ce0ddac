import * as z from 'zod';
import { apiUrl, controlMessage, latin1, noControlCharacters, parseEnv, positiveIntList } from '../../core/env';
import { ConfigError } from '../../core/errors';
import { registerSecret } from '../../core/redact';
import { DEFAULT_REREAD_AFTER, rereadAfterSchema } from '../../engine/reread-schedule';

/** SOCKETLABS_*: the settings both SocketLabs generations read (the URL's /v1 or /v2 picks the generation). */
export const socketlabsSchema = z.object({
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
  /** When a scheduled run reads a window again (shared/engine/reread-schedule.ts). */
  INBOXLAKE_REREAD_AFTER: rereadAfterSchema.default(rereadAfterSchema.parse(DEFAULT_REREAD_AFTER)),
  /** Replaced by INBOXLAKE_REREAD_AFTER: refused rather than silently ignored. */
  INBOXLAKE_TRAILING_DAYS: z
    .never({ error: 'is replaced by INBOXLAKE_REREAD_AFTER (e.g. 1h,6h,24h,48h, or every-run for the old behaviour)' })
    .optional(),
  INBOXLAKE_MAX_ROWS_PER_WINDOW: z.coerce.number().int().min(500).default(100_000),
});

export type SocketLabsConfig = ReturnType<typeof toSocketLabsConfig>;

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
    reread: e.INBOXLAKE_REREAD_AFTER,
    maxRowsPerWindow: e.INBOXLAKE_MAX_ROWS_PER_WINDOW,
  } as const;
}

/** SocketLabs credentials, servers and limits. */
export function loadSocketLabsConfig(env: Record<string, string | undefined> = process.env) {
  return toSocketLabsConfig(parseEnv(socketlabsSchema, env));
}

/** Whether the environment carries SocketLabs credentials (else `npm start` uses the embedded simulator). */
export function hasSocketLabsCredentials(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.SOCKETLABS_API_KEY && env.SOCKETLABS_SERVER_IDS);
}
