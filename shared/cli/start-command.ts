import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { openLake } from '../app/lake';
import { hasSocketLabsCredentials, type LakeConfig } from '../config';
import { DAY_MS, utcDay } from '../engine/windows';
import { startV1Simulator } from '../sandbox/socketlabs-v1/server';
import { runCollect } from './collect-command';

/** Servers and rate of the embedded simulator. */
const SANDBOX_SERVERS = [1234, 5678];
/**
 * The real v1 API allows about 1 call/s; the embedded run lets its simulator allow 20/s so that a week of synthetic
 * data lands in seconds. The client is configured with the same rate, so the budget logic runs exactly as in production.
 */
const SANDBOX_REQUESTS_PER_SECOND = 20;

/** `npm start`: a week from the real API when credentials are set, else from the built-in simulator on loopback. */
export async function runStart(env: Record<string, string | undefined>, lake: LakeConfig): Promise<number> {
  const now = Date.now();
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const week = { from: utcDay(today - 7 * DAY_MS), to: utcDay(today - DAY_MS) };
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const store = await openLake(lake);

  if (hasSocketLabsCredentials(env)) {
    out('SocketLabs credentials found: collecting the last 7 days from the real API.');
    return runCollect(week, env, lake, store);
  }

  const username = 'sandbox';
  const apiKey = randomBytes(18).toString('base64url');
  const sim = await startV1Simulator({
    serverIds: SANDBOX_SERVERS,
    // One day either side of the week, so records on the window edges exist as they would in real data.
    from: utcDay(today - 8 * DAY_MS),
    to: utcDay(today),
    username,
    apiKey,
    requestsPerSecond: SANDBOX_REQUESTS_PER_SECOND,
    burst: 2,
  });
  out(`No SocketLabs credentials in the environment: using the built-in v1 API simulator at ${sim.url}`);
  try {
    const code = await runCollect(
      week,
      {
        ...env,
        SOCKETLABS_API_URL: sim.url,
        SOCKETLABS_USERNAME: username,
        SOCKETLABS_API_KEY: apiKey,
        SOCKETLABS_SERVER_IDS: SANDBOX_SERVERS.join(','),
        SOCKETLABS_REQUESTS_PER_SECOND: String(SANDBOX_REQUESTS_PER_SECOND),
      },
      lake,
      store,
    );
    if (code === 0 && !lake.location.startsWith('s3://')) {
      out('');
      out(`The lake is in ${resolve(lake.location)}. Try:`);
      out(
        '  npx inboxlake query "select failure_type_name, count(*) as n from socketlabs_failed group by 1 order by n desc"',
      );
      out('  npx inboxlake query "select dt, server_id, count(*) from socketlabs_processed group by all order by all"');
    }
    return code;
  } finally {
    await sim.close();
  }
}
