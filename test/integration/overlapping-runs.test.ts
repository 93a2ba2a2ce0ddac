import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startV1Simulator, type V1Simulator } from '../../shared/sandbox/socketlabs-v1/server';
import { startCli } from '../helpers/cli';
import { KEY, lakeRows, scratch, simulatorEnv, truthRows, USER } from '../helpers/collect';
import { downloadLake, type LocalS3, startLocalS3 } from '../helpers/s3';

const SERVERS = [1234];
const FROM = '2026-11-10';
const TO = '2026-11-12';
const args = ['collect', 'socketlabs', '--from', FROM, '--to', TO, '--datasets', 'failed'];

/**
 * Issue 11.1: two real CLI processes on one lake, ~0.4 s apart, one with hour windows (a row cap) and one with day
 * windows. Without a lease each run's publish deleted the other's files while both checkpoints marked the windows
 * final, so rows were lost for good.
 */
describe('two overlapping CLI runs on one lake', () => {
  let sim: V1Simulator;
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3();
    sim = await startV1Simulator({
      seed: 11,
      serverIds: SERVERS,
      from: '2026-11-09',
      to: '2026-11-13',
      // 1,000 failed rows a day: hour windows under INBOXLAKE_MAX_ROWS_PER_WINDOW=500, day windows without it.
      profile: (dataset) => (dataset === 'failed' ? 1000 : 0),
      username: USER,
      apiKey: KEY,
      requestsPerSecond: 200,
      burst: 10,
    });
  });
  afterAll(async () => {
    await sim.close();
    await s3.close();
  });

  const env = (lake: string, extra: Record<string, string> = {}) => ({
    ...simulatorEnv(sim, SERVERS, { SOCKETLABS_REQUESTS_PER_SECOND: '40', SOCKETLABS_TIMEOUT_MS: '2000' }),
    INBOXLAKE_LAKE: lake,
    ...(lake.startsWith('s3://')
      ? {
          INBOXLAKE_S3_ENDPOINT: s3.endpoint,
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
          AWS_REGION: 'us-east-1',
        }
      : {}),
    ...extra,
  });

  async function overlap(extraArgs: string[] = [], lake?: string) {
    lake ??= await scratch('overlap');
    // The capped run makes ~16 calls at 3/s, so it is still running when the other starts, however loaded the
    // machine; the day run starts once the hour run has finished a window, i.e. once it surely holds its lease.
    const hours = startCli(
      [...args, ...extraArgs],
      env(lake, {
        INBOXLAKE_MAX_ROWS_PER_WINDOW: '500',
        INBOXLAKE_TMP: await scratch('tmp'),
        SOCKETLABS_REQUESTS_PER_SECOND: '3',
      }),
    );
    await until(() => / rows$/m.test(hours.stdout()), 30_000);
    const days = startCli([...args, ...extraArgs], env(lake, { INBOXLAKE_TMP: await scratch('tmp') }));
    return { lake, results: await Promise.all([hours.done, days.done]) };
  }

  it('loses no rows: the lake equals the ground truth; a run that finds the lease held exits 3 in one line', async () => {
    const { lake, results } = await overlap();
    for (const r of results) expect([0, 3], r.stderr).toContain(r.code);
    const truth = truthRows(sim, 'failed', SERVERS, FROM, TO);
    const landed = await lakeRows(lake, 'failed');
    const have = new Set(landed);
    expect(truth.filter((r) => !have.has(r)).length, 'rows lost').toBe(0);
    expect(landed).toEqual(truth);
    // The runs did overlap: the later one found the lease held and said so in one line.
    const held = results.filter((r) => r.code === 3);
    expect(held).toHaveLength(1);
    expect(held[0]!.stderr.trim()).toMatch(/^inboxlake: another run holds the lease [^\n]*; try again later$/);
  });

  it('with --wait the second run waits for the first, then both succeed and the lake equals the ground truth', async () => {
    const { lake, results } = await overlap(['--wait']);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(
      results.filter((r) => /^waiting: another run holds the lease _state\/leases\//m.test(r.stdout)),
    ).toHaveLength(1);
    expect(await lakeRows(lake, 'failed')).toEqual(truthRows(sim, 'failed', SERVERS, FROM, TO));
  });

  it('on S3 (a server enforcing If-None-Match / If-Match): loses no rows, the later run exits 3', async () => {
    const prefix = `overlap-${Date.now()}`;
    const { results } = await overlap([], `s3://${s3.bucket}/${prefix}`);
    for (const r of results) expect([0, 3], r.stderr).toContain(r.code);
    expect(results.filter((r) => r.code === 3)).toHaveLength(1);
    const local = await downloadLake(s3, prefix);
    expect(await lakeRows(local, 'failed')).toEqual(truthRows(sim, 'failed', SERVERS, FROM, TO));
  });
});

/** Polls until the condition holds (or the time is up, when the test's own expectations then say what went wrong). */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}
