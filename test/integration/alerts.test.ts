import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsReportSchema } from '../../shared/alerts/model';
import { produceAlerts } from '../../shared/app/alerts';
import { digestSchema } from '../../shared/digest/model';
import { readAlertHistory } from '../../shared/lake/alert-history';
import { ALERTS_STATE_PREFIX, alertStateKey } from '../../shared/lake/layout';
import type { ObjectStore } from '../../shared/lake/object-store';
import { startV2Simulator, type V2Simulator } from '../../shared/sandbox/socketlabs-v2/server';
import { runCli } from '../helpers/cli';
import { localStore, runCollection, scratch } from '../helpers/collect';
import { KEY_V2, v2Env } from '../helpers/collect-v2';
import { BLOCKED, DOMAIN, FROM, plantBlock, SERVERS, TO } from '../helpers/planted-block';

describe('inboxlake alerts over a lake collected from the v2 simulator', () => {
  let sim: V2Simulator;
  let lake: string;
  const env = () => ({ INBOXLAKE_LAKE: lake, INBOXLAKE_TMP: join(lake, '..') });

  beforeAll(async () => {
    // Every day alike (about 8 000 status events per server), so the planted hour is the only thing out of the usual.
    sim = await startV2Simulator({ serverIds: SERVERS, from: FROM, to: TO, apiKey: KEY_V2, profile: () => 8000 });
    plantBlock(sim);
    lake = await scratch('alerts-lake');
    await runCollection({ store: localStore(lake), env: v2Env(sim, SERVERS, 100), from: FROM, to: TO });
  });
  afterAll(() => sim.close());

  it('the hour after the block: exactly one block alert naming the server, the domain and the dominant code', async () => {
    const out = await scratch('alerts-out');
    const res = await runCli(['alerts', '--at', '2026-11-20T10:05:00Z', '--out', out], env());
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const report = alertsReportSchema.parse(JSON.parse(await readFile(join(out, 'alerts.json'), 'utf8')));
    expect(report.closed_until).toBe('2026-11-20T10:00:00.000Z');
    const blocks = report.alerts.filter((a) => a.metric === 'block_failures');
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({
      severity: 'critical',
      scope: { kind: 'domain', server_id: BLOCKED, domain: DOMAIN, code: 1002 },
      window_minutes: 60,
      since: '2026-11-20T09:00:00.000Z',
      state: 'open',
    });
    // The 72 planted failures and the few 1xxx at the domain the simulator draws anyway, against a handful usually.
    expect(blocks[0]!.value).toBeGreaterThanOrEqual(72);
    expect(blocks[0]!.baseline).toBeLessThan(10);
    // Nothing else is out of the usual in the simulated week; the block's failures raise the server's bounce rate
    // too, but they are the block alert's (no second alert for one incident).
    expect(report.alerts).toHaveLength(1);
    expect(res.stdout).toContain('1 open alert at 2026-11-20T10:00:00.000Z');
    expect(res.stdout).toMatch(/CRITICAL +block_failures +server 42 yahoo\.com code 1002: \d+ vs/);
  });

  it('a normal hour: no alert', async () => {
    const out = await scratch('alerts-normal');
    const res = await runCli(['alerts', '--at', '2026-11-19T10:05:00Z', '--out', out], env());
    expect(res.code).toBe(0);
    const report = alertsReportSchema.parse(JSON.parse(await readFile(join(out, 'alerts.json'), 'utf8')));
    expect(report.alerts).toEqual([]);
    expect(res.stdout).toContain('0 open alerts at 2026-11-19T10:00:00.000Z');
  });

  it('no alert at any hour of a normal day (the same evaluation in process)', async () => {
    const store = localStore(lake);
    const found: string[] = [];
    for (let h = 0; h < 24; h++) {
      const at = Date.parse('2026-11-19T00:05:00Z') + h * 3_600_000;
      const { report } = await produceAlerts(store, { at });
      for (const a of report.alerts) found.push(`${new Date(at).toISOString()} ${a.id}`);
      expect(report.unreadable_files).toEqual([]);
    }
    expect(found).toEqual([]);
  });

  /** A copy of the collected lake without any alert state: a lifecycle of its own. */
  async function freshLake(): Promise<string> {
    const dir = await scratch('alerts-lifecycle');
    const state = join(lake, ALERTS_STATE_PREFIX);
    await cp(lake, dir, { recursive: true, filter: (src) => !`${src}/`.startsWith(state) });
    return dir;
  }
  const cli = async (at: string, lakeDir: string) => {
    const out = await scratch('alerts-out');
    const res = await runCli(['alerts', '--at', at, '--out', out], {
      INBOXLAKE_LAKE: lakeDir,
      INBOXLAKE_TMP: join(lakeDir, '..'),
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const report = alertsReportSchema.parse(JSON.parse(await readFile(join(out, 'alerts.json'), 'utf8')));
    return { stdout: res.stdout, report, states: report.alerts.map((a) => `${a.id} ${a.state}`) };
  };

  it('lifecycle through the CLI: opened after the block hour, nothing new again, resolved once it cleared', async () => {
    const dir = await freshLake();
    const id = `block_failures:${BLOCKED}:${DOMAIN}`;
    const opened = await cli('2026-11-20T10:05:00Z', dir);
    expect(opened.report.lifecycle).toBe('advanced');
    expect(opened.states).toEqual([`${id} open`]);
    expect(opened.stdout).toMatch(/since 2026-11-20T09:00:00\.000Z \(new\)/);

    const again = await cli('2026-11-20T10:05:00Z', dir);
    expect(again.states).toEqual([`${id} ongoing`]);
    expect(again.stdout).toContain('(already announced)');

    // An hour on, the 3 h window still holds the block: open, quiet (the reminder is due 6 h after the opening).
    const hourOn = await cli('2026-11-20T11:05:00Z', dir);
    expect(hourOn.states).toEqual([`${id} ongoing`]);
    expect(hourOn.report.alerts[0]!.since).toBe('2026-11-20T09:00:00.000Z');

    // 13:05: the windows (10:00–13:00) no longer see the block.
    const clean = await cli('2026-11-20T13:05:00Z', dir);
    expect(clean.states).toEqual([`${id} resolved`]);
    expect(clean.report.alerts[0]).toMatchObject({ scope: { server_id: BLOCKED, domain: DOMAIN, code: 1002 } });
    expect(clean.stdout).toContain('0 open alerts at 2026-11-20T13:00:00.000Z');
    expect(clean.stdout).toContain('1 resolved since the last evaluation');

    const after = await cli('2026-11-20T14:05:00Z', dir);
    expect(after.states).toEqual([]);

    // The block hour looked at again afterwards: reported as detected, nothing announced, the state left alone.
    const back = await cli('2026-11-20T10:05:00Z', dir);
    expect(back.report.lifecycle).toBe('look_back');
    expect(back.states).toEqual([`${id} open`]);
    expect(back.stdout).toContain('a look back');
    expect((await cli('2026-11-20T15:05:00Z', dir)).states).toEqual([]);

    // The history holds the two announcements once each, whatever was evaluated again or looked back at.
    const day = Date.parse('2026-11-20T00:00:00Z');
    const history = await readAlertHistory(localStore(dir), day, day + 86_400_000, []);
    expect(history.map((e) => [e.event, e.at, e.opened_at])).toEqual([
      ['opened', '2026-11-20T10:05:00.000Z', '2026-11-20T10:05:00.000Z'],
      ['resolved', '2026-11-20T13:05:00.000Z', '2026-11-20T10:05:00.000Z'],
    ]);
    expect(history[1]).toMatchObject({ id, metric: 'block_failures', scope: { server_id: BLOCKED, domain: DOMAIN } });
    expect(history[1]!.peak_value).toBeGreaterThanOrEqual(72);

    // The digest of that day (in New York: 10:05 UTC is 05:05 local) lists the incident from the history.
    const out = await scratch('alerts-digest');
    const digest = await runCli(['digest', '--date', '2026-11-20', '--timezone', 'America/New_York', '--out', out], {
      INBOXLAKE_LAKE: dir,
      INBOXLAKE_TMP: join(dir, '..'),
    });
    expect(digest.code).toBe(0);
    const json = digestSchema.parse(JSON.parse(await readFile(join(out, 'digest.json'), 'utf8')));
    expect(json.intraday).toEqual([
      {
        id,
        metric: 'block_failures',
        severity: 'critical',
        where: `server ${BLOCKED} ${DOMAIN} code 1002`,
        unit: 'count',
        peak_value: history[1]!.peak_value,
        peak_baseline: history[1]!.peak_baseline,
        opened_at: '2026-11-20T10:05:00.000Z',
        resolved_at: '2026-11-20T13:05:00.000Z',
      },
    ]);
    const text = await readFile(join(out, 'digest.txt'), 'utf8');
    expect(text).toMatch(/\[CRITICAL\] +block failures · server 42 yahoo\.com code 1002 · peak \d+ vs [\d.]+\n/);
    expect(text).toContain('opened 20 Nov 05:05 · resolved 20 Nov 08:05');
    // The day before has none.
    const before = await runCli(['digest', '--date', '2026-11-19', '--timezone', 'UTC', '--out', out], {
      INBOXLAKE_LAKE: dir,
      INBOXLAKE_TMP: join(dir, '..'),
    });
    expect(before.code).toBe(0);
    expect(digestSchema.parse(JSON.parse(await readFile(join(out, 'digest.json'), 'utf8'))).intraday).toEqual([]);
  });

  it('two evaluations racing on the same store announce the opening exactly once', async () => {
    const store = localStore(await freshLake());
    // Both read the (absent) state before either writes: the race is certain, not left to the scheduler.
    const raced = barrierOnFirstReads(store, 2);
    const at = Date.parse('2026-11-20T10:05:00Z');
    const results = await Promise.all([produceAlerts(raced.store, { at }), produceAlerts(raced.store, { at })]);
    expect(raced.lostWrites()).toBe(1);
    const opened = results.flatMap((r) => r.announcements.opened.map((a) => a.id));
    expect(opened).toEqual([`block_failures:${BLOCKED}:${DOMAIN}`]);
    const ongoing = results.flatMap((r) => r.announcements.ongoing.map((a) => a.id));
    expect(ongoing).toEqual(opened);
    // Only the winner recorded the opening in the history, once.
    const history = await readAlertHistory(store, at - 3_600_000, at + 1, []);
    expect(history.map((e) => [e.event, e.id, e.at])).toEqual([['opened', opened[0], new Date(at).toISOString()]]);
    // And the state both agree on keeps it open: the next hour is quiet.
    const next = await produceAlerts(store, { at: at + 3_600_000 });
    expect(next.announcements.opened).toEqual([]);
    expect(next.announcements.ongoing.map((a) => a.id)).toEqual(opened);
  });

  it('refuses a bad --at with exit 2', async () => {
    const res = await runCli(['alerts', '--at', 'yesterday'], env());
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--at must be an ISO instant');
  });
});

/**
 * The store, with its first `n` conditional reads held until all `n` have arrived, so `n` evaluations all see the
 * same state before any writes; and a count of the conditional writes that lost.
 */
function barrierOnFirstReads(store: ObjectStore, n: number) {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((r) => {
    release = r;
  });
  let lost = 0;
  const raced: ObjectStore = Object.create(store);
  raced.getWithTag = async (key) => {
    if (arrived < n) {
      arrived++;
      if (arrived === n) release();
      await all;
    }
    return store.getWithTag(key);
  };
  // Lost writes of the state document only: the history's conditional creates are no-ops by design when repeated.
  raced.putIfAbsent = async (...args) => {
    const created = await store.putIfAbsent(...args);
    if (!created && args[0] === alertStateKey()) lost++;
    return created;
  };
  raced.putIfMatch = async (...args) => {
    const tag = await store.putIfMatch(...args);
    if (tag === null) lost++;
    return tag;
  };
  return { store: raced, lostWrites: () => lost };
}
