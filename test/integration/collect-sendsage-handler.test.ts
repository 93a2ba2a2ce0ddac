import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { allTables } from '../../shared/catalog';
import { openLakeQuery } from '../../shared/lake/query';
import { type SendSageSimulator, startSendSageSimulator } from '../../shared/sandbox/sendsage/server';
import { scratch } from '../helpers/collect';
import { downloadLake, type LocalS3, startLocalS3 } from '../helpers/s3';

const PASSWORD = 'handler-Pa55word';
type Handler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;

describe('collect-sendsage Lambda handler against the simulator and an S3-protocol server', () => {
  let sim: SendSageSimulator;
  let s3: LocalS3;
  let handler: Handler;
  const logged: string[] = [];

  beforeAll(async () => {
    sim = await startSendSageSimulator({
      seed: 12,
      from: '2026-11-10',
      to: '2026-11-12',
      username: 'u',
      password: PASSWORD,
      campaignsPerDay: 2,
      now: () => new Date('2026-11-13T12:00:00Z'),
      faults: { probability: 0.15, kinds: ['5xx', 'success0', 'truncated'], seed: 2 },
    });
    s3 = await startLocalS3();
    Object.assign(process.env, {
      SENDSAGE_API_URL: sim.url,
      SENDSAGE_USERNAME: 'u',
      SENDSAGE_PASSWORD: PASSWORD,
      SENDSAGE_REQUESTS_PER_SECOND: '100',
      INBOXLAKE_LAKE: `s3://${s3.bucket}/lake`,
      INBOXLAKE_S3_ENDPOINT: s3.endpoint,
      INBOXLAKE_TMP: await scratch('ss-lambda'),
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    vi.resetModules();
    handler = (await import('../../functions/collect-sendsage/handler')).handler as unknown as Handler;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await sim.close();
    await s3.close();
  });

  it('collects the last days into S3 and reports the items', async () => {
    const ctx = { getRemainingTimeInMillis: () => 600_000 } as unknown as Context;
    const report = await handler({ days: 5 }, ctx);
    expect(report.itemsFailed).toBe(0);
    const local = await downloadLake(s3, 'lake');
    const q = await openLakeQuery({ lakeDir: local, tables: allTables });
    const n = (await q.run('select count(*) from sendsage_campaigns')).rows[0]![0];
    await q.close();
    expect(n).toBe(sim.truth().campaigns.length);
  });

  it('never logs the password', () => {
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line).not.toContain(PASSWORD);
  });
});
