import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { DAY_MS, HOUR_MS, utcDay } from '../../core/windows';
import { collectedUntil } from '../../engine/plan';
import type { SandboxStart } from '../../sources/descriptor';
import type { BlockIncident } from '../block-incident';
import { startV1Simulator } from '../socketlabs-v1/server';
import { startV2Simulator } from '../socketlabs-v2/server';

/** `inboxlake start` without SocketLabs credentials: the v2 simulator (or v1 with INBOXLAKE_SANDBOX=v1) on loopback. */
const SANDBOX_SERVERS = [1234, 5678];
/**
 * The simulators run faster than the real limits so that a week lands in seconds; the client is told the same rate,
 * so its budgets work exactly as in production. v1: 20 calls/s instead of ~1. v2: the per-minute limits × 10.
 */
const V1_SANDBOX_RATE = 20;
const V2_SANDBOX_SCALE = 10;

/**
 * The story the sandbox tells: a healthy week, except that for the last three collected hours gmail.com has been
 * rejecting server 1234's mail as blocklisted (1002). Three hours, so the alerts' 60- and 180-minute windows both see
 * it; server 1234, the busier of the two. At night or on a weekend its own mail to gmail.com yields too few rejections
 * for the alert (20 in a window), so the campaign it keeps sending there is rejected at least 40 times an hour, and the
 * story holds whatever the clock says.
 */
export function sandboxIncident(now: number): BlockIncident {
  return { serverId: 1234, domain: 'gmail.com', code: 1002, from: collectedUntil(now) - 3 * HOUR_MS, minPerHour: 40 };
}

export const startSandbox: SandboxStart = async (env, now) => {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const apiKey = randomBytes(18).toString('base64url');
  // One day either side of the week, so records on the window edges exist as they would in real data.
  const span = {
    serverIds: SANDBOX_SERVERS,
    from: utcDay(today - 8 * DAY_MS),
    to: utcDay(today),
    incident: sandboxIncident(now),
  };
  const v1 = env.INBOXLAKE_SANDBOX === 'v1';
  const sim = v1
    ? await startV1Simulator({
        ...span,
        username: 'sandbox',
        apiKey,
        requestsPerSecond: V1_SANDBOX_RATE,
        burst: 2,
      })
    : await startV2Simulator({
        ...span,
        apiKey,
        limits: { timeScale: V2_SANDBOX_SCALE },
      });
  return {
    banner: `No SocketLabs credentials in the environment: using the built-in ${v1 ? 'v1 Reporting API' : 'SocketLabs API v2'} simulator at ${sim.url}`,
    env: {
      SOCKETLABS_API_URL: sim.url,
      SOCKETLABS_USERNAME: 'sandbox',
      SOCKETLABS_API_KEY: apiKey,
      SOCKETLABS_SERVER_IDS: SANDBOX_SERVERS.join(','),
      SOCKETLABS_REQUESTS_PER_SECOND: String(V1_SANDBOX_RATE),
      SOCKETLABS_RATE_SCALE: String(V2_SANDBOX_SCALE),
    },
    hints: (lake) => [
      '',
      `The lake is in ${resolve(lake)}. Try:`,
      ...(v1
        ? [
            '  npx inboxlake query "select failure_type_name, count(*) as n from socketlabs_failed group by 1 order by n desc"',
          ]
        : [
            '  npx inboxlake query "select event_type, count(*) as n from socketlabs_messages group by 1 order by n desc"',
            '  npx inboxlake query "select recipient_domain, count(*) as bounces from socketlabs_messages where failure_type_name = \'hard\' group by 1 order by 2 desc limit 10"',
          ]),
    ],
    close: () => sim.close(),
  };
};
