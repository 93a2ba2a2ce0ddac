import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileWriters } from '../../shared/app/lake';
import { systemClock } from '../../shared/core/clock';
import { DAY_MS, utcDay } from '../../shared/core/windows';
import { RateBudgetRegistry } from '../../shared/engine/rate-budget';
import { defaultRetryPolicy } from '../../shared/engine/retry';
import type { Logger } from '../../shared/log';
import { startV1Simulator, type V1Simulator } from '../../shared/sandbox/socketlabs-v1/server';
import { loadSocketLabsConfig } from '../../shared/sources/socketlabs-common/config';
import { KEY, localStore, scratch, simulatorEnv, USER } from '../helpers/collect';
import { collectSocketLabs } from '../helpers/sources';

/** A collection run behind Athena's dt projection says so: its rows would be in the lake but in no query. */
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const day = (n: number) => utcDay(today - n * DAY_MS);

describe('a collection writing days before the dt projection', () => {
  let sim: V1Simulator;
  beforeAll(async () => {
    sim = await startV1Simulator({
      seed: 3,
      serverIds: [1234],
      from: day(5),
      to: day(0),
      profile: () => 2,
      username: USER,
      apiKey: KEY,
      requestsPerSecond: 1000,
      burst: 8,
    });
  });
  afterAll(() => sim?.close());

  async function run(dtProjectionStart: string | undefined) {
    const warnings: string[] = [];
    const log: Logger = { info() {}, error() {}, warn: (m) => warnings.push(m) };
    const summary = await collectSocketLabs(
      loadSocketLabsConfig(simulatorEnv(sim, [1234])),
      { from: day(5), to: day(1), datasets: ['failed'] },
      {
        store: localStore(await scratch('dt-projection')),
        formats: ['parquet'],
        writers: fileWriters,
        tmpDir: await scratch('tmp'),
        fetch: (url, init) => fetch(url, init),
        clock: systemClock,
        budgets: new RateBudgetRegistry(),
        log,
        retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 50 },
        dtProjectionStart,
      },
    );
    expect(summary.windowsFailed).toBe(0);
    return warnings.filter((w) => w.includes('dt projection'));
  }

  it('warns, naming the days, when the projection starts after the run’s first day', async () => {
    expect(await run(day(3))).toEqual([
      `this run collects dt ${day(5)} to ${day(4)}, outside Athena's dt projection (${day(3)} to ${day(-1)}): ` +
        'rows of those days land in the lake but no Athena query sees them (set historyStart or retentionDays to cover them)',
    ]);
    expect(await run('NOW-3DAYS')).toHaveLength(1);
  });

  it('stays quiet when the projection covers the run, or when there is no Athena', async () => {
    expect(await run(day(5))).toEqual([]);
    expect(await run(undefined)).toEqual([]);
  });
});
