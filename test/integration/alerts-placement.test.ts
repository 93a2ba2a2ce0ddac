import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertAnnouncements, produceAlerts } from '../../shared/app/alerts';
import { fileWriters } from '../../shared/app/lake';
import { systemClock } from '../../shared/core/clock';
import { digestSchema } from '../../shared/digest/model';
import { RateBudgetRegistry } from '../../shared/engine/rate-budget';
import { defaultRetryPolicy } from '../../shared/engine/retry';
import { readAlertHistory } from '../../shared/lake/alert-history';
import { silentLogger } from '../../shared/log';
import { generateSendSageData } from '../../shared/sandbox/sendsage/dataset';
import { type SendSageSimulator, startSendSageSimulator } from '../../shared/sandbox/sendsage/server';
import { loadSendSageConfig } from '../../shared/sources/sendsage/config';
import { runCli } from '../helpers/cli';
import { localStore, scratch } from '../helpers/collect';
import { collectSendSage } from '../helpers/sources';

const USER = 'monitor-user';
const PASSWORD = 'S3cret-pa55word!';
const SIM = { seed: 12, from: '2026-11-19', to: '2026-11-20', campaignsPerDay: 3 } as const;
const H = 3_600_000;
/** The scheduled runs: collect, then evaluate a minute later, every hour from 00:10 UTC into the next morning. */
const FIRST_RUN = Date.parse('2026-11-20T00:10:00Z');
const RUNS = 30;

// The first test sent on the 20th is planted far below the thresholds (its base inbox rate 70 points lower).
const planted = generateSendSageData(SIM).campaigns.find((c) => c.sentSec * 1000 >= Date.parse('2026-11-20'))!;

describe('SendSage placement alerts over hourly collections from the simulator', () => {
  let sim: SendSageSimulator;
  let now = FIRST_RUN;
  let lakeDir: string;
  const runs: { at: number; announced: AlertAnnouncements }[] = [];

  beforeAll(async () => {
    sim = await startSendSageSimulator({
      ...SIM,
      username: USER,
      password: PASSWORD,
      now: () => new Date(now),
      inboxShift: (sentSec) => (sentSec === planted.sentSec ? -0.7 : 0),
    });
    lakeDir = await scratch('alerts-placement');
    const store = localStore(lakeDir);
    const config = loadSendSageConfig({
      SENDSAGE_API_URL: sim.url,
      SENDSAGE_USERNAME: USER,
      SENDSAGE_PASSWORD: PASSWORD,
      SENDSAGE_REQUESTS_PER_SECOND: '500',
    });
    for (let i = 0; i < RUNS; i++) {
      now = FIRST_RUN + i * H;
      const summary = await collectSendSage(
        config,
        { days: 3 },
        {
          store,
          formats: ['parquet'],
          writers: fileWriters,
          tmpDir: await scratch('ss-tmp'),
          fetch: (url, init) => fetch(url, init),
          // The lake's ingested_at is the simulated run time: when the collection learned a test was done.
          clock: { ...systemClock, now: () => now },
          budgets: new RateBudgetRegistry(),
          log: silentLogger,
          retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 50 },
        },
      );
      expect(summary.itemsFailed).toBe(0);
      const at = now + 60_000;
      const { announcements, report } = await produceAlerts(store, { at });
      expect(report.unreadable_files).toEqual([]);
      runs.push({ at, announced: announcements });
    }
  }, 600_000);
  afterAll(() => sim.close());

  const iso = (t: number) => new Date(t).toISOString();

  it('the planted test opens one critical alert at the first run after it finished, with the truth figures', () => {
    const truth = sim.truth(new Date(now)).campaigns.find((c) => c.campaignId === planted.campaignId)!;
    expect(truth.status).toBe('done');
    expect(truth.pctInbox).toBeLessThan(60);
    const id = `inbox_placement:${planted.campaignId}`;
    const openedIn = runs.filter((r) => r.announced.opened.some((a) => a.id === id));
    expect(openedIn).toHaveLength(1);
    // A test runs two hours; the first run at or after that sees it done.
    const finished = planted.sentSec * 1000 + 2 * H;
    const firstAfter = runs.find((r) => r.at - 60_000 >= finished)!;
    expect(openedIn[0]!.at).toBe(firstAfter.at);
    const alert = openedIn[0]!.announced.opened.find((a) => a.id === id)!;
    expect(alert).toMatchObject({
      severity: 'critical',
      metric: 'inbox_placement',
      scope: { kind: 'campaign', server_id: null, domain: null, code: null, campaign_id: planted.campaignId },
      value: truth.pctInbox / 100,
      baseline: 0.6,
      count: truth.countInbox,
      volume: truth.countTotal,
      window_minutes: 180,
      since: iso(planted.sentSec * 1000),
    });
    expect(alert.p_value).toBeLessThan(1e-6);
    expect(alert.advice).toContain(`SendSage test ${planted.campaignId}`);
  });

  it('every finished test below the warning threshold opens once and resolves once three hours later; none above', () => {
    const truth = sim.truth(new Date(now)).campaigns;
    expect(truth.every((c) => c.status === 'done')).toBe(true);
    const below = truth.filter((c) => c.pctInbox < 80).map((c) => `inbox_placement:${c.campaignId}`);
    const opened = runs.flatMap((r) => r.announced.opened.map((a) => a.id));
    const resolved = runs.flatMap((r) => r.announced.resolved.map((a) => a.id));
    expect(opened.sort()).toEqual(below.sort());
    expect(resolved.sort()).toEqual(below.sort());
    // Both generations of tests: the ones above the threshold raise nothing (the planted one is not alone in its day).
    expect(truth.length).toBeGreaterThan(below.length);
    for (const id of below) {
      const o = runs.findIndex((r) => r.announced.opened.some((a) => a.id === id));
      const r = runs.findIndex((x) => x.announced.resolved.some((a) => a.id === id));
      expect(r - o, id).toBe(3);
    }
  });

  it('the history and the digest of the day list the planted alert, opened and resolved', async () => {
    const id = `inbox_placement:${planted.campaignId}`;
    const store = localStore(lakeDir);
    const history = (await readAlertHistory(store, FIRST_RUN, now + H, [])).filter((e) => e.id === id);
    expect(history.map((e) => e.event)).toEqual(['opened', 'resolved']);
    const out = await scratch('alerts-placement-digest');
    const res = await runCli(['digest', '--date', '2026-11-20', '--timezone', 'UTC', '--out', out], {
      INBOXLAKE_LAKE: lakeDir,
      INBOXLAKE_TMP: join(lakeDir, '..'),
    });
    expect(res.code).toBe(0);
    const digest = digestSchema.parse(JSON.parse(await readFile(join(out, 'digest.json'), 'utf8')));
    expect(digest.intraday.find((x) => x.id === id)).toEqual({
      id,
      metric: 'inbox_placement',
      severity: 'critical',
      where: `SendSage test ${planted.campaignId}`,
      unit: 'share',
      peak_value: history[0]!.value,
      peak_baseline: 0.6,
      opened_at: history[0]!.at,
      resolved_at: history[1]!.at,
    });
    // The same test in the day's placement section, below the threshold there too.
    expect(digest.alerts.some((a) => a.scope.kind === 'campaign' && a.scope.campaign_id === planted.campaignId)).toBe(
      true,
    );
    const text = await readFile(join(out, 'digest.txt'), 'utf8');
    expect(text).toMatch(new RegExp(`\\[CRITICAL\\] +inbox placement · SendSage test ${planted.campaignId} · peak`));
  });
});
