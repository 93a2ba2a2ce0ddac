import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONTEXT_KEY,
  cdkJsonContext,
  DeploymentConfigError,
  exampleDeploymentConfig,
  parseDeploymentConfig,
} from '../../infra/config';
import { dailyAt, describeSchedule } from '../../infra/schedules';
import type { Json } from './synth';

/** The committed example, cloned so each case changes its own copy. */
const example = () => structuredClone(cdkJsonContext()[CONTEXT_KEY]) as Record<string, Json>;

function errorOf(raw: unknown): string {
  try {
    parseDeploymentConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('deployment config (cdk.json context "inboxlake")', () => {
  it('parses the committed example, filling the defaults', () => {
    const config = exampleDeploymentConfig();
    expect(config.socketlabs.map((a) => [a.name, a.apiGeneration, a.serverIds])).toEqual([
      ['main', 'v2', [10001, 10002]],
      ['legacy', 'v1', [20001]],
    ]);
    expect(config.format).toBe('parquet');
    expect(config.digest.sesSandbox).toBe(false);
  });

  it.each(['README.md', 'docs/deploy.md'])('parses the example shown in %s', (file) => {
    const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
    const block = /```json\n"inboxlake": (\{[\s\S]*?\n\})\n```/.exec(text);
    expect(block, `a \`"inboxlake": {…}\` JSON block in ${file}`).not.toBeNull();
    const config = parseDeploymentConfig(JSON.parse(block![1]!));
    expect(config.socketlabs[0]!.name).toBe('main');
  });

  it('fills defaults for a minimal config', () => {
    const config = parseDeploymentConfig({
      socketlabs: [{ name: 'acme', secretName: 'acme/socketlabs', serverIds: [1] }],
      timeZone: 'UTC',
      digest: { from: 'a@example.com', to: ['b@example.com'], localTime: '06:00', sesIdentity: 'example.com' },
    });
    expect(config.socketlabs[0]).toMatchObject({
      apiGeneration: 'v2',
      schedule: 'cron(5 * * * ? *)',
      rereadAfter: '1h,6h,24h,48h',
    });
    expect(config).toMatchObject({
      sendsage: null,
      format: 'parquet',
      retentionDays: null,
      logRetentionDays: 30,
      noDataHours: { socketlabs: 6, sendsage: 48 },
      athena: { bytesScannedCutoffPerQuery: 10_000_000_000 },
      tracing: false,
    });
  });

  const cases: { name: string; change: (c: Record<string, Json>) => void; error: string }[] = [
    {
      name: 'server ids that are not numbers',
      change: (c) => {
        c.socketlabs[0].serverIds = ['10001'];
      },
      error: 'inboxlake.socketlabs[0].serverIds[0]: Invalid input: expected number',
    },
    {
      name: 'no server ids',
      change: (c) => {
        c.socketlabs[1].serverIds = [];
      },
      error: 'inboxlake.socketlabs[1].serverIds: expected at least one server id',
    },
    {
      name: 'a server listed under two accounts',
      change: (c) => {
        c.socketlabs[1].serverIds = [10002];
      },
      error: 'inboxlake.socketlabs[1].serverIds[0]: server 10002 is already listed under socketlabs[0]',
    },
    {
      name: 'duplicate account names',
      change: (c) => {
        c.socketlabs[1].name = 'main';
      },
      error: "inboxlake.socketlabs[1].name: duplicate account name 'main'",
    },
    {
      name: 'an account name that is not a slug',
      change: (c) => {
        c.socketlabs[0].name = 'Main Account';
      },
      error: 'inboxlake.socketlabs[0].name: expected a slug',
    },
    {
      name: 'an API URL of the other generation',
      change: (c) => {
        c.socketlabs[1].apiUrl = 'https://api.socketlabs.com/v2';
      },
      error: 'inboxlake.socketlabs[1].apiUrl: expected a URL ending in /v1',
    },
    {
      name: 'a SocketLabs API URL that is not https',
      change: (c) => {
        c.socketlabs[0].apiUrl = 'http://api.socketlabs.com/v2';
      },
      error: 'inboxlake.socketlabs[0].apiUrl: expected an https:// URL',
    },
    {
      name: 'a SendSage API URL that is not https',
      change: (c) => {
        c.sendsage.apiUrl = 'http://monitor.drh.net/api.php';
      },
      error: 'inboxlake.sendsage.apiUrl: expected an https:// URL',
    },
    {
      name: 'an API URL carrying credentials',
      change: (c) => {
        c.socketlabs[0].apiUrl = 'https://user:Pa55word@api.socketlabs.com/v2';
      },
      error: 'inboxlake.socketlabs[0].apiUrl: must not carry user:password@',
    },
    {
      name: 'a re-read schedule whose delays do not increase',
      change: (c) => {
        c.socketlabs[0].rereadAfter = '6h,1h';
      },
      error: "inboxlake.socketlabs[0].rereadAfter: delays must increase; '1h' is not after the one before it",
    },
    {
      name: "an old config's trailingDays (replaced by rereadAfter)",
      change: (c) => {
        (c.socketlabs[0] as Record<string, unknown>).trailingDays = 2;
      },
      error: "inboxlake.socketlabs[0].trailingDays: is replaced by 'rereadAfter'",
    },
    {
      name: 'a schedule that is not a Scheduler expression',
      change: (c) => {
        c.sendsage.schedule = '0 * * * *';
      },
      error: 'inboxlake.sendsage.schedule: expected an EventBridge Scheduler expression',
    },
    {
      name: 'a secret name with a random-suffix look',
      change: (c) => {
        c.socketlabs[0].secretName = 'inboxlake/main-AbC123';
      },
      error: 'inboxlake.socketlabs[0].secretName: must not end in a hyphen followed by six characters',
    },
    {
      name: 'an unknown time zone',
      change: (c) => {
        c.timeZone = 'Europe/Atlantis';
      },
      error: 'inboxlake.timeZone: expected an IANA time zone',
    },
    {
      name: "format 'both'",
      change: (c) => {
        c.format = 'both';
      },
      error: "inboxlake.format: expected 'parquet' or 'csv' ('both' is for local lakes only: Athena reads one format",
    },
    {
      name: 'a digest time that is not HH:MM',
      change: (c) => {
        c.digest.localTime = '7:30';
      },
      error: 'inboxlake.digest.localTime: expected a local time HH:MM',
    },
    {
      name: 'a sender outside the SES identity',
      change: (c) => {
        c.digest.from = 'digest@other.example.org';
      },
      error: "inboxlake.digest.sesIdentity: the identity 'mail.example.com' does not cover the sender",
    },
    {
      name: 'a recipient that is not an address',
      change: (c) => {
        c.digest.to = ['ops'];
      },
      error: 'inboxlake.digest.to[0]: expected an e-mail address',
    },
    {
      name: 'a threshold out of range',
      change: (c) => {
        c.digest.thresholds.bounceWarn = 2;
      },
      error: 'inboxlake.digest.thresholds.bounceWarn:',
    },
    {
      name: 'a log retention CloudWatch does not offer',
      change: (c) => {
        c.logRetentionDays = 10;
      },
      error: "inboxlake.logRetentionDays: expected one of CloudWatch's retention periods",
    },
    {
      name: 'a retention shorter than SocketLabs keeps',
      change: (c) => {
        c.retentionDays = 30;
      },
      error: 'inboxlake.retentionDays: expected at least 90',
    },
    {
      name: 'an Athena scan cap under its minimum',
      change: (c) => {
        c.athena.bytesScannedCutoffPerQuery = 1000;
      },
      error: 'inboxlake.athena.bytesScannedCutoffPerQuery:',
    },
    {
      name: 'an unknown field (a typo)',
      change: (c) => {
        c.digest.recipients = c.digest.to;
      },
      error: 'inboxlake.digest: Unrecognized key: "recipients"',
    },
    {
      name: 'no source at all',
      change: (c) => {
        c.socketlabs = [];
        c.sendsage = null;
      },
      error: 'inboxlake.socketlabs: configure at least one source',
    },
    {
      name: 'a KMS alias instead of a key ARN for the secrets',
      change: (c) => {
        c.secretsKmsKeyArn = 'arn:aws:kms:eu-west-1:123456789012:alias/secrets';
      },
      error: 'inboxlake.secretsKmsKeyArn: expected a KMS key ARN',
    },
    {
      name: 'a missing digest',
      change: (c) => {
        delete c.digest;
      },
      error: 'inboxlake.digest:',
    },
  ];

  it.each(cases)('refuses $name, naming the field', ({ change, error }) => {
    const raw = example();
    change(raw);
    expect(errorOf(raw)).toContain(error);
  });

  it('lists every problem at once', () => {
    const raw = example();
    raw.timeZone = 'Nowhere';
    raw.format = 'xml';
    const message = errorOf(raw);
    expect(message).toContain('inboxlake.timeZone:');
    expect(message).toContain('inboxlake.format:');
  });

  it('says where to put the config when it is missing', () => {
    expect(errorOf(undefined)).toMatch(/inboxlake: missing; add an "inboxlake" object to cdk.json's context/);
  });
});

describe('schedules in words', () => {
  it.each([
    ['cron(5 * * * ? *)', 'every hour at minute 05'],
    ['cron(30 7 * * ? *)', 'every day at 07:30 Europe/Berlin'],
    ['rate(15 minutes)', 'every 15 minutes'],
    ['cron(0 8 ? * MON-FRI *)', 'cron(0 8 ? * MON-FRI *) in Europe/Berlin'],
  ])('%s → %s', (expression, words) => {
    expect(describeSchedule(expression, 'Europe/Berlin')).toBe(words);
  });

  it('turns a local time into a daily cron', () => {
    expect(dailyAt('07:30')).toBe('cron(30 7 * * ? *)');
    expect(dailyAt('00:05')).toBe('cron(5 0 * * ? *)');
  });
});
