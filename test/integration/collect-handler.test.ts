import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DAY_MS, utcDay } from '../../shared/core/windows';
import { leaseKey } from '../../shared/lake/layout';
import { S3Store } from '../../shared/lake/s3-store';
import { startV1Simulator, type V1Simulator } from '../../shared/sandbox/socketlabs-v1/server';
import { SOCKETLABS_V1 } from '../../shared/sources/socketlabs-v1/datasets';
import { datasetsV1, KEY, lakeFiles, lakeRows, scratch, simulatorEnv, truthRows, USER } from '../helpers/collect';
import { downloadLake, type LocalS3, startLocalS3 } from '../helpers/s3';
import { type LocalSecretsManager, startLocalSecretsManager } from '../helpers/secrets-manager';

const SERVERS = [1234];
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const FROM = utcDay(today - 5 * DAY_MS);
const TO = utcDay(today - 3 * DAY_MS);
/** The first collected day is busy; the older days (the backfill test) are busier, so they need several runs. */
const profile = (dataset: string, date: string) =>
  (date === FROM ? 1300 : date < FROM ? 2200 : 60) * (dataset === 'complaints' ? 0.01 : dataset === 'failed' ? 0.3 : 1);

type Report = Record<string, number | string | boolean>;
type Handler = (event: unknown, context: Context) => Promise<Report>;

const context = (remainingMs: number) =>
  ({ getRemainingTimeInMillis: () => remainingMs, awsRequestId: 'test' }) as unknown as Context;

/** The secret as the operator stores it (contract: `{"apiKey", "username"}`). */
const SECRET_JSON = JSON.stringify({ apiKey: KEY, username: USER });

describe('collect-socketlabs Lambda handler against the simulator and an S3-protocol server', () => {
  let sim: V1Simulator;
  let s3: LocalS3;
  let sm: LocalSecretsManager;
  let secretArn: string;
  const logged: string[] = [];

  /** The environment every import gets: the lake on s3rver, fake AWS credentials, a scratch /tmp. */
  const baseEnv = async (prefix: string) => ({
    // The one collector handler serves the source the stack names.
    INBOXLAKE_SOURCE: 'socketlabs',
    INBOXLAKE_LAKE: `s3://${s3.bucket}/${prefix}`,
    INBOXLAKE_S3_ENDPOINT: s3.endpoint,
    INBOXLAKE_SECRETS_ENDPOINT: sm.endpoint,
    INBOXLAKE_TMP: await scratch('lambda-tmp'),
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
  });

  /** A fresh copy of the handler module (a cold start) loaded with `env`, as Lambda loads it. */
  async function coldStart(env: Record<string, string | undefined>): Promise<Handler> {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    vi.resetModules();
    return (await import('../../functions/collect/handler')).handler as unknown as Handler;
  }

  /** Credentials from the environment, as the CLI and local runs have them. */
  const envCredentials = async (prefix: string) => ({
    ...simulatorEnv(sim, SERVERS, { SOCKETLABS_REQUESTS_PER_SECOND: '60' }),
    ...(await baseEnv(prefix)),
  });

  /** Credentials from Secrets Manager, as the stack gives them: an ARN, no key or user name in the environment. */
  const secretCredentials = async (prefix: string, arn = secretArn) => ({
    ...simulatorEnv(sim, SERVERS, { SOCKETLABS_REQUESTS_PER_SECOND: '60' }),
    SOCKETLABS_API_KEY: undefined,
    SOCKETLABS_USERNAME: undefined,
    SOCKETLABS_SECRET_ARN: arn,
    ...(await baseEnv(prefix)),
  });

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
    sm = await startLocalSecretsManager();
    secretArn = sm.put('inboxlake/socketlabs/main', SECRET_JSON);
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

  describe('credentials from the environment', () => {
    let handler: Handler;
    beforeAll(async () => {
      handler = await coldStart(await envCredentials('lake'));
    });

    it('collects a range into S3; the lake equals the ground truth', async () => {
      const report = await handler({ from: FROM, to: TO }, context(600_000));
      expect(report).toMatchObject({ windowsLeft: 0, windowsFailed: 0, more: false });
      const local = await downloadLake(s3, 'lake');
      for (const dataset of datasetsV1) {
        expect(await lakeRows(local, dataset), dataset).toEqual(truthRows(sim, dataset, SERVERS, FROM, TO));
      }
    });

    it("a scheduled event collects the days the re-read schedule reaches and today's closed hours", async () => {
      const scheduled = {
        'detail-type': 'Scheduled Event',
        source: 'aws.scheduler',
        detail: {},
        time: new Date().toISOString(),
      };
      const report = await handler(scheduled, context(600_000));
      // 48 h, the last re-read, reaches back to the day before yesterday; one day more for runs that never happened.
      expect(report.from).toBe(utcDay(today - 4 * DAY_MS));
      expect(report.to).toBe(utcDay(today));
      const until = Date.parse(String(report.until));
      expect(until).toBeLessThanOrEqual(Date.now() - 15 * 60_000);
      expect(until % 3_600_000).toBe(0);
      const local = await downloadLake(s3, 'lake');
      expect(await lakeRows(local, 'queued')).toEqual(truthRows(sim, 'queued', SERVERS, FROM, utcDay(today), until));
    });

    it('rejects an event with half a range, naming the problem', async () => {
      await expect(handler({ from: FROM }, context(600_000))).rejects.toThrow(/both from and to/);
    });
  });

  it('another run holds the lease: answers busy, not a failure, and writes nothing; once it is free, collects', async () => {
    const handler = await coldStart(await envCredentials('busy-lake'));
    const store = new S3Store({ client: s3.client, bucket: s3.bucket, prefix: 'busy-lake' });
    const key = leaseKey(SOCKETLABS_V1, String(SERVERS[0]), 'failed');
    const now = Date.now();
    const lease = {
      owner: 'cli-backfill',
      holder: { host: 'operator-laptop', pid: 4242 },
      acquiredAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 120_000).toISOString(),
    };
    expect(await store.putIfAbsent(key, JSON.stringify(lease), 'application/json')).toBe(true);
    expect(await handler({ from: TO, to: TO, datasets: ['failed'] }, context(600_000))).toEqual({
      busy: true,
      more: false,
    });
    expect(
      logged.some((l) => l.includes('another run holds the lease') && l.includes('pid 4242 on operator-laptop')),
    ).toBe(true);
    expect(await lakeFiles(await downloadLake(s3, 'busy-lake'))).toEqual([]);
    await store.delete([key]);
    const report = await handler({ from: TO, to: TO, datasets: ['failed'] }, context(600_000));
    expect(report.windowsFailed).toBe(0);
    expect(await store.list('_state/leases/')).toEqual([]);
    expect(await lakeRows(await downloadLake(s3, 'busy-lake'), 'failed')).toEqual(
      truthRows(sim, 'failed', SERVERS, TO, TO),
    );
  });

  describe('a backfill continued by re-invocation while `more` is true (the state machine loop)', () => {
    const backfill = {
      from: utcDay(today - 8 * DAY_MS),
      to: utcDay(today - 6 * DAY_MS),
      datasets: ['queued', 'processed'],
    };

    it('with little time left it stops early and says there is more', async () => {
      const handler = await coldStart(await envCredentials('more-once'));
      // 60 s are reserved for finishing; 0.2 s more leaves time for a window or two of six.
      const report = await handler(backfill, context(60_200));
      expect(report.more).toBe(true);
      expect(Number(report.windowsLeft)).toBeGreaterThan(0);
      expect(report.windowsFailed).toBe(0);
    });

    it('fed the same event until `more` is false, the lake equals a one-shot run of the same range', async () => {
      const looped = await coldStart(await secretCredentials('backfill-loop'));
      const reports: Report[] = [];
      // The state machine's loop: invoke, and while the answer says more, invoke again with the same event.
      do {
        reports.push(await looped(backfill, context(60_400)));
      } while (reports.at(-1)!.more === true && reports.length < 40);
      expect(reports.length).toBeGreaterThan(1);
      expect(reports.at(-1)).toMatchObject({ more: false, windowsLeft: 0, windowsFailed: 0 });
      expect(reports.slice(0, -1).every((r) => r.more === true)).toBe(true);

      const oneShot = await coldStart(await envCredentials('backfill-once'));
      expect(await oneShot(backfill, context(600_000))).toMatchObject({ more: false, windowsLeft: 0 });

      const [loopLake, onceLake] = [await downloadLake(s3, 'backfill-loop'), await downloadLake(s3, 'backfill-once')];
      // Same files (data, rollups, quarantine: keys derive from table, partition and window) and the same rows.
      expect(await lakeFiles(loopLake)).toEqual(await lakeFiles(onceLake));
      for (const dataset of ['queued', 'processed'] as const) {
        const rows = await lakeRows(loopLake, dataset);
        expect(rows, dataset).toEqual(await lakeRows(onceLake, dataset));
        expect(rows, dataset).toEqual(truthRows(sim, dataset, SERVERS, backfill.from, backfill.to));
      }
    });
  });

  describe('a busy hour, continued by re-invocation while `more` is true', () => {
    const BUSY_DAY = utcDay(today - 7 * DAY_MS);
    const BUSY_ROWS = 52_000;
    let busy: V1Simulator;
    beforeAll(async () => {
      busy = await startV1Simulator({
        seed: 21,
        serverIds: SERVERS,
        from: BUSY_DAY,
        to: BUSY_DAY,
        profile: (d) => (d === 'failed' ? 40 : 0),
        username: USER,
        apiKey: KEY,
        requestsPerSecond: 2000,
        burst: 8,
        faults: { probability: 0.02, kinds: ['5xx', '429'], seed: 4 },
      });
      // 52,000 bounces between 10:00 and 11:00, about 14 a second: more than one invocation can page.
      const hour = Date.parse(`${BUSY_DAY}T10:00:00Z`);
      for (let i = 0; i < BUSY_ROWS; i++) {
        busy.insert('failed', SERVERS[0]!, {
          DateTime: new Date(hour + Math.floor((i * 3_600_000) / BUSY_ROWS / 1000) * 1000).toISOString(),
          MessageId: `busy-${i}`,
          MailingId: 'm',
          ToAddress: `r${i}@example.org`,
          FromAddress: 'news@example.com',
          FailureType: 1,
          FailureCode: 2001,
          Reason: '550 mailbox unavailable',
        });
      }
    });
    afterAll(() => busy.close());

    it('an hour of 52,000 rows completes across invocations and equals the truth', async () => {
      const handler = await coldStart({
        ...simulatorEnv(busy, SERVERS, { SOCKETLABS_REQUESTS_PER_SECOND: '200' }),
        ...(await baseEnv('busy-hour')),
      });
      const event = { from: BUSY_DAY, to: BUSY_DAY, datasets: ['failed'] };
      const reports: Report[] = [];
      // 60 s are reserved, so each invocation has 0.3 s: at 200 requests/s of 500 rows, about 24,000 rows by the
      // engine's estimate (the 336,000 of a real 15-minute Lambda, scaled down), less than half the hour.
      do {
        reports.push(await handler(event, context(60_300)));
      } while (reports.at(-1)!.more === true && reports.length < 60);
      // Before: the hour was left on every invocation (still more: true after 60; none of its rows landed).
      // After: 8 invocations (windows of 7-20 minutes).
      expect(reports.at(-1)).toMatchObject({ more: false, windowsLeft: 0, windowsFailed: 0 });
      expect(reports.length).toBeGreaterThan(1);
      const local = await downloadLake(s3, 'busy-hour');
      const rows = await lakeRows(local, 'failed');
      expect(rows.length).toBe(BUSY_ROWS + 40);
      expect(rows).toEqual(truthRows(busy, 'failed', SERVERS, BUSY_DAY, BUSY_DAY));
    });
  });

  describe('credentials from Secrets Manager (SOCKETLABS_SECRET_ARN)', () => {
    it('reads the secret once per cold start and collects with it', async () => {
      const readsBefore = sm.reads.length;
      const handler = await coldStart(await secretCredentials('secret-lake'));
      // Nothing is fetched while the module loads; the first invocation reads the secret.
      expect(sm.reads.length).toBe(readsBefore);
      const first = await handler({ from: TO, to: TO }, context(600_000));
      const second = await handler({ from: TO, to: TO, datasets: ['queued'] }, context(600_000));
      expect([first.windowsFailed, second.windowsFailed]).toEqual([0, 0]);
      expect(sm.reads.slice(readsBefore)).toEqual([secretArn]);
      const local = await downloadLake(s3, 'secret-lake');
      for (const dataset of datasetsV1) {
        expect(await lakeRows(local, dataset), dataset).toEqual(truthRows(sim, dataset, SERVERS, TO, TO));
      }
    });

    it('an unknown secret fails the invocation naming it; a later invocation reads it again', async () => {
      const arn = sm.arnOf('inboxlake/socketlabs/later');
      const handler = await coldStart(await secretCredentials('secret-later', arn));
      await expect(handler({ from: TO, to: TO }, context(600_000))).rejects.toThrow(
        `could not read secret ${arn} (ResourceNotFoundException`,
      );
      // The operator creates the secret: the same container recovers without a new cold start.
      sm.put('inboxlake/socketlabs/later', SECRET_JSON);
      const report = await handler({ from: TO, to: TO, datasets: ['complaints'] }, context(600_000));
      expect(report).toMatchObject({ windowsFailed: 0, more: false });
    });

    it('after the API refuses a key, the next invocation reads the secret again (a rotated key)', async () => {
      sm.put('inboxlake/socketlabs/rotated', JSON.stringify({ apiKey: 'revoked-key', username: USER }));
      const handler = await coldStart(
        await secretCredentials('secret-rotated', sm.arnOf('inboxlake/socketlabs/rotated')),
      );
      await expect(handler({ from: TO, to: TO, datasets: ['complaints'] }, context(600_000))).rejects.toThrow(
        'authentication failed',
      );
      sm.put('inboxlake/socketlabs/rotated', SECRET_JSON);
      const report = await handler({ from: TO, to: TO, datasets: ['complaints'] }, context(600_000));
      expect(report).toMatchObject({ windowsFailed: 0, more: false });
    });

    it('a secret that is not the expected JSON fails naming the secret and the field, never echoing the value', async () => {
      const notJson = sm.put('inboxlake/socketlabs/not-json', `apiKey=${KEY}`);
      const noKey = sm.put('inboxlake/socketlabs/no-key', JSON.stringify({ apikey: KEY, username: USER }));
      const noUser = sm.put('inboxlake/socketlabs/no-user', JSON.stringify({ apiKey: KEY }));
      const cases = [
        [notJson, /secret arn:\S+not-json-\w+ is not valid JSON \(expected an object such as \{"apiKey"/],
        [noKey, /secret arn:\S+no-key-\w+ does not hold \{"apiKey": "…", "username": "…"\}: apiKey: /],
        [noUser, /SOCKETLABS_USERNAME is read from the field "username" of secret arn:\S+no-user/],
      ] as const;
      for (const [arn, message] of cases) {
        const handler = await coldStart(await secretCredentials('secret-bad', arn));
        const error = await handler({ from: TO, to: TO }, context(600_000)).catch((e: unknown) => e as Error);
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(message);
        expect(
          JSON.stringify({ message: (error as Error).message, cause: String((error as Error).cause) }),
        ).not.toContain(KEY);
      }
    });
  });

  it('never logs the API key or the secret', () => {
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      expect(line).not.toContain(KEY);
      expect(line).not.toContain(SECRET_JSON);
    }
  });
});
