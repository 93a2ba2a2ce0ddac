import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AlertHistoryEvent, readAlertHistory, recordAlertHistory } from '../../../shared/lake/alert-history';
import { alertHistoryDayPrefix } from '../../../shared/lake/layout';
import { LocalFolderStore } from '../../../shared/lake/local-store';

const event = (kind: AlertHistoryEvent['event'], at: string, over: Partial<AlertHistoryEvent> = {}) =>
  ({
    schema_version: 1,
    event: kind,
    at,
    id: 'volume:7',
    metric: 'volume',
    severity: 'critical',
    where: 'server 7',
    scope: { kind: 'server', server_id: 7, domain: null, code: null, campaign_id: null },
    unit: 'count',
    value: 0,
    baseline: 400,
    peak_value: 0,
    peak_baseline: 400,
    opened_at: at,
    since: at,
    window_minutes: 60,
    advice: 'check the injection',
    ...over,
  }) satisfies AlertHistoryEvent;

const lakes: string[] = [];
const freshLake = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'inboxlake-history-'));
  lakes.push(dir);
  return dir;
};
afterAll(() => Promise.all(lakes.map((d) => rm(d, { recursive: true, force: true }))));

describe('alert history', () => {
  it('records each transition once, however often it is recorded, and reads a span back in order', async () => {
    const lake = await freshLake();
    const store = new LocalFolderStore(lake);
    const opened = event('opened', '2026-11-20T23:05:00.000Z');
    const resolved = event('resolved', '2026-11-21T02:05:00.000Z', { opened_at: opened.at, value: 380 });
    await recordAlertHistory(store, [opened]);
    await recordAlertHistory(store, [opened, resolved]);
    // A re-record with other figures (a second evaluation of the same instant) keeps the first record.
    await recordAlertHistory(store, [{ ...resolved, value: 1 }]);
    expect(await readdir(join(lake, alertHistoryDayPrefix('2026-11-20')))).toHaveLength(1);
    expect(await readdir(join(lake, alertHistoryDayPrefix('2026-11-21')))).toHaveLength(1);

    const all = await readAlertHistory(
      store,
      Date.parse('2026-11-20T00:00:00Z'),
      Date.parse('2026-11-22T00:00:00Z'),
      [],
    );
    expect(all).toEqual([opened, resolved]);
    // Only what falls in the span, though its date folder holds more.
    const late = await readAlertHistory(
      store,
      Date.parse('2026-11-21T00:00:00Z'),
      Date.parse('2026-11-21T02:05:00Z'),
      [],
    );
    expect(late).toEqual([]);
  });

  it('leaves out and names a document it cannot read', async () => {
    const lake = await freshLake();
    const store = new LocalFolderStore(lake);
    await recordAlertHistory(store, [event('opened', '2026-11-20T10:05:00.000Z')]);
    const bad = `${alertHistoryDayPrefix('2026-11-20')}20261120T110500000Z.opened.x.json`;
    await writeFile(join(lake, bad), '{"schema_version": 1, "event": "opened"');
    const unreadable: { key: string; error: string }[] = [];
    const read = await readAlertHistory(
      store,
      Date.parse('2026-11-20T00:00:00Z'),
      Date.parse('2026-11-21T00:00:00Z'),
      unreadable,
    );
    expect(read.map((e) => e.at)).toEqual(['2026-11-20T10:05:00.000Z']);
    expect(unreadable.map((u) => u.key)).toEqual([bad]);
  });
});
