import * as z from 'zod';
import { httpsApiUrl, schedule, secretName, slug } from '../../core/deploy-fields';
import { ConfigError } from '../../core/errors';
import { DAY_MS, utcDay } from '../../core/windows';
import { trailingRange } from '../../engine/plan';
import {
  DEFAULT_REREAD_AFTER,
  EVERY_RUN_TRAILING_DAYS,
  rereadAfterSchema,
  scheduledRange,
} from '../../engine/reread-schedule';
import { type SourceCommand, startSandbox, type WindowedRequest } from '../descriptor';
import { hasSocketLabsCredentials, loadSocketLabsConfig, type SocketLabsConfig, socketlabsSchema } from './config';

/**
 * `socketlabs`: what the two SocketLabs generations share — one command (`inboxlake collect socketlabs`), one set of
 * SOCKETLABS_* variables, one secret, one `socketlabs` list in cdk.json. The API URL's /v1 or /v2 picks the
 * generation; each generation is its own descriptor (its tables, datasets, state), see socketlabs-v1 and -v2.
 */

/** The SocketLabs secret: `{"apiKey": "...", "username": "..."}`; the username only for the v1 Reporting API. */
export const socketLabsSecretSchema = z.object({
  apiKey: z.string().trim().min(1),
  username: z.string().trim().min(1).optional(),
});

/** Default API base URLs (shared/api-docs: the v1 Reporting API guide; the v2 API reference). */
export const socketlabsDefaultApiUrl = {
  v1: 'https://api.socketlabs.com/v1',
  v2: 'https://api.socketlabs.com/v2',
} as const;

const collectArgs = z
  .object({
    from: z.iso.date({ error: '--from must be a date YYYY-MM-DD' }).optional(),
    to: z.iso.date({ error: '--to must be a date YYYY-MM-DD' }).optional(),
    datasets: z
      .string()
      .optional()
      .transform((s) =>
        s
          ?.split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    server: z.coerce
      .number({ error: '--server must be a numeric server id' })
      .int({ error: '--server must be a numeric server id' })
      .positive({ error: '--server must be a numeric server id' })
      .optional(),
  })
  .superRefine((a, ctx) => {
    if (a.from && a.to && a.from > a.to)
      ctx.addIssue({ code: 'custom', message: `--from ${a.from} is after --to ${a.to}` });
  });
type CollectArgs = z.output<typeof collectArgs>;

/** What a schedule or an operator may put in the event; everything else EventBridge sends is ignored. */
const eventSchema = z
  .object({
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    datasets: z.array(z.string()).optional(),
    serverIds: z.array(z.number().int().positive()).optional(),
  })
  .refine((e) => (e.from === undefined) === (e.to === undefined), 'give both from and to, or neither');

const accountSchema = z
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
    /** When a scheduled run reads a window again (INBOXLAKE_REREAD_AFTER), checked here as the function would. */
    /** Replaced by rereadAfter: named, so an old cdk.json says what to write instead of "unrecognized key". */
    trailingDays: z
      .never({ error: 'is replaced by \'rereadAfter\' (e.g. "1h,6h,24h,48h", or "every-run" for the old behaviour)' })
      .optional(),
    rereadAfter: z
      .string()
      .default(DEFAULT_REREAD_AFTER)
      .refine((s) => rereadAfterSchema.safeParse(s).success, {
        error: (issue) =>
          rereadAfterSchema.safeParse(issue.input).error?.issues[0]?.message ?? 'not a re-read schedule',
      }),
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
export type SocketLabsAccount = z.output<typeof accountSchema>;

/** The `socketlabs` list of cdk.json: one account (API key) per entry; a server belongs to one account. */
const accountsSchema = z
  .array(accountSchema)
  .default([])
  .superRefine((accounts, ctx) => {
    const names = new Map<string, number>();
    const owner = new Map<number, number>();
    accounts.forEach((a, i) => {
      if (names.has(a.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate account name '${a.name}'` });
      names.set(a.name, i);
      a.serverIds.forEach((id, j) => {
        const first = owner.get(id);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'serverIds', j],
            message: `server ${id} is already listed under socketlabs[${first}]; a server belongs to one account`,
          });
        }
        owner.set(id, i);
      });
    });
  });

/** What a SocketLabs collector reads besides its secret (contract with shared/config.ts). */
export function socketlabsEnvironment(account: SocketLabsAccount): Record<string, string> {
  return {
    SOCKETLABS_API_URL: account.apiUrl ?? socketlabsDefaultApiUrl[account.apiGeneration],
    SOCKETLABS_SERVER_IDS: account.serverIds.join(','),
    INBOXLAKE_REREAD_AFTER: account.rereadAfter,
  };
}

/**
 * A week up to today: today's closed hours too, as yesterday's digest in a zone west of UTC ends within today.
 * Scheduled: on a lake that has it, only what the re-read schedule has due is read again.
 */
function week(now: number): WindowedRequest {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return { from: utcDay(today - 7 * DAY_MS), to: utcDay(today), scheduled: true };
}

/** An explicit range is a backfill (read what is asked); none is a scheduled run (what the schedule has due). */
function rangeOf(
  asked: { from?: string; to?: string },
  config: SocketLabsConfig,
  now: number,
): Pick<WindowedRequest, 'from' | 'to' | 'scheduled'> {
  if (asked.from || asked.to) {
    const range =
      asked.from && asked.to ? { from: asked.from, to: asked.to } : trailingRange(now, EVERY_RUN_TRAILING_DAYS);
    return { from: asked.from ?? range.from, to: asked.to ?? range.to };
  }
  return { ...scheduledRange(now, config.reread), scheduled: true };
}

export const socketlabsCommand: SourceCommand<SocketLabsConfig, CollectArgs> = {
  name: 'socketlabs',
  title: 'SocketLabs',
  configSchema: socketlabsSchema,
  loadConfig: loadSocketLabsConfig,
  hasCredentials: hasSocketLabsCredentials,
  secretsOf: (config) => [config.apiKey],
  timeoutMs: (config) => config.timeoutMs,
  secret: {
    arnVariable: 'SOCKETLABS_SECRET_ARN',
    schema: socketLabsSecretSchema,
    fields: { SOCKETLABS_API_KEY: 'apiKey', SOCKETLABS_USERNAME: 'username' },
  },
  cli: {
    usage: `  inboxlake collect socketlabs [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--datasets messages,…] [--server N] [--wait]
      Collects SocketLabs reports for the inclusive UTC date range (a backfill); without a range, the windows the
      re-read schedule (INBOXLAKE_REREAD_AFTER) has due, as a scheduled run does.`,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      datasets: { type: 'string' },
      server: { type: 'string' },
    },
    parse: (values) => {
      const parsed = collectArgs.safeParse(values);
      if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message).join('; '));
      return parsed.data;
    },
    request: (args, config, now) => {
      return {
        ...rangeOf(args, config, now),
        datasets: args.datasets,
        serverIds: args.server ? [args.server] : undefined,
      };
    },
    header: (config, request, location) =>
      `collecting SocketLabs ${config.generation} ${request.from} → ${request.to} into ${location}`,
  },
  lambda: {
    eventSchema,
    request: (event: z.output<typeof eventSchema>, config, now) => {
      return { ...rangeOf(event, config, now), datasets: event.datasets, serverIds: event.serverIds };
    },
    // Enough to finish the page in hand, publish and report.
    reserveMs: 60_000,
  },
  start: {
    real: 'SocketLabs credentials found: collecting the last 7 days from the real API.',
    request: week,
    // The simulators load only here (shared/sandbox/start): they have no place in a Lambda bundle.
    sandbox: (env, now) => startSandbox('socketlabs', env, now),
  },
  deploy: {
    schema: accountsSchema,
    collectors: (accounts: SocketLabsAccount[]) =>
      accounts.map((account) => ({
        id: `SocketLabs-${account.name}`,
        label: `socketlabs-${account.name}`,
        account: account.name,
        source: `socketlabs-${account.apiGeneration}`,
        description: `inboxlake: SocketLabs ${account.apiGeneration} collection for account ${account.name}`,
        schedule: account.schedule,
        secretName: account.secretName,
        environment: socketlabsEnvironment(account),
        memorySize: 1024,
        // v2 CSV downloads (up to 500,000 rows a page) are spooled to /tmp before they are mapped.
        ephemeralStorageMiB: 2048,
        partitionValues: { server_id: account.serverIds },
      })),
    noDataHours: 6,
  },
};

/**
 * SocketLabs kept 90 days (v1 guide, "Data Retention and Availability"); v2 plans may keep fewer, which the API
 * answers with an error that skips those days (OutsideHistoryError).
 */
export const SOCKETLABS_RETENTION_DAYS = 90;
