import * as z from 'zod';
import { httpsApiUrl, schedule, secretName } from '../../core/deploy-fields';
import { ConfigError } from '../../core/errors';
import { type SourceCommand, type SourceDescriptor, startSandbox } from '../descriptor';
import { createSendSageClient } from './client';
import { hasSendSageCredentials, loadSendSageConfig, type SendSageConfig, sendsageSchema } from './config';
import { SENDSAGE, sendsageCampaignDataset, sendsagePreviewDataset, sendsageSeedlistDataset } from './datasets';
import { sendsageCampaigns, sendsageIspResults, sendsageMessages, sendsageSpamRules, sendsageTables } from './tables';

/** The SendSage Monitor secret: `{"username": "...", "password": "..."}`. */
export const sendSageSecretSchema = z.object({
  username: z.string().trim().min(1),
  password: z.string().min(1),
});

const daysMessage = { error: '--days must be a number of days 1..365' };
const collectArgs = z.object({
  days: z.coerce
    .number(daysMessage)
    .int(daysMessage)
    .min(1, { error: '--days must be 1..365' })
    .max(365, { error: '--days must be 1..365' })
    .default(14),
});
type CollectArgs = z.output<typeof collectArgs>;

const eventSchema = z.object({ days: z.number().int().min(1).max(365).optional() });

/** cdk.json's `sendsage` object; null (the default) deploys no SendSage collector. */
const deploySchema = z
  .strictObject({
    /** Secret holding `{"username": "...", "password": "..."}`. */
    secretName,
    apiUrl: httpsApiUrl.optional(),
    // Hourly, twenty minutes past the hour: away from the SocketLabs runs, though they share nothing.
    schedule: schedule.default('cron(20 * * * ? *)'),
  })
  .nullable()
  .default(null);
export type SendSageDeployment = z.output<typeof deploySchema>;

const sendsageCommand: SourceCommand<SendSageConfig, CollectArgs> = {
  name: 'sendsage',
  title: 'SendSage Monitor',
  configSchema: sendsageSchema,
  loadConfig: loadSendSageConfig,
  hasCredentials: hasSendSageCredentials,
  // The password travels in a form body, never a URL; it is still masked wherever text could carry it.
  secretsOf: (config) => [config.password],
  timeoutMs: (config) => config.timeoutMs,
  secret: {
    arnVariable: 'SENDSAGE_SECRET_ARN',
    schema: sendSageSecretSchema,
    fields: { SENDSAGE_USERNAME: 'username', SENDSAGE_PASSWORD: 'password' },
  },
  cli: {
    usage: `  inboxlake collect sendsage [--days N] [--wait]
      Collects SendSage Monitor delivery tests and previews of the last N days (default 14) and the seed list.`,
    options: { days: { type: 'string' } },
    parse: (values) => {
      const parsed = collectArgs.safeParse({ days: values.days });
      if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message).join('; '));
      return parsed.data;
    },
    request: (args) => ({ days: args.days }),
    header: (_config, request, location) =>
      `collecting SendSage Monitor, the last ${request.days} days, into ${location}`,
  },
  lambda: {
    eventSchema,
    // Two days by default: a schedule runs often, and a test finishes within hours of being sent.
    request: (event: z.output<typeof eventSchema>) => ({ days: event.days ?? 2 }),
    // Enough to finish the campaign in hand and report.
    reserveMs: 30_000,
  },
  start: {
    real: 'SendSage credentials found: collecting the last 7 days from the real API.',
    request: () => ({ days: 7 }),
    // The simulator loads only here (shared/sandbox/start): it has no place in a Lambda bundle.
    sandbox: (env, now) => startSandbox('sendsage', env, now),
  },
  deploy: {
    schema: deploySchema,
    collectors: (value: SendSageDeployment) =>
      value
        ? [
            {
              id: 'SendSage',
              label: 'sendsage',
              account: 'sendsage',
              source: SENDSAGE,
              description: 'inboxlake: SendSage Monitor collection',
              schedule: value.schedule,
              secretName: value.secretName,
              environment: value.apiUrl ? { SENDSAGE_API_URL: value.apiUrl } : ({} as Record<string, string>),
              memorySize: 512,
            },
          ]
        : [],
    noDataHours: 48,
  },
};

/** SendSage Monitor: inbox-placement tests listed, then fetched whole once done; previews; the seed list. */
export const sendsage: SourceDescriptor<SendSageConfig> = {
  name: SENDSAGE,
  command: sendsageCommand,
  tables: sendsageTables,
  digest: {
    placement: {
      campaigns: sendsageCampaigns,
      ispResults: sendsageIspResults,
      spamRules: sendsageSpamRules,
      messages: sendsageMessages,
    },
  },
  collection: {
    kind: 'items',
    open: (config, request, ctx) => {
      const client = createSendSageClient({
        apiUrl: config.apiUrl,
        username: config.username,
        password: config.password,
        timeoutMs: config.timeoutMs,
        call: ctx.caller(ctx.budget('default', config.requestsPerSecond)),
      });
      const options = { days: request.days, messages: config.messages, now: () => ctx.clock.now() };
      return {
        // The seed list first: it is one call, and a login failure then stops the run before anything is written.
        datasets: [
          sendsageSeedlistDataset(client, options),
          sendsageCampaignDataset(client, options),
          sendsagePreviewDataset(client, options),
        ],
        concurrency: config.concurrency,
      };
    },
  },
};
