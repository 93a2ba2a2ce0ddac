import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsReportSchema } from '../../shared/alerts/model';
import { produceAlerts } from '../../shared/app/alerts';
import { windowId } from '../../shared/core/windows';
import { fileKey } from '../../shared/lake/layout';
import { createRollup } from '../../shared/lake/rollup';
import type { Row } from '../../shared/lake/table';
import { startV2Simulator, type V2Simulator } from '../../shared/sandbox/socketlabs-v2/server';
import { socketlabsMessages } from '../../shared/sources/socketlabs-v2/tables';
import { runCli } from '../helpers/cli';
import { localStore, runCollection, scratch } from '../helpers/collect';
import { KEY_V2, v2Env } from '../helpers/collect-v2';

const FROM = '2026-11-12';
const TO = '2026-11-20';
const SERVERS = [41, 42];
const BLOCKED = 42;
const DOMAIN = 'yahoo.com';
/** The block starts at 09:00 UTC on the last day and lasts the hour. */
const INCIDENT = { start: Date.parse('2026-11-20T09:00:00Z'), end: Date.parse('2026-11-20T10:00:00Z') };
const Q = 15 * 60_000;

/**
 * The simulator draws volumes per day and codes from the guide's weights, so it cannot turn one domain's traffic into
 * blocks from a given hour: the incident's failures are counted by the real rollup writer (the accumulator the lake
 * writer uses) and published beside the collected rollups, as a collection of that hour would have.
 */
async function plantBlock(lake: string) {
  const partition = { dt: '2026-11-20', server_id: String(BLOCKED) };
  const rows: Row[] = [];
  // 18 failures a quarter-hour at the domain: 1002 (blacklist) dominant, some 1004 (content) and 1999.
  for (let p = INCIDENT.start; p < INCIDENT.end; p += Q) {
    const codes = [...Array(12).fill(1002), ...Array(4).fill(1004), ...Array(2).fill(1999)] as number[];
    for (const [i, code] of codes.entries()) {
      rows.push({
        event_time: p + i * 30_000,
        event_type: 'failed',
        failure_type_name: 'hard',
        failure_code: code,
        recipient_domain: DOMAIN,
        to_address: `user${p / Q}-${i}@${DOMAIN}`,
        reason: '554 5.7.1 Message rejected: sending IP listed on a blocklist',
        complaint_type: null,
      });
    }
  }
  const store = localStore(lake);
  for (const def of socketlabsMessages.rollups) {
    const acc = createRollup(socketlabsMessages, def);
    for (const r of rows) acc.add(r);
    const doc = acc.finish(INCIDENT, partition);
    const key = fileKey('rollups', socketlabsMessages, partition, windowId(INCIDENT), `${def.name}.json`);
    await store.putBytes(key, JSON.stringify(doc), 'application/json');
  }
}

describe('inboxlake alerts over a lake collected from the v2 simulator', () => {
  let sim: V2Simulator;
  let lake: string;
  const env = () => ({ INBOXLAKE_LAKE: lake, INBOXLAKE_TMP: join(lake, '..') });

  beforeAll(async () => {
    // Every day alike (about 8 000 status events per server), so the planted hour is the only thing out of the usual.
    sim = await startV2Simulator({ serverIds: SERVERS, from: FROM, to: TO, apiKey: KEY_V2, profile: () => 8000 });
    lake = await scratch('alerts-lake');
    await runCollection({ store: localStore(lake), env: v2Env(sim, SERVERS, 100), from: FROM, to: TO });
    await plantBlock(lake);
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

  it('refuses a bad --at with exit 2', async () => {
    const res = await runCli(['alerts', '--at', 'yesterday'], env());
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--at must be an ISO instant');
  });
});
