import { type ParseArgsConfig, parseArgs } from 'node:util';
import * as z from 'zod';
import { openLake } from '../app/lake';
import { isTimeZone, loadLakeConfig } from '../config';
import { ConfigError, InboxlakeError } from '../core/errors';
import { redactSecrets } from '../core/redact';
import { LeaseHeldError } from '../engine/lease';
import { commandsOf, type Registry, sources } from '../sources';
import { alertsArgs, runAlerts } from './alerts-command';
import { checkAthenaArgs, runCheckAthena } from './check-athena-command';
import { runCollect } from './collect-command';
import { runDigest } from './digest-command';
import { queryArgs, runQuery } from './query-command';
import { runStart } from './start-command';

/** `inboxlake --help`: the commands, with one `collect <source>` entry per source of the registry. */
const usage = (registry: Registry) => `inboxlake — email reporting data into an Athena-ready lake

${commandsOf(registry)
  .map((c) => c.cli.usage)
  .join('\n')}
      A collection holds a lease on what it collects; when another run holds it, collect exits with code 3
      (try later), or with --wait waits for it.
  inboxlake digest [--date YYYY-MM-DD] [--timezone Area/City] [--out DIR] [--send] [--force]
      Writes the day's digest (default: yesterday in INBOXLAKE_TIMEZONE) as digest.json/.html/.txt/.eml into DIR
      (default outbox/<date>); --send sends it through SES once per date (--force sends again).
  inboxlake alerts [--at ISO] [--out DIR] [--send]
      Evaluates the intraday alerts now (or at the given instant): bounce-rate and complaint-rate spikes, block-code
      surges at a recipient domain and silent servers over the last 1 h and 3 h of closed quarter-hours, against the
      same hours of the previous 7 days. Prints the open alerts and writes alerts.json into DIR (default outbox/alerts).
      --send posts each new, reminded and resolved alert to INBOXLAKE_ALERT_WEBHOOK_URL (Slack, Teams or Google Chat,
      from its host or INBOXLAKE_ALERT_WEBHOOK_KIND) and publishes it to INBOXLAKE_ALERT_TOPIC_ARN when set.
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

/** Every flag of every command (the sources' own from the registry); parseArgs is strict, so anything else is refused. */
const commonOptions = {
  date: { type: 'string' },
  at: { type: 'string' },
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

type CommonValues = {
  [K in keyof typeof commonOptions]?: (typeof commonOptions)[K]['type'] extends 'string' ? string : boolean;
};

const cliOptions = (registry: Registry): ParseArgsConfig['options'] =>
  Object.assign({}, ...commandsOf(registry).map((c) => c.cli.options), commonOptions);

/** Flags and positionals, or a ConfigError (exit 2) naming the flag at fault in one line. */
function parseCommandLine(argv: string[], registry: Registry) {
  try {
    const parsed = parseArgs({ args: argv, allowPositionals: true, options: cliOptions(registry) });
    return { ...parsed, values: parsed.values as typeof parsed.values & CommonValues };
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

/** Runs the CLI; returns the process exit code. The registry says which sources `collect` and `start` know. */
export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
  registry: Registry = sources,
): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, registry);
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(`${usage(registry)}\n`);
    return command || values.help ? 0 : 2;
  }
  const lakeConfig = loadLakeConfig(env);
  switch (command) {
    case 'collect': {
      const commands = commandsOf(registry);
      const source = commands.find((c) => c.name === rest[0]);
      if (!source) {
        throw new ConfigError(`collect takes a source: ${commands.map((c) => `'${c.name}'`).join(' or ')}`);
      }
      const args = source.cli.parse(values);
      return runCollect(source, args, values.wait ?? false, env, lakeConfig, await openLake(lakeConfig), registry);
    }
    case 'digest': {
      const parsed = digestArgs.safeParse(values);
      if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message).join('; '));
      return runDigest(parsed.data, env, lakeConfig, await openLake(lakeConfig));
    }
    case 'alerts': {
      const parsed = alertsArgs.safeParse({ at: values.at, out: values.out, send: values.send });
      if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message).join('; '));
      return runAlerts(parsed.data, await openLake(lakeConfig), env);
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
      return runStart(env, lakeConfig, registry);
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
