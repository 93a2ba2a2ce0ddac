import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { allTables } from '../../shared/catalog';
import { openLakeQuery } from '../../shared/lake/query';
import {
  type SendSageSimulator,
  type SendSageSimulatorOptions,
  startSendSageSimulator,
} from '../../shared/sandbox/sendsage/server';
import { lakeFiles, scratch } from '../helpers/collect';
import { downloadLake, type LocalS3, startLocalS3 } from '../helpers/s3';
import { type LocalSecretsManager, startLocalSecretsManager } from '../helpers/secrets-manager';

const USER = 'u';
const PASSWORD = 'handler-Pa55word';
const SECRET_JSON = JSON.stringify({ username: USER, password: PASSWORD });
type Report = Record<string, unknown>;
type Handler = (event: unknown, context: Context) => Promise<Report>;

const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

/** Columns that record when inboxlake ran, not what SendSage said: they differ between any two runs. */
const runTimeColumns = new Set(['ingested_at', 'snapshot_time']);

/** Every table's rows (run-time columns left out), sorted: what two lakes must share to be equal. */
async function lakeContents(lakeDir: string): Promise<Record<string, string[]>> {
  const q = await openLakeQuery({ lakeDir, tables: allTables });
  try {
    const out: Record<string, string[]> = {};
    for (const t of allTables.filter((t) => t.name.startsWith('sendsage_'))) {
      const skip = t.columns.filter((c) => runTimeColumns.has(c.name)).map((c) => c.name);
      const sql = `select * ${skip.length ? `exclude (${skip.join(', ')})` : ''} from ${t.name}`;
      out[t.name] = (await q.run(sql)).rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  } finally {
    await q.close();
  }
}

describe('collect-sendsage Lambda handler against the simulator and an S3-protocol server', () => {
  let sim: SendSageSimulator;
  let s3: LocalS3;
  let sm: LocalSecretsManager;
  let secretArn: string;
  const logged: string[] = [];

  const baseEnv = async (prefix: string) => ({
    // The one collector handler serves the source the stack names.
    INBOXLAKE_SOURCE: 'sendsage',
    SENDSAGE_API_URL: sim.url,
    SENDSAGE_REQUESTS_PER_SECOND: '100',
    INBOXLAKE_LAKE: `s3://${s3.bucket}/${prefix}`,
    INBOXLAKE_S3_ENDPOINT: s3.endpoint,
    INBOXLAKE_SECRETS_ENDPOINT: sm.endpoint,
    INBOXLAKE_TMP: await scratch('ss-lambda'),
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
  });
  const envCredentials = async (prefix: string) => ({
    ...(await baseEnv(prefix)),
    SENDSAGE_USERNAME: USER,
    SENDSAGE_PASSWORD: PASSWORD,
  });
  const secretCredentials = async (prefix: string, arn = secretArn) => ({
    ...(await baseEnv(prefix)),
    SENDSAGE_USERNAME: undefined,
    SENDSAGE_PASSWORD: undefined,
    SENDSAGE_SECRET_ARN: arn,
  });

  /** A fresh copy of the handler module (a cold start) loaded with `env`, as Lambda loads it. */
  /** The test's SendSage: two campaigns a day over three days, its clock and faults as given. */
  function simulateSendSage(options: Pick<SendSageSimulatorOptions, 'now' | 'faults'>) {
    return startSendSageSimulator({
      ...options,
      seed: 12,
      from: '2026-11-10',
      to: '2026-11-12',
      username: USER,
      password: PASSWORD,
      campaignsPerDay: 2,
    });
  }

  async function coldStart(env: Record<string, string | undefined>): Promise<Handler> {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    vi.resetModules();
    return (await import('../../functions/collect/handler')).handler as unknown as Handler;
  }

  beforeAll(async () => {
    sim = await simulateSendSage({
      now: () => new Date('2026-11-13T12:00:00Z'),
      faults: { probability: 0.15, kinds: ['5xx', 'success0', 'truncated'], seed: 2 },
    });
    s3 = await startLocalS3();
    sm = await startLocalSecretsManager();
    secretArn = sm.put('inboxlake/sendsage', SECRET_JSON);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await sim.close();
    await s3.close();
    await sm.close();
  });

  it('collects the last days into S3 and reports the items', async () => {
    const handler = await coldStart(await envCredentials('lake'));
    const report = await handler({ days: 5 }, context(600_000));
    expect(report).toMatchObject({ itemsFailed: 0, itemsLeft: 0, more: false });
    const local = await downloadLake(s3, 'lake');
    const q = await openLakeQuery({ lakeDir: local, tables: allTables });
    const n = (await q.run('select count(*) from sendsage_campaigns')).rows[0]![0];
    await q.close();
    expect(n).toBe(sim.truth().campaigns.length);
  });

  it('with credentials from Secrets Manager, reads the secret once per cold start', async () => {
    const handler = await coldStart(await secretCredentials('secret-lake'));
    const readsBefore = sm.reads.length;
    const first = await handler({ days: 5 }, context(600_000));
    const second = await handler({ days: 5 }, context(600_000));
    expect(first).toMatchObject({ itemsFailed: 0, more: false });
    // Complete tests are not fetched twice: the second run only takes the day's seed list again.
    expect((second.items as Record<string, { collected: number }>).campaigns!.collected).toBe(0);
    expect(sm.reads.slice(readsBefore)).toEqual([secretArn]);
    const local = await downloadLake(s3, 'secret-lake');
    expect((await lakeContents(local)).sendsage_campaigns).toHaveLength(sim.truth().campaigns.length);
  });

  it('a secret without the password fails naming the secret and the field, not the value', async () => {
    const arn = sm.put('inboxlake/sendsage/no-password', JSON.stringify({ username: USER, pasword: PASSWORD }));
    const handler = await coldStart(await secretCredentials('secret-bad', arn));
    const error = (await handler({}, context(600_000)).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      /^secret arn:\S+no-password-\w+ does not hold \{"username": "…", "password": "…"\}: password: /,
    );
    expect(error.message).not.toContain(PASSWORD);
  });

  it('with little time left it says there is more; fed the same event until it is not, the lake equals a one-shot run', async () => {
    const looped = await coldStart(await secretCredentials('loop'));
    const reports: Report[] = [];
    // 30 s are reserved for the item in hand and the report; 0.15 s more starts an item or two per invocation.
    do {
      reports.push(await looped({ days: 5 }, context(30_150)));
    } while (reports.at(-1)!.more === true && reports.length < 60);
    expect(reports[0]).toMatchObject({ more: true, itemsFailed: 0 });
    expect(Number(reports[0]!.itemsLeft)).toBeGreaterThan(0);
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.at(-1)).toMatchObject({ more: false, itemsLeft: 0, itemsFailed: 0 });

    const oneShot = await coldStart(await envCredentials('once'));
    expect(await oneShot({ days: 5 }, context(600_000))).toMatchObject({ more: false, itemsLeft: 0 });

    const [loopLake, onceLake] = [await downloadLake(s3, 'loop'), await downloadLake(s3, 'once')];
    expect(await lakeFiles(loopLake)).toEqual(await lakeFiles(onceLake));
    const contents = await lakeContents(loopLake);
    expect(contents).toEqual(await lakeContents(onceLake));
    expect(contents.sendsage_campaigns).toHaveLength(sim.truth().campaigns.length);
    expect(contents.sendsage_previews!.length).toBeGreaterThan(0);
  });

  it('tests still running at SendSage are pending, not `more`: the next scheduled run takes them again', async () => {
    // A second SendSage whose clock stands half an hour after its last test was sent: that test is still running.
    const last = Math.max(...sim.truth().campaigns.map((c) => c.sentAt));
    const running = await simulateSendSage({ now: () => new Date(last * 1000 + 30 * 60_000) });
    try {
      const handler = await coldStart({ ...(await envCredentials('running')), SENDSAGE_API_URL: running.url });
      const report = await handler({ days: 5 }, context(600_000));
      const campaigns = (report.items as Record<string, { pending: number }>).campaigns!;
      expect(campaigns.pending).toBeGreaterThan(0);
      expect(report).toMatchObject({ itemsLeft: 0, more: false });
    } finally {
      await running.close();
    }
  });

  it('never logs the password or the secret', () => {
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      expect(line).not.toContain(PASSWORD);
      expect(line).not.toContain(SECRET_JSON);
    }
  });
});
