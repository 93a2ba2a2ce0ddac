import { randomBytes } from 'node:crypto';
import { DAY_MS, utcDay } from '../../core/windows';
import type { SandboxStart } from '../../sources/descriptor';
import { startSendSageSimulator } from '../sendsage/server';

/** `inboxlake start` without SendSage credentials: the SendSage Monitor simulator on loopback. */
export const startSandbox: SandboxStart = async (_env, now) => {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const password = randomBytes(18).toString('base64url');
  const sim = await startSendSageSimulator({
    from: utcDay(today - 7 * DAY_MS),
    to: utcDay(today),
    username: 'sandbox',
    password,
    campaignsPerDay: 3,
  });
  return {
    banner: `No SendSage credentials in the environment: using the built-in SendSage Monitor simulator at ${sim.url}`,
    env: {
      SENDSAGE_API_URL: sim.url,
      SENDSAGE_USERNAME: 'sandbox',
      SENDSAGE_PASSWORD: password,
      SENDSAGE_REQUESTS_PER_SECOND: '50',
    },
    hints: () => [
      '  npx inboxlake query "select isp_name, round(avg(pct_inbox), 1) as inbox_pct from sendsage_isp_results group by 1 order by 2"',
    ],
    close: () => sim.close(),
  };
};
