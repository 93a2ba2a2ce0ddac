import { describe, expect, it } from 'vitest';
import { TotalChangedError } from '../../../shared/core/errors';
import { type Page, type PageRequest, paginate, pagingParams } from '../../../shared/engine/paging';

async function collect<T>(gen: AsyncGenerator<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of gen) out.push(...p.items);
  return out;
}

function fakeApi(rows: number[], opts: { totalDrift?: (call: number) => number; shortAfter?: number } = {}) {
  const calls: PageRequest[] = [];
  return {
    calls,
    fetchPage: async (req: PageRequest): Promise<Page<number>> => {
      calls.push(req);
      const available = opts.shortAfter ?? rows.length;
      const items = rows.slice(req.offset, Math.min(req.offset + req.size, available));
      return { items, total: rows.length + (opts.totalDrift?.(calls.length) ?? 0) };
    },
  };
}

describe('paginate', () => {
  const rows = Array.from({ length: 1234 }, (_, i) => i);

  it('reads every row once and stops at the total without an extra call', async () => {
    const api = fakeApi(rows);
    expect(await collect(paginate({ pageSize: 500, maxPages: 10, fetchPage: api.fetchPage }))).toEqual(rows);
    expect(api.calls.map((c) => c.offset)).toEqual([0, 500, 1000]);
  });

  it('uses a probe page instead of fetching page 0 again', async () => {
    const api = fakeApi(rows);
    const firstPage = await api.fetchPage({ offset: 0, size: 500, pageNumber: 0 });
    expect(await collect(paginate({ pageSize: 500, maxPages: 10, fetchPage: api.fetchPage, firstPage }))).toEqual(rows);
    expect(api.calls).toHaveLength(3);
  });

  it('throws TotalChangedError when the total moves between pages', async () => {
    const api = fakeApi(rows, { totalDrift: (call) => (call >= 2 ? 1 : 0) });
    await expect(collect(paginate({ pageSize: 500, maxPages: 10, fetchPage: api.fetchPage }))).rejects.toThrow(
      TotalChangedError,
    );
  });

  it('stops on an empty page and reports the shortfall', async () => {
    const api = fakeApi(rows, { shortAfter: 600 });
    const outcome = { shortBy: 0 };
    const got = await collect(paginate({ pageSize: 500, maxPages: 10, fetchPage: api.fetchPage }, outcome));
    expect(got).toHaveLength(600);
    expect(outcome.shortBy).toBe(634);
  });

  it('never pages past the hard bound', async () => {
    const api = fakeApi(rows);
    await expect(collect(paginate({ pageSize: 100, maxPages: 3, fetchPage: api.fetchPage }))).rejects.toThrow(/bound/);
    expect(api.calls).toHaveLength(3);
  });

  it('maps requests to each API style', () => {
    const req = { offset: 1000, size: 500, pageNumber: 2 };
    expect(pagingParams({ kind: 'index-count', pageSize: 500 }, req)).toEqual({ index: '1000', count: '500' });
    expect(pagingParams({ kind: 'page-number', pageSize: 500 }, req)).toEqual({ pageNumber: '2', pageSize: '500' });
  });

  it("asks for the strategy's page size, not the size the request was planned with", () => {
    // v2's first page is planned at the CSV route's size; after a fallback the JSON route must ask for its own.
    const req = { offset: 0, size: 500_000, pageNumber: 0 };
    expect(pagingParams({ kind: 'page-number', pageSize: 100 }, req)).toEqual({ pageNumber: '0', pageSize: '100' });
    expect(pagingParams({ kind: 'index-count', pageSize: 500 }, req)).toEqual({ index: '0', count: '500' });
  });
});
