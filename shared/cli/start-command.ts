import { join, resolve } from 'node:path';
import type { AlertThresholds } from '../alerts/thresholds';
import { loadAlertThresholds } from '../app/alert-config';
import { produceAlerts } from '../app/alerts';
import { produceDigest } from '../app/digest';
import { openLake } from '../app/lake';
import { type LakeConfig, loadDigestConfig } from '../config';
import { createRedactor } from '../core/redact';
import { yesterdayIn } from '../digest/day';
import { collectedUntil } from '../engine/plan';
import type { ObjectStore } from '../lake/object-store';
import { createLogger } from '../log';
import { commandsOf, type Registry, sources } from '../sources';
import type { SourceCommand } from '../sources/descriptor';
import { printAlerts } from './alerts-command';
import { collectWithProgress } from './collect-command';

/**
 * `npm start`: a week of every source's data — from the real APIs where credentials are set, else from the built-in
 * simulators on loopback (for SocketLabs: API v2, or the v1 Reporting API with INBOXLAKE_SANDBOX=v1) — then
 * yesterday's digest and the intraday alerts at the end of the collected hours. The sources and their simulators come
 * from the registry.
 */
export async function runStart(
  env: Record<string, string | undefined>,
  lake: LakeConfig,
  registry: Registry = sources,
): Promise<number> {
  // Read first: a bad threshold is exit 2 now, not after a week of collection.
  const thresholds = loadAlertThresholds(env);
  const store = await openLake(lake);
  const codes: number[] = [];
  for (const command of commandsOf(registry)) {
    codes.push(await startSource(command, env, lake, store, registry));
    process.stdout.write('\n');
  }
  codes.push(await writeDigest(env, store));
  process.stdout.write('\n');
  codes.push(await writeAlerts(thresholds, store, registry));
  return codes.find((c) => c !== 0) ?? 0;
}

/** One source: the real API with credentials, else its simulator; query hints after a local collection. */
async function startSource(
  command: SourceCommand,
  env: Record<string, string | undefined>,
  lake: LakeConfig,
  store: ObjectStore,
  registry: Registry,
): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const now = Date.now();
  if (command.hasCredentials(env)) {
    out(command.start.real);
    return collectWithProgress(
      command,
      command.loadConfig(env),
      command.start.request(now),
      false,
      lake,
      store,
      registry,
    );
  }
  const sandbox = await command.start.sandbox(env, now);
  out(sandbox.banner);
  try {
    const config = command.loadConfig({ ...env, ...sandbox.env });
    const code = await collectWithProgress(command, config, command.start.request(now), false, lake, store, registry);
    if (code === 0 && !lake.location.startsWith('s3://')) for (const line of sandbox.hints(lake.location)) out(line);
    return code;
  } finally {
    await sandbox.close();
  }
}

/** Yesterday's digest into ./outbox/<date>/ (not sent: that is `inboxlake digest --send`). */
async function writeDigest(env: Record<string, string | undefined>, store: ObjectStore) {
  const config = loadDigestConfig(env);
  const date = yesterdayIn(config.timeZone);
  const outDir = resolve(`outbox/${date}`);
  const result = await produceDigest(
    store,
    config,
    { date, timeZone: config.timeZone, outDir, send: false, force: false },
    { now: Date.now },
  );
  process.stdout.write(
    `Digest for ${date} (${config.timeZone}): ${result.subject}\n  ${join(outDir, 'digest.html')}\n`,
  );
  return 0;
}

/**
 * The intraday alerts where the collection ended (today's last settled hour), into ./outbox/alerts/, printed as
 * `inboxlake alerts` prints them: evaluated at the wall clock instead, their windows would reach into the hour not
 * collected yet and read it as a server gone silent.
 */
async function writeAlerts(thresholds: AlertThresholds, store: ObjectStore, registry: Registry) {
  const at = collectedUntil(Date.now());
  const result = await produceAlerts(
    store,
    { at, outDir: resolve('outbox/alerts'), thresholds },
    { log: createLogger({ redact: createRedactor([]), json: false }), registry },
  );
  process.stdout.write('Intraday alerts at the end of the collected hours:\n');
  printAlerts(result);
  return 0;
}
