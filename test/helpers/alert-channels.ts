import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { ALERTS_STATE_PREFIX } from '../../shared/lake/layout';
import { LoopbackServer } from '../../shared/sandbox/loopback-server';
import { scratch } from './collect';
import { readBody } from './http';

/** The last segment of the loopback webhook's URL: the channel's token, which must show nowhere. */
export const TOKEN = 'xoxbTOKEN0123456789abcdef';
export const TOPIC = 'arn:aws:sns:us-east-1:123456789012:inboxlake-alerts';
/** The SDK signs its requests: any credentials do for the fake. */
export const awsEnv = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret-example',
  AWS_REGION: 'us-east-1',
};

/** Runs `work` with the fake credentials in this process's environment (where the SDK's default chain reads them). */
export async function withAwsEnv<T>(work: () => Promise<T>): Promise<T> {
  const saved = Object.keys(awsEnv).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, awsEnv);
  try {
    return await work();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly body: unknown;
}

/**
 * A chat tool's webhook on loopback: records what is posted, answers `status` (200 "ok" by default), or the statuses
 * of a list in turn (the last one from then on).
 */
export async function startChat(status: number | readonly number[] = 200) {
  const statuses = [status].flat();
  const received: Received[] = [];
  const server = new LoopbackServer();
  const endpoint = await server.listen(async (req, res) => {
    const text = await readBody(req);
    received.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: JSON.parse(text) });
    const answer = statuses[Math.min(received.length, statuses.length) - 1]!;
    res.statusCode = answer;
    if (answer === 429) res.setHeader('retry-after', '0');
    res.end(answer === 200 ? 'ok' : answer === 400 ? 'invalid_payload' : 'internal_error');
  });
  // A path shaped like Slack's, whose last segment is the token.
  const url = `${endpoint}/services/T0001/B0001/${TOKEN}`;
  return { url, received, close: () => server.close() };
}

/** A copy of a collected lake without its alert state (nor history, nor outbox): a lifecycle of its own. */
export async function lakeWithoutAlertState(lake: string, name: string): Promise<string> {
  const dir = await scratch(name);
  const state = join(lake, ALERTS_STATE_PREFIX);
  await cp(lake, dir, { recursive: true, filter: (src) => !`${src}/`.startsWith(state) });
  return dir;
}
