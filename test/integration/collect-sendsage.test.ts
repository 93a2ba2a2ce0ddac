import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileWriters } from '../../shared/app/lake';
import { allTables } from '../../shared/catalog';
import { systemClock } from '../../shared/core/clock';
import { RateBudgetRegistry } from '../../shared/engine/rate-budget';
import { defaultRetryPolicy } from '../../shared/engine/retry';
import { openLakeQuery } from '../../shared/lake/query';
import { duckdbType } from '../../shared/lake/table';
import { silentLogger } from '../../shared/log';
import { type SendSageSimulator, startSendSageSimulator } from '../../shared/sandbox/sendsage/server';
import { loadSendSageConfig } from '../../shared/sources/sendsage/config';
import { sendsageTables } from '../../shared/sources/sendsage/tables';
import { runCli } from '../helpers/cli';
import { lakeFiles, localStore, scratch } from '../helpers/collect';
import { collectSendSage, type SendSageSummary } from '../helpers/sources';

const USER = 'monitor-user';
const PASSWORD = 'S3cret-pa55word!';

describe('SendSage collection against the simulator with faults on', () => {
  let sim: SendSageSimulator;
  // Until the simulator says when its last test went out: then 30 minutes after it, so that test is still running.
  let now = Date.parse('2026-11-20T00:00:00Z');
  let T1 = now;
  let lakeDir: string;
  const env = () => ({
    SENDSAGE_API_URL: sim.url,
    SENDSAGE_USERNAME: USER,
    SENDSAGE_PASSWORD: PASSWORD,
    SENDSAGE_REQUESTS_PER_SECOND: '200',
    SENDSAGE_CONCURRENCY: '3',
    SENDSAGE_TIMEOUT_MS: '400',
  });
  const run = async (): Promise<SendSageSummary> =>
    collectSendSage(
      loadSendSageConfig(env()),
      { days: 10 },
      {
        store: localStore(lakeDir),
        formats: ['parquet'],
        writers: fileWriters,
        tmpDir: await scratch('ss-tmp'),
        fetch: (url, init) => fetch(url, init),
        clock: systemClock,
        budgets: new RateBudgetRegistry(),
        log: silentLogger,
        retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 12 },
      },
    );
  const query = async (sql: string) => {
    const q = await openLakeQuery({ lakeDir, tables: allTables });
    try {
      return (await q.run(sql)).rows;
    } finally {
      await q.close();
    }
  };

  beforeAll(async () => {
    sim = await startSendSageSimulator({
      seed: 4,
      from: '2026-11-10',
      to: '2026-11-14',
      username: USER,
      password: PASSWORD,
      campaignsPerDay: 3,
      now: () => new Date(now),
      faults: {
        probability: 0.3,
        kinds: ['5xx', 'truncated', 'hang', 'recase', 'extra-fields', 'success0', 'non-json'],
        seed: 6,
      },
    });
    lakeDir = await scratch('sendsage');
    const last = Math.max(...sim.truth().campaigns.map((c) => c.sentAt));
    T1 = last * 1000 + 30 * 60_000;
    now = T1;
  });
  afterAll(() => sim.close());

  it('collects every campaign, ISP row, seed row, rule and preview of the ground truth once; running tests stay pending', async () => {
    const s = await run();
    expect(s.itemsFailed).toBe(0);
    expect(s.counters.retries).toBeGreaterThan(0);
    const truth = sim.truth();
    expect(truth.campaigns.some((c) => c.status === 'pending')).toBe(true);
    const campaigns = await query('select campaign_id, epoch_ms(sent_at), status from sendsage_campaigns order by 1');
    expect(campaigns).toEqual(
      [...truth.campaigns]
        .sort((a, b) => a.campaignId - b.campaignId)
        .map((c) => [c.campaignId, c.sentAt * 1000, c.status]),
    );
    expect(s.datasets.find((d) => d.dataset === 'campaigns')!.pending).toBe(
      truth.campaigns.filter((c) => c.status === 'pending').length,
    );
  });

  it('collects running tests again on a later run until done; then re-runs change nothing', async () => {
    now = T1 + 3 * 3_600_000;
    const second = await run();
    expect(second.itemsFailed).toBe(0);
    const truth = sim.truth();
    expect(truth.campaigns.every((c) => c.status === 'done')).toBe(true);

    const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(
      sorted(await query('select campaign_id, status, pct_inbox, pct_bulk, pct_missing from sendsage_campaigns')),
    ).toEqual(sorted(truth.campaigns.map((c) => [c.campaignId, c.status, c.pctInbox, c.pctBulk, c.pctMissing])));
    expect(
      sorted(
        await query(
          'select campaign_id, isp_name, count_inbox, count_bulk, count_missing, count_total from sendsage_isp_results',
        ),
      ),
    ).toEqual(
      sorted(
        truth.ispResults.map((r) => [r.campaignId, r.name, r.countInbox, r.countBulk, r.countMissing, r.countTotal]),
      ),
    );
    expect(
      sorted(await query('select campaign_id, message_id, location, duplicate from sendsage_seed_results')),
    ).toEqual(sorted(truth.seedResults.map((r) => [r.campaignId, r.messageId, r.location, r.duplicate])));
    expect(sorted(await query('select campaign_id, rule, score from sendsage_spam_rules'))).toEqual(
      sorted(truth.spamRules.map((r) => [r.campaignId, r.rule, r.score])),
    );
    expect(sorted(await query('select distinct preview_id from sendsage_previews'))).toEqual(
      sorted(truth.previews.map((p) => [p.previewId])),
    );
    // Messages were fetched for every seed that arrived in the bulk folder, with their authentication results.
    const bulk = truth.messages.filter((m) => m.location === 'bulk');
    const got = sorted(await query('select message_id, spf, dkim from sendsage_messages'));
    const want = sorted(bulk.map((m) => [m.messageId, m.auth?.spf ?? null, m.auth?.dkim ?? null]));
    expect(got).toEqual(want);

    const files = await lakeFiles(lakeDir);
    const third = await run();
    expect(third.datasets.find((d) => d.dataset === 'campaigns')!.collected).toBe(0);
    expect(await lakeFiles(lakeDir)).toEqual(files);
  });

  it('DuckDB reads every table with the documented types', async () => {
    const q = await openLakeQuery({ lakeDir, tables: allTables });
    try {
      for (const table of sendsageTables) {
        const types = Object.fromEntries((await q.run(`describe ${table.name}`)).rows.map((r) => [r[0], r[1]]));
        for (const c of table.columns) expect(types[c.name], `${table.name}.${c.name}`).toBe(duckdbType[c.type]);
        expect(types.dt).toBe('DATE');
      }
    } finally {
      await q.close();
    }
  });

  it('never sends credentials in a URL, and the password is in no file of the lake', async () => {
    expect(sim.stats().credentialsInQuery).toBe(0);
    for (const f of await lakeFiles(lakeDir, true)) {
      expect((await readFile(join(lakeDir, f))).includes(PASSWORD), f).toBe(false);
    }
  });

  it('wrong password: authentication failed, the password printed nowhere, nothing written', async () => {
    const lake = await scratch('ss-badpw');
    const wrong = 'Wr0ng-Pa55-Phrase';
    const res = await runCli(['collect', 'sendsage', '--days', '10'], {
      ...env(),
      SENDSAGE_PASSWORD: wrong,
      INBOXLAKE_LAKE: lake,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/authentication failed/);
    expect(`${res.stdout}${res.stderr}`).not.toContain(wrong);
    expect(await lakeFiles(lake, true)).toEqual([]);
  });
});
