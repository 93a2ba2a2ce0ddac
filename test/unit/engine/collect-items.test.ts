import { describe, expect, it } from 'vitest';
import { fileWriters } from '../../../shared/app/lake';
import { systemClock } from '../../../shared/core/clock';
import { ApiRequestError, DeadlineError, TransientApiError } from '../../../shared/core/errors';
import { collectItems, type ItemDataset } from '../../../shared/engine/collect-items';
import { sendsageSpamRules } from '../../../shared/sources/sendsage/tables';
import { lakeFiles, localStore, scratch } from '../../helpers/collect';

interface Item {
  id: number;
  day: string;
  done: boolean;
  fail?: boolean;
}

function dataset(items: Item[], calls: number[]): ItemDataset<Item> {
  return {
    source: 'fake',
    dataset: 'campaigns',
    scope: 'account',
    list: async () => items,
    key: (i) => String(i.id),
    collect: async (i) => {
      calls.push(i.id);
      if (i.fail) throw new ApiRequestError('campaign not found', 404);
      const sentAt = Date.parse(`${i.day}T10:00:00Z`);
      return {
        complete: i.done,
        tables: [
          {
            table: sendsageSpamRules,
            partition: { dt: i.day },
            rows: [{ campaign_id: i.id, sent_at: sentAt, rule: 'R', score: 1, ingested_at: sentAt }],
            quarantine: [],
          },
        ],
      };
    },
  };
}

const options = async (dir: string) => ({
  store: localStore(dir),
  formats: ['parquet'] as const,
  writers: fileWriters,
  tmpDir: await scratch('items-tmp'),
  clock: systemClock,
  signal: new AbortController().signal,
  deadline: Number.POSITIVE_INFINITY,
  reserveMs: 0,
  concurrency: 2,
});

describe('collectItems', () => {
  it('skips complete items, collects running ones again, reports a failed item without stopping', async () => {
    const dir = await scratch('items');
    const items: Item[] = [
      { id: 1, day: '2026-11-20', done: true },
      { id: 2, day: '2026-11-20', done: false },
      { id: 3, day: '2026-11-21', done: true, fail: true },
    ];
    const calls: number[] = [];
    const first = await collectItems(dataset(items, calls), await options(dir));
    expect([first.collected, first.pending, first.failed.length]).toEqual([2, 1, 1]);
    calls.length = 0;
    const second = await collectItems(dataset(items, calls), await options(dir));
    expect(calls.sort()).toEqual([2, 3]);
    expect(second.skippedComplete).toBe(1);
  });

  it('an item whose date changes moves: its earlier files are removed', async () => {
    const dir = await scratch('items-move');
    const calls: number[] = [];
    await collectItems(dataset([{ id: 9, day: '2026-11-20', done: false }], calls), await options(dir));
    await collectItems(dataset([{ id: 9, day: '2026-11-19', done: true }], calls), await options(dir));
    expect((await lakeFiles(dir)).filter((f) => f.startsWith('sendsage_spam_rules/'))).toEqual([
      'sendsage_spam_rules/dt=2026-11-19/part-campaigns-9.parquet',
    ]);
  });

  it('with no time left to list, lists nothing and leaves the dataset for the next run', async () => {
    const dir = await scratch('items-late');
    const calls: number[] = [];
    let listed = 0;
    const ds = dataset([{ id: 1, day: '2026-11-20', done: true }], calls);
    const report = await collectItems(
      {
        ...ds,
        list: async (signal) => {
          listed++;
          return ds.list(signal);
        },
      },
      { ...(await options(dir)), deadline: systemClock.monotonic() - 1 },
    );
    expect([listed, calls.length, report.left]).toEqual([0, 0, 1]);
  });

  it('a list call the deadline cuts leaves the dataset for the next run instead of failing it', async () => {
    const dir = await scratch('items-cut');
    const ds = dataset([], []);
    const report = await collectItems(
      {
        ...ds,
        list: async () => {
          throw new DeadlineError('deadline reached while listing');
        },
      },
      await options(dir),
    );
    expect(report.left).toBe(1);
  });

  it('a list call that keeps failing fails only its dataset, reported, instead of stopping the run', async () => {
    const dir = await scratch('items-list-fails');
    const ds = dataset([], []);
    // Before: the error was thrown, so the datasets after it were never collected and no summary was printed.
    const report = await collectItems(
      {
        ...ds,
        list: async () => {
          throw new TransientApiError('GET /tests answered 200 with an empty body');
        },
      },
      await options(dir),
    );
    expect(report.failed).toEqual([{ key: '(list)', error: 'GET /tests answered 200 with an empty body' }]);
    expect(report.left).toBe(0);
  });

  it('unreadable item state is named in a warning and read as empty: every listed item is collected again', async () => {
    const dir = await scratch('items-corrupt');
    const items: Item[] = [
      { id: 1, day: '2026-11-20', done: true },
      { id: 2, day: '2026-11-21', done: true },
    ];
    const key = '_state/items/fake/account/campaigns.json';
    await localStore(dir).putBytes(key, '{"version":1,"items":{"1":{"complete":tr', 'application/json');
    const warnings: string[] = [];
    const calls: number[] = [];
    // Before: the run failed with "Unterminated string in JSON…", naming no file.
    const report = await collectItems(dataset(items, calls), {
      ...(await options(dir)),
      warn: (m: string) => warnings.push(m),
    });
    expect(report.collected).toBe(2);
    expect(calls.sort()).toEqual([1, 2]);
    expect(warnings).toEqual([expect.stringContaining(`item state ${key} is unreadable`)]);
    // Written afresh: the next run skips both.
    const next = await collectItems(dataset(items, []), await options(dir));
    expect(next.skippedComplete).toBe(2);
  });
});
