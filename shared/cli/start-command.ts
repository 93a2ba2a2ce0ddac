import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { produceDigest } from '../app/digest';
import { openLake } from '../app/lake';
import { hasSendSageCredentials, hasSocketLabsCredentials, type LakeConfig, loadDigestConfig } from '../config';
import { DAY_MS, utcDay } from '../core/windows';
import { yesterdayIn } from '../digest/day';
import type { ObjectStore } from '../lake/object-store';
import { startSendSageSimulator } from '../sandbox/sendsage/server';
import { startV1Simulator } from '../sandbox/socketlabs-v1/server';
import { startV2Simulator } from '../sandbox/socketlabs-v2/server';
import { runCollect } from './collect-command';
import { runSendSage } from './sendsage-command';

const SANDBOX_SERVERS = [1234, 5678];
/**
 * The simulators run faster than the real limits so that a week lands in seconds; the client is told the same rate,
 * so its budgets work exactly as in production. v1: 20 calls/s instead of ~1. v2: the per-minute limits × 10.
 */
const V1_SANDBOX_RATE = 20;
const V2_SANDBOX_SCALE = 10;

/**
 * `npm start`: a week of SocketLabs and SendSage data — from the real APIs where credentials are set, else from the
 * built-in simulators on loopback (SocketLabs API v2, or the v1 Reporting API with INBOXLAKE_SANDBOX=v1).
 */
export async function runStart(env: Record<string, string | undefined>, lake: LakeConfig): Promise<number> {
  const store = await openLake(lake);
  const socketlabs = await startSocketLabs(env, lake, store);
  process.stdout.write('\n');
  const sendsage = await startSendSage(env, lake, store);
  process.stdout.write('\n');
  const digest = await writeDigest(env, store);
  return socketlabs || sendsage || digest;
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

/** SendSage: the last 7 days from the real API with credentials, else from the built-in simulator. */
async function startSendSage(env: Record<string, string | undefined>, lake: LakeConfig, store: ObjectStore) {
  if (hasSendSageCredentials(env)) {
    process.stdout.write('SendSage credentials found: collecting the last 7 days from the real API.\n');
    return runSendSage(7, env, lake, store);
  }
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const password = randomBytes(18).toString('base64url');
  const sim = await startSendSageSimulator({
    from: utcDay(today - 7 * DAY_MS),
    to: utcDay(today),
    username: 'sandbox',
    password,
    campaignsPerDay: 3,
  });
  process.stdout.write(
    `No SendSage credentials in the environment: using the built-in SendSage Monitor simulator at ${sim.url}\n`,
  );
  try {
    const code = await runSendSage(
      7,
      {
        ...env,
        SENDSAGE_API_URL: sim.url,
        SENDSAGE_USERNAME: 'sandbox',
        SENDSAGE_PASSWORD: password,
        SENDSAGE_REQUESTS_PER_SECOND: '50',
      },
      lake,
      store,
    );
    if (code === 0 && !lake.location.startsWith('s3://')) {
      process.stdout.write(
        '  npx inboxlake query "select isp_name, round(avg(pct_inbox), 1) as inbox_pct from sendsage_isp_results group by 1 order by 2"\n',
      );
    }
    return code;
  } finally {
    await sim.close();
  }
}

async function startSocketLabs(env: Record<string, string | undefined>, lake: LakeConfig, store: ObjectStore) {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  // Today's closed hours too: yesterday's digest in a zone west of UTC ends within today (UTC).
  const week = { from: utcDay(today - 7 * DAY_MS), to: utcDay(today) };
  const out = (line: string) => process.stdout.write(`${line}\n`);

  if (hasSocketLabsCredentials(env)) {
    out('SocketLabs credentials found: collecting the last 7 days from the real API.');
    return runCollect(week, env, lake, store);
  }

  const apiKey = randomBytes(18).toString('base64url');
  // One day either side of the week, so records on the window edges exist as they would in real data.
  const span = { serverIds: SANDBOX_SERVERS, from: utcDay(today - 8 * DAY_MS), to: utcDay(today) };
  const v1 = env.INBOXLAKE_SANDBOX === 'v1';
  const sim = v1
    ? await startV1Simulator({ ...span, username: 'sandbox', apiKey, requestsPerSecond: V1_SANDBOX_RATE, burst: 2 })
    : await startV2Simulator({ ...span, apiKey, limits: { timeScale: V2_SANDBOX_SCALE } });
  out(
    `No SocketLabs credentials in the environment: using the built-in ${v1 ? 'v1 Reporting API' : 'SocketLabs API v2'} simulator at ${sim.url}`,
  );
  try {
    const code = await runCollect(
      week,
      {
        ...env,
        SOCKETLABS_API_URL: sim.url,
        SOCKETLABS_USERNAME: 'sandbox',
        SOCKETLABS_API_KEY: apiKey,
        SOCKETLABS_SERVER_IDS: SANDBOX_SERVERS.join(','),
        SOCKETLABS_REQUESTS_PER_SECOND: String(V1_SANDBOX_RATE),
        SOCKETLABS_RATE_SCALE: String(V2_SANDBOX_SCALE),
      },
      lake,
      store,
    );
    if (code === 0 && !lake.location.startsWith('s3://')) {
      out('');
      out(`The lake is in ${resolve(lake.location)}. Try:`);
      if (v1) {
        out(
          '  npx inboxlake query "select failure_type_name, count(*) as n from socketlabs_failed group by 1 order by n desc"',
        );
      } else {
        out(
          '  npx inboxlake query "select event_type, count(*) as n from socketlabs_messages group by 1 order by n desc"',
        );
        out(
          '  npx inboxlake query "select recipient_domain, count(*) as bounces from socketlabs_messages where failure_type_name = \'hard\' group by 1 order by 2 desc limit 10"',
        );
      }
    }
    return code;
  } finally {
    await sim.close();
  }
}
