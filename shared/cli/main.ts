import { parseArgs } from 'node:util';
import * as z from 'zod';
import { openLake } from '../app/lake';
import { isTimeZone, loadLakeConfig } from '../config';
import { ConfigError, InboxlakeError } from '../core/errors';
import { redactSecrets } from '../core/redact';
import { LeaseHeldError } from '../engine/lease';
import { checkAthenaArgs, runCheckAthena } from './check-athena-command';
import { runCollect } from './collect-command';
import { runDigest } from './digest-command';
import { queryArgs, runQuery } from './query-command';
import { runSendSage } from './sendsage-command';
import { runStart } from './start-command';

const usage = `inboxlake — email reporting data into an Athena-ready lake

  inboxlake collect socketlabs [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--datasets messages,…] [--server N] [--wait]
      Collects SocketLabs reports for the inclusive UTC date range (default: the trailing days up to yesterday).
  inboxlake collect sendsage [--days N] [--wait]
      Collects SendSage Monitor delivery tests and previews of the last N days (default 14) and the seed list.
      A collection holds a lease on what it collects; when another run holds it, collect exits with code 3
      (try later), or with --wait waits for it.
  inboxlake digest [--date YYYY-MM-DD] [--timezone Area/City] [--out DIR] [--send] [--force]
      Writes the day's digest (default: yesterday in INBOXLAKE_TIMEZONE) as digest.json/.html/.txt/.eml into DIR
      (default outbox/<date>); --send sends it through SES once per date (--force sends again).
  inboxlake query "SQL"
      Runs SQL with DuckDB over the local lake; every table is visible by its name.
  inboxlake query --named NAME [--date YYYY-MM-DD]
      Runs a named query (the same SQL as the Athena named queries); --date runs it as if today (UTC) were that date.
  inboxlake query --list
      Lists the named queries with their descriptions.
  inboxlake check-athena [--workgroup NAME] [--database NAME]
      Run once after cdk deploy, with AWS credentials: checks in Athena that every deployed table reads back (count,
      min/max event time, partition, text and boolean filters; a table without data is checked on a sample file
      written under _check/ and removed). Names default to the stack's (inboxlake); exit 1 if any check fails.
  inboxlake start
      The embedded default (npm start): collects a week from the built-in API simulator, or from the real API
      when SOCKETLABS_API_KEY and SOCKETLABS_SERVER_IDS are set.

Configuration comes from the environment and an optional .env file (see README).
Exit codes: 0 success, 1 failure, 2 bad configuration or arguments, 3 another run holds the lease (try later).`;

const digestArgs = z.object({
  date: z.iso.date({ error: '--date must be a date YYYY-MM-DD' }).optional(),
  timezone: z.string().refine(isTimeZone, '--timezone must be an IANA time zone name, e.g. Europe/Paris').optional(),
  out: z.string().optional(),
  send: z.boolean().default(false),
  force: z.boolean().default(false),
});

const sendsageArgs = z.object({
  days: z.coerce
    .number({ error: '--days must be a number of days 1..365' })
    .int({ error: '--days must be a number of days 1..365' })
    .min(1, { error: '--days must be 1..365' })
    .max(365, { error: '--days must be 1..365' })
    .default(14),
  wait: z.boolean().default(false),
});

const collectArgs = z
  .object({
    source: z.literal('socketlabs', { error: "collect takes a source: 'socketlabs' or 'sendsage'" }),
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
    wait: z.boolean().default(false),
  })
  .superRefine((a, ctx) => {
    if (a.from && a.to && a.from > a.to)
      ctx.addIssue({ code: 'custom', message: `--from ${a.from} is after --to ${a.to}` });
  });

/** Every flag of every command; parseArgs is strict, so anything else is refused. */
const cliOptions = {
  from: { type: 'string' },
  to: { type: 'string' },
  datasets: { type: 'string' },
  server: { type: 'string' },
  days: { type: 'string' },
  date: { type: 'string' },
  timezone: { type: 'string' },
  out: { type: 'string' },
  send: { type: 'boolean' },
  force: { type: 'boolean' },
  named: { type: 'string' },
  list: { type: 'boolean' },
  wait: { type: 'boolean' },
  workgroup: { type: 'string' },
  database: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Flags and positionals, or a ConfigError (exit 2) naming the flag at fault in one line. */
function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: cliOptions });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new ConfigError(`unknown option ${flag}; see inboxlake --help`, { cause: error });
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const problem = /does not take an argument/.test(message) ? 'takes no value' : 'needs a value';
      throw new ConfigError(`option ${flag} ${problem}; see inboxlake --help`, { cause: error });
    }
    throw new ConfigError(message.split('\n')[0] ?? message, { cause: error });
  }
}

/** Exit code of a collection that found another run holding its lease: nothing was done, try again later. */
export const EXIT_LEASE_HELD = 3;

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(`${usage}\n`);
    return command || values.help ? 0 : 2;
  }
  const lakeConfig = loadLakeConfig(env);
  switch (command) {
    case 'collect': {
      if (rest[0] === 'sendsage') {
        const parsed = sendsageArgs.safeParse({ days: values.days, wait: values.wait });
        if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message).join('; '));
        return runSendSage(parsed.data.days, env, lakeConfig, await openLake(lakeConfig), parsed.data.wait);
      }
      const parsed = collectArgs.safeParse({ source: rest[0], ...values, days: undefined });
      if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message).join('; '));
      const a = parsed.data;
      return runCollect(
        { ...a, serverIds: a.server ? [a.server] : undefined },
        env,
        lakeConfig,
        await openLake(lakeConfig),
      );
    }
    case 'digest': {
      const parsed = digestArgs.safeParse(values);
      if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message).join('; '));
      return runDigest(parsed.data, env, lakeConfig, await openLake(lakeConfig));
    }
    case 'query': {
      const parsed = queryArgs.safeParse({
        sql: rest.join(' '),
        named: values.named,
        list: values.list,
        date: values.date,
      });
      if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message).join('; '));
      return runQuery(parsed.data, lakeConfig);
    }
    case 'start':
      return runStart(env, lakeConfig);
    case 'check-athena': {
      const parsed = checkAthenaArgs.safeParse({ workgroup: values.workgroup, database: values.database });
      if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message).join('; '));
      return runCheckAthena(parsed.data, lakeConfig);
    }
    default:
      throw new ConfigError(`unknown command '${command}'; see inboxlake --help`);
  }
}

/** The process door: .env, exit codes, redacted output, and one line for any failure. */
export async function runCli(): Promise<void> {
  try {
    process.loadEnvFile?.('.env');
  } catch {
    // no .env file: the environment alone configures the run
  }
  redactWrites(process.stdout);
  redactWrites(process.stderr);
  try {
    process.exitCode = await main(process.argv.slice(2), process.env);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const kind = error instanceof InboxlakeError ? '' : 'unexpected error: ';
    process.stderr.write(`inboxlake: ${kind}${message.split('\n')[0]}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : error instanceof LeaseHeldError ? EXIT_LEASE_HELD : 1;
  }
}

/**
 * Routes every write to a stream through the secret registry: the one place where the CLI's output (summaries,
 * progress, log lines, the failure line) leaves the process, whichever module wrote it.
 */
function redactWrites(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string') return write(redactSecrets(chunk), ...rest);
    if (!(chunk instanceof Uint8Array)) return write(chunk, ...rest);
    // Bytes are text here (no command prints binary); an encoding argument no longer applies to the string.
    const args = typeof rest[0] === 'string' ? rest.slice(1) : rest;
    return write(redactSecrets(Buffer.from(chunk).toString('utf8')), ...args);
  }) as typeof stream.write;
}
