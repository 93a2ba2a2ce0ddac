import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DAY_MS, utcDay } from '../../shared/engine/windows';
import { startV1Simulator, type V1Simulator } from '../../shared/sandbox/socketlabs-v1/server';
import { datasetsV1, KEY, lakeRows, scratch, simulatorEnv, truthRows, USER } from '../helpers/collect';
import { downloadLake, type LocalS3, startLocalS3 } from '../helpers/s3';

const SERVERS = [1234];
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const FROM = utcDay(today - 5 * DAY_MS);
const TO = utcDay(today - 3 * DAY_MS);
/** The first collected day is busy; the older days (the backfill test) are busier, so they need several runs. */
const profile = (dataset: string, date: string) =>
  (date === FROM ? 1300 : date < FROM ? 2200 : 60) * (dataset === 'complaints' ? 0.01 : dataset === 'failed' ? 0.3 : 1);

type Handler = (event: unknown, context: Context) => Promise<Record<string, number | string>>;

const context = (remainingMs: number) =>
  ({ getRemainingTimeInMillis: () => remainingMs, awsRequestId: 'test' }) as unknown as Context;

describe('collect-socketlabs Lambda handler against the simulator and an S3-protocol server', () => {
  let sim: V1Simulator;
  let s3: LocalS3;
  let handler: Handler;
  const logged: string[] = [];

  beforeAll(async () => {
    sim = await startV1Simulator({
      seed: 9,
      serverIds: SERVERS,
      from: utcDay(today - 8 * DAY_MS),
      to: utcDay(today),
      profile: (d, date) => Math.round(profile(d, date)),
      username: USER,
      apiKey: KEY,
      requestsPerSecond: 400,
      burst: 4,
      faults: { probability: 0.1, kinds: ['5xx', 'truncated', '429'], seed: 3 },
    });
    s3 = await startLocalS3();
    // The environment the stack gives the function (issue 7 derives it from the synthesized template).
    Object.assign(process.env, simulatorEnv(sim, SERVERS, { SOCKETLABS_REQUESTS_PER_SECOND: '60' }), {
      INBOXLAKE_LAKE: `s3://${s3.bucket}/lake`,
      INBOXLAKE_S3_ENDPOINT: s3.endpoint,
      INBOXLAKE_TMP: await scratch('lambda-tmp'),
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    vi.resetModules();
    handler = (await import('../../functions/collect-socketlabs/handler')).handler as unknown as Handler;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await sim.close();
    await s3.close();
  });

  it('collects a range into S3; the lake equals the ground truth', async () => {
    const report = await handler({ from: FROM, to: TO }, context(600_000));
    expect(report.windowsLeft).toBe(0);
    expect(report.windowsFailed).toBe(0);
    const local = await downloadLake(s3, 'lake');
    for (const dataset of datasetsV1) {
      expect(await lakeRows(local, dataset), dataset).toEqual(truthRows(sim, dataset, SERVERS, FROM, TO));
    }
  });

  it('a scheduled event collects the trailing days up to yesterday', async () => {
    const scheduled = {
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      detail: {},
      time: new Date().toISOString(),
    };
    const report = await handler(scheduled, context(600_000));
    expect(report.from).toBe(utcDay(today - 2 * DAY_MS));
    expect(report.to).toBe(utcDay(today - DAY_MS));
    const local = await downloadLake(s3, 'lake');
    expect(await lakeRows(local, 'queued')).toEqual(truthRows(sim, 'queued', SERVERS, FROM, utcDay(today - DAY_MS)));
  });

  it('with little time left it stops early; re-invoked, it completes the backfill exactly', async () => {
    const from = utcDay(today - 8 * DAY_MS);
    const to = utcDay(today - 6 * DAY_MS);
    let left = -1;
    let invocations = 0;
    while (left !== 0 && invocations < 30) {
      invocations++;
      // 60 s are reserved for finishing; 0.4 s more lets each invocation do a window or two only.
      const report = await handler({ from, to, datasets: ['queued', 'processed'] }, context(60_400));
      left = Number(report.windowsLeft);
    }
    expect(invocations).toBeGreaterThan(1);
    expect(left).toBe(0);
    const local = await downloadLake(s3, 'lake');
    expect(await lakeRows(local, 'processed')).toEqual(
      truthRows(sim, 'processed', SERVERS, FROM, utcDay(today - DAY_MS))
        .concat(truthRows(sim, 'processed', SERVERS, from, to))
        .sort(),
    );
  });

  it('never logs the API key', () => {
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line).not.toContain(KEY);
  });

  it('rejects an event with half a range, naming the problem', async () => {
    await expect(handler({ from: FROM }, context(600_000))).rejects.toThrow(/both from and to/);
  });
});
