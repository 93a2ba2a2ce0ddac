import { beforeAll, describe, expect, it } from 'vitest';
import { readAlertCounts } from '../../shared/alerts/reader';
import { digestTables } from '../../shared/digest/roles';
import { LocalFolderStore } from '../../shared/lake/local-store';
import { sources } from '../../shared/sources';
import { scratch } from '../helpers/collect';
import { evaluateHourly, type LandedFigures, landNormalTraffic, normalServers } from '../helpers/normal-traffic';

// Seven days of baseline, then two evaluated days (a Friday and a Saturday: the weekly rhythm's drop included).
const FROM = '2026-09-02';
const EVALUATED = { from: Date.parse('2026-09-09T00:00:00Z'), to: Date.parse('2026-09-11T00:00:00Z') };
const SERVERS = normalServers.filter((s) => s.id === 203 || s.id === 204);

describe('normal traffic raises no intraday alert (the false-alarm check; `npm run bench -- alerts` runs 60 days)', () => {
  let lake: string;
  let figures: Map<number, LandedFigures>;

  beforeAll(async () => {
    lake = await scratch('alerts-normal');
    figures = await landNormalTraffic(lake, { from: FROM, days: 9, servers: SERVERS, seed: 3 });
  }, 120_000);

  it('the servers have realistic rates and the evaluated hours hold their traffic', async () => {
    for (const s of SERVERS) {
      const f = figures.get(s.id)!;
      expect(f.bounces / f.queued, `server ${s.id} bounce rate`).toBeGreaterThan(0.005);
      expect(f.bounces / f.queued, `server ${s.id} bounce rate`).toBeLessThan(0.035);
      // A few dozen complaints in nine days: the sample wanders around the server's long-run 0.03–0.1 %.
      expect(f.complaints / f.delivered, `server ${s.id} complaint rate`).toBeLessThan(0.002);
    }
    const counts = await readAlertCounts(
      new LocalFolderStore(lake),
      digestTables(sources),
      EVALUATED.from,
      EVALUATED.to,
    );
    const queued = (id: number) => counts.servers.filter((c) => c.server === id).reduce((n, c) => n + c.queued, 0);
    for (const s of SERVERS) expect(queued(s.id)).toBeGreaterThan(1000);
    expect(counts.failures.length).toBeGreaterThan(0);
  });

  it('hourly evaluation over two normal days opens nothing', async () => {
    const result = await evaluateHourly(lake, EVALUATED);
    expect(result.evaluations).toBe(48);
    expect(result.opened.map((o) => `${new Date(o.at).toISOString()} ${o.alert.id}`)).toEqual([]);
  });
});
