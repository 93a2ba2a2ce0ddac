import { describe, expect, it } from 'vitest';
import { listingOnce, type RollupSource } from '../../../shared/lake/rollup-reader';

/** A source that counts its listings and can be told to fail the next one. */
function countingSource() {
  const lists: string[] = [];
  let failNext = false;
  const source: RollupSource = {
    location: 'mem://lake',
    get: async () => null,
    list: async (prefix) => {
      lists.push(prefix);
      if (failNext) {
        failNext = false;
        throw new Error('listing failed');
      }
      return [`${prefix}a.json`];
    },
  };
  return {
    source,
    lists,
    failNext: () => {
      failNext = true;
    },
  };
}

describe('listingOnce', () => {
  it('lists each prefix once for readers of several rollups of the same folders', async () => {
    const c = countingSource();
    const view = listingOnce(c.source);
    expect(await view.list('_rollups/t/dt=2026-11-20/')).toEqual(['_rollups/t/dt=2026-11-20/a.json']);
    await view.list('_rollups/t/dt=2026-11-20/');
    await view.list('_rollups/t/dt=2026-11-21/');
    expect(c.lists).toEqual(['_rollups/t/dt=2026-11-20/', '_rollups/t/dt=2026-11-21/']);
  });

  it('does not keep a failed listing: the next reader asks again', async () => {
    const c = countingSource();
    const view = listingOnce(c.source);
    c.failNext();
    await expect(view.list('p/')).rejects.toThrow('listing failed');
    expect(await view.list('p/')).toEqual(['p/a.json']);
    expect(c.lists).toEqual(['p/', 'p/']);
  });
});
