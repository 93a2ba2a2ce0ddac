import { describe, expect, it } from 'vitest';
import {
  alertHistoryDayPrefix,
  alertHistoryEventKey,
  alertOutboxKey,
  checkpointKey,
  digestSentMarkerKey,
  itemStateKey,
  leaseKey,
  sourceStatePrefixes,
  tableDayPrefix,
  tablePrefixes,
} from '../../../shared/lake/layout';

// The keys are the lake's on-disk contract (deployed buckets, IAM prefixes, lifecycle rules): pin them exactly.
describe('lake layout', () => {
  it.each([
    [
      'checkpoint',
      checkpointKey('socketlabs_v1', '1234', 'failed'),
      '_state/checkpoints/socketlabs_v1/1234/failed.json',
    ],
    ['item state', itemStateKey('sendsage', 'a/b', 'campaigns'), '_state/items/sendsage/a%2Fb/campaigns.json'],
    ['lease', leaseKey('socketlabs_v2', '1234', 'messages'), '_state/leases/socketlabs_v2/1234/messages.json'],
    ['digest marker', digestSentMarkerKey('2026-11-20'), '_state/digest/sent/2026-11-20.json'],
    ['alert history day', alertHistoryDayPrefix('2026-11-20'), '_state/alerts/history/2026-11-20/'],
    [
      'alert history event',
      alertHistoryEventKey(Date.parse('2026-11-20T10:05:00.250Z'), 'opened', 'block_failures:42:yahoo.com'),
      '_state/alerts/history/2026-11-20/20261120T100500250Z.opened.block_failures%3A42%3Ayahoo.com.json',
    ],
    [
      'alert outbox entry',
      alertOutboxKey(Date.parse('2026-11-20T10:05:00.250Z'), 'resolved', 'block_failures:42:yahoo.com', 'sns'),
      '_state/alerts/outbox/20261120T100500250Z.resolved.block_failures%3A42%3Ayahoo.com.sns.json',
    ],
    [
      'rollup day',
      tableDayPrefix('rollups', 'socketlabs_failed', '2026-11-20'),
      '_rollups/socketlabs_failed/dt=2026-11-20/',
    ],
  ])('names the %s key', (_name, key, expected) => {
    expect(key).toBe(expected);
  });

  it("gives a table's three areas and a source's three state folders", () => {
    expect(tablePrefixes('t')).toEqual(['t/', '_rollups/t/', '_quarantine/t/']);
    expect(sourceStatePrefixes('s')).toEqual(['_state/checkpoints/s/', '_state/items/s/', '_state/leases/s/']);
  });

  it('every state key of a source lies under one of its state prefixes', () => {
    const prefixes = sourceStatePrefixes('sendsage');
    for (const key of [checkpointKey, itemStateKey, leaseKey].map((f) => f('sendsage', 'x', 'd'))) {
      expect(
        prefixes.some((p) => key.startsWith(p)),
        key,
      ).toBe(true);
    }
  });

  it('refuses a digest date that is not YYYY-MM-DD', () => {
    expect(() => digestSentMarkerKey('2026-11-2')).toThrow(/YYYY-MM-DD/);
  });
});
