import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileWriters } from '../../../shared/app/lake';
import { systemClock } from '../../../shared/core/clock';
import { dayWindows } from '../../../shared/core/windows';
import {
  type CollectOptions,
  collectDataset,
  type DatasetReport,
  type WindowedDataset,
} from '../../../shared/engine/collect';
import { checkpointKey } from '../../../shared/lake/layout';
import { openLakeQuery } from '../../../shared/lake/query';
import { mapFailed } from '../../../shared/sources/socketlabs-v1/mapping';
import { socketlabsFailed } from '../../../shared/sources/socketlabs-v1/tables';
import { lakeFiles, localStore, scratch } from '../../helpers/collect';

/** A fake source over an in-memory list: inclusive bounds on both ends, pages by offset. */
function fakeDataset(records: Record<string, unknown>[], calls: string[]): WindowedDataset {
  return {
    kind: 'windowed',
    source: 'fake',
    dataset: 'failed',
    scope: '1',
    table: socketlabsFailed,
    partition: (day) => ({ dt: day, server_id: 1 }),
    pageSize: 2,
    requestPadMs: 1000,
    mapRecord: mapFailed,
    fetchPage: async (window, req) => {
      calls.push(`${new Date(window.start).toISOString()}@${req.offset}`);
      const inRange = records.filter((r) => {
        const t = Date.parse(String(r.DateTime));
        // Malformed dates still come back, as a real API would send whatever it stored.
        return Number.isNaN(t) || (t >= window.start - 1000 && t <= window.end);
      });
      return { items: inRange.slice(req.offset, req.offset + req.size), total: inRange.length };
    },
  };
}

const options = async (dir: string): Promise<CollectOptions> => ({
  store: localStore(dir),
  formats: ['parquet'],
  writers: fileWriters,
  tmpDir: await scratch('tmp'),
  clock: systemClock,
  signal: new AbortController().signal,
  deadline: Number.POSITIVE_INFINITY,
  reserveMs: 0,
  maxRowsPerWindow: 1000,
  maxRereads: 3,
  settleMs: 0,
  requestsPerSecond: 1000,
});

/** Time that passes only as the code sleeps or fetches (100 ms a page), from `at`; `slow` is `ds` paced by it. */
function pagedTime(at: string, ds: WindowedDataset) {
  let elapsed = 0;
  const clock = {
    now: () => Date.parse(at) + elapsed,
    monotonic: () => elapsed,
    sleep: async (ms: number) => {
      elapsed += Math.max(0, ms);
    },
  };
  const slow: WindowedDataset = {
    ...ds,
    fetchPage: async (w, req, signal) => {
      elapsed += 100;
      return ds.fetchPage(w, req, signal);
    },
  };
  return { clock, slow };
}

/** The state machine's loop: runs again while windows are left, at most `max` times; the windows each run read. */
async function untilNoneLeft(max: number, run: () => Promise<DatasetReport>): Promise<number[]> {
  const runs: number[] = [];
  for (let left = 1; left > 0 && runs.length < max; ) {
    const report = await run();
    runs.push(report.windows);
    left = report.left.length;
  }
  return runs;
}

const rec = (DateTime: string, MessageId: string) => ({
  DateTime,
  MessageId,
  ToAddress: `${MessageId}@x.org`,
  FailureType: 1,
});

describe('collectDataset', () => {
  it('places edge records once, quarantines malformed ones with their reason, and does not fail the run', async () => {
    const records = [
      rec('2026-11-20T00:00:00Z', 'midnight'),
      rec('2026-11-20T12:00:00Z', 'noon'),
      { ...rec('2026-11-20T13:00:00Z', 'bad-code'), FailureCode: 'five-five-zero' },
      rec('not a date', 'bad-date'),
      rec('2026-11-20T23:59:59Z', 'last-second'),
      rec('2026-11-21T00:00:00Z', 'next-midnight'),
      rec('2026-11-21T10:00:00Z', 'day-two'),
    ];
    const dir = await scratch('collect');
    const calls: string[] = [];
    const report = await collectDataset(
      fakeDataset(records, calls),
      dayWindows('2026-11-20', '2026-11-21'),
      await options(dir),
    );

    expect(report.windows).toBe(2);
    expect(report.rows).toBe(5);
    // bad-date comes back for both days; bad-code only for its own day.
    expect(report.quarantined).toBe(3);
    // next-midnight is fetched by day one (inclusive end) and day two (padded start): skipped once as an edge.
    expect(report.boundaryRecords).toBe(2);

    const q = await openLakeQuery({ lakeDir: dir, tables: [socketlabsFailed] });
    const ids = (await q.run('select message_id, cast(dt as varchar) from socketlabs_failed order by event_time')).rows;
    await q.close();
    expect(ids).toEqual([
      ['midnight', '2026-11-20'],
      ['noon', '2026-11-20'],
      ['last-second', '2026-11-20'],
      ['next-midnight', '2026-11-21'],
      ['day-two', '2026-11-21'],
    ]);

    const files = await lakeFiles(dir);
    const quarantine = files.filter((f) => f.startsWith('_quarantine/socketlabs_failed/dt=2026-11-20/server_id=1/'));
    expect(quarantine).toHaveLength(1);
    const lines = (await readFile(join(dir, quarantine[0]!), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.raw.MessageId, l.reason])).toEqual([
      ['bad-code', expect.stringMatching(/failurecode: expected an integer/)],
      ['bad-date', expect.stringMatching(/datetime: not a valid date-time/)],
    ]);
  });

  it('re-reads a window whose total changes while paging, ending with each record once', async () => {
    const records = Array.from({ length: 7 }, (_, i) => rec(`2026-11-20T0${i}:00:00Z`, `m${i}`));
    const calls: string[] = [];
    const ds = fakeDataset(records, calls);
    let inserted = false;
    const fetchPage = ds.fetchPage;
    const flaky: WindowedDataset = {
      ...ds,
      fetchPage: async (w, req, signal) => {
        const page = await fetchPage(w, req, signal);
        // A late record arrives, earlier than what was served, right after the second page.
        if (req.offset === 2 && !inserted) {
          inserted = true;
          records.unshift(rec('2026-11-20T00:30:00Z', 'late'));
        }
        return page;
      },
    };
    const dir = await scratch('reread');
    const report = await collectDataset(flaky, dayWindows('2026-11-20', '2026-11-20'), await options(dir));
    expect(report.rereads).toBe(1);
    expect(report.rows).toBe(8);
  });

  it('a truncated checkpoint is named in a warning and read as empty: the dataset is collected again and healed', async () => {
    const records = [rec('2026-11-20T12:00:00Z', 'a'), rec('2026-11-21T12:00:00Z', 'b')];
    const dir = await scratch('corrupt-checkpoint');
    const key = checkpointKey('fake', '1', 'failed');
    const store = localStore(dir);
    await store.putBytes(key, '{"version":1,"windows":[{"start":"2026-11-2', 'application/json');
    const warnings: string[] = [];
    const opts = { ...(await options(dir)), warn: (m: string) => warnings.push(m) };
    // Before: the run failed with "Unterminated string in JSON…", naming no file.
    const report = await collectDataset(fakeDataset(records, []), dayWindows('2026-11-20', '2026-11-21'), opts);
    expect(report.windows).toBe(2);
    expect(report.rows).toBe(2);
    expect(warnings).toEqual([expect.stringContaining(`checkpoint ${key} is unreadable`)]);
    expect(report.warnings).toEqual(warnings);
    // The completed windows were recorded over it: the next run reads a valid checkpoint and skips the final days.
    const again = await collectDataset(fakeDataset(records, []), dayWindows('2026-11-20', '2026-11-21'), {
      ...(await options(dir)),
      settleMs: 0,
    });
    expect(again.skippedFinal).toBe(2);
    expect(again.warnings).toEqual([]);
  });

  it('a window that changes under every read is split into smaller windows, which read cleanly', async () => {
    const records = Array.from({ length: 12 }, (_, i) =>
      rec(`2026-11-20T${String(i * 2).padStart(2, '0')}:10:00Z`, `m${i}`),
    );
    const ds = fakeDataset(records, []);
    let late = 0;
    const busy: WindowedDataset = {
      ...ds,
      fetchPage: async (w, req, signal) => {
        const page = await ds.fetchPage(w, req, signal);
        // Records keep arriving while any window longer than 12 hours is paged: every read of the day sees a change.
        if (req.offset === 2 && w.end - w.start > 12 * 3_600_000) {
          records.push(rec(`2026-11-20T00:00:0${late % 10}Z`, `late${late++}`));
        }
        return page;
      },
    };
    const dir = await scratch('always-changing');
    // Before: the day failed after 4 reads ("the result kept changing"), to be retried by the next run forever.
    const report = await collectDataset(busy, dayWindows('2026-11-20', '2026-11-20'), await options(dir));
    expect(report.failed).toEqual([]);
    expect(report.rereads).toBe(4);
    expect(report.windows).toBe(2);
    expect(report.rows).toBe(12 + late);
  });

  it('runs continued after a deadline finish the pass: windows done earlier in it are not re-pulled', async () => {
    // Two trailing (not yet final) days of 10 records; each run has time for about one of them.
    const records = [
      ...Array.from({ length: 10 }, (_, i) => rec(`2026-11-20T1${i}:00:00Z`, `a${i}`)),
      ...Array.from({ length: 10 }, (_, i) => rec(`2026-11-21T1${i}:00:00Z`, `b${i}`)),
    ];
    const { clock, slow } = pagedTime('2026-11-22T06:00:00Z', fakeDataset(records, []));
    const dir = await scratch('unfinished-pass');
    const base = { ...(await options(dir)), clock, settleMs: 10 * 86_400_000, requestsPerSecond: 10 };
    const runs = await untilNoneLeft(10, () =>
      collectDataset(slow, dayWindows('2026-11-20', '2026-11-21'), { ...base, deadline: clock.monotonic() + 800 }),
    );
    // Before: every run pulled 2026-11-20 again and was left with 2026-11-21, for ever ([1, 1, 1, …]).
    expect(runs).toEqual([1, 1]);
    // The pass is over: the next run is a new pass and re-pulls both days for late records.
    const next = await collectDataset(slow, dayWindows('2026-11-20', '2026-11-21'), { ...base, deadline: Infinity });
    expect(next.windows).toBe(2);
  });
});

describe('collectDataset in a scheduled run (rereadAfterMs)', () => {
  it('a due day too big for one run is split, and the runs continuing it do not read its done parts again', async () => {
    // 2026-11-20 closed two hours ago: due. 24 records over 6 hours, at most 4 rows a window: it is split.
    const records = Array.from({ length: 24 }, (_, i) =>
      rec(`2026-11-20T0${Math.floor(i / 4)}:${String(i % 4).padStart(2, '0')}:00Z`, `s${i}`),
    );
    const calls: string[] = [];
    const { clock, slow } = pagedTime('2026-11-21T02:05:00Z', fakeDataset(records, calls));
    const dir = await scratch('scheduled-split');
    const base = {
      ...(await options(dir)),
      clock,
      maxRowsPerWindow: 4,
      settleMs: 2 * 86_400_000,
      rereadAfterMs: [3_600_000, 6 * 3_600_000, 24 * 3_600_000, 48 * 3_600_000],
      requestsPerSecond: 10,
    };
    const runs = await untilNoneLeft(20, () =>
      collectDataset(slow, dayWindows('2026-11-20', '2026-11-20'), { ...base, deadline: clock.monotonic() + 1500 }),
    );
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.length).toBeLessThan(20);
    const q = await openLakeQuery({ lakeDir: dir, tables: [socketlabsFailed] });
    try {
      expect((await q.run('select count(*), count(distinct message_id) from socketlabs_failed')).rows).toEqual([
        [24, 24],
      ]);
    } finally {
      await q.close();
    }
    // The next scheduled run soon after finds nothing due: every part was read after the day settled.
    calls.length = 0;
    const next = await collectDataset(slow, dayWindows('2026-11-20', '2026-11-20'), { ...base, deadline: Infinity });
    expect(next.windows).toBe(0);
    expect(calls).toEqual([]);
  });
});
