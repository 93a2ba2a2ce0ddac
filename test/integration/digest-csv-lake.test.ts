import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileWriters } from '../../shared/app/lake';
import { systemClock } from '../../shared/core/clock';
import { computeDigest } from '../../shared/digest/metrics';
import { digestTables } from '../../shared/digest/roles';
import { RateBudgetRegistry } from '../../shared/engine/rate-budget';
import { defaultRetryPolicy } from '../../shared/engine/retry';
import type { LakeFormat } from '../../shared/lake/file-writer';
import { silentLogger } from '../../shared/log';
import { type SendSageSimulator, startSendSageSimulator } from '../../shared/sandbox/sendsage/server';
import { sources } from '../../shared/sources';
import { loadSendSageConfig } from '../../shared/sources/sendsage/config';
import { localStore, scratch } from '../helpers/collect';
import { collectSendSage } from '../helpers/sources';

describe('the digest on a lake written as CSV only', () => {
  let sim: SendSageSimulator;
  const lakes: Partial<Record<LakeFormat, string>> = {};
  const collect = async (format: LakeFormat) => {
    const dir = await scratch(`digest-${format}`);
    await collectSendSage(
      loadSendSageConfig({
        SENDSAGE_API_URL: sim.url,
        SENDSAGE_USERNAME: 'u',
        SENDSAGE_PASSWORD: 'p',
        SENDSAGE_REQUESTS_PER_SECOND: '200',
        SENDSAGE_CONCURRENCY: '3',
      }),
      { days: 10 },
      {
        store: localStore(dir),
        formats: [format],
        writers: fileWriters,
        tmpDir: await scratch('digest-csv-tmp'),
        fetch: (url, init) => fetch(url, init),
        clock: systemClock,
        budgets: new RateBudgetRegistry(),
        log: silentLogger,
        retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 50 },
      },
    );
    lakes[format] = dir;
  };

  beforeAll(async () => {
    sim = await startSendSageSimulator({
      seed: 9,
      from: '2026-11-10',
      to: '2026-11-12',
      username: 'u',
      password: 'p',
      campaignsPerDay: 3,
      now: () => new Date('2026-11-20T00:00:00Z'),
    });
    await collect('parquet');
    await collect('csv');
  });
  afterAll(() => sim?.close());

  it.each(['2026-11-10', '2026-11-11', '2026-11-12'])(
    'shows the same SendSage campaigns as the Parquet lake on %s',
    async (date) => {
      const digest = (dir: string) =>
        computeDigest(localStore(dir), {
          tables: digestTables(sources),
          date,
          timeZone: 'Europe/Berlin',
          now: Date.parse('2026-11-20T00:00:00Z'),
        });
      const fromParquet = await digest(lakes.parquet!);
      const fromCsv = await digest(lakes.csv!);
      expect(fromParquet.sendsage.campaigns.length).toBeGreaterThan(0);
      expect(fromCsv.sendsage).toEqual(fromParquet.sendsage);
    },
  );
});
