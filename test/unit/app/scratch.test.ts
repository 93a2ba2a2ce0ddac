import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withRunScratch } from '../../../shared/app/scratch';
import { scratch } from '../../helpers/collect';

describe('run scratch folders', () => {
  it('a run sweeps the folders of killed runs (dead pid, an earlier life of this pid, a day old), never a live run’s', async () => {
    const tmp = await scratch('scratch-sweep');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const folder = async (name: string, ageMs = 0) => {
        const path = join(tmp, name);
        await mkdir(join(path, 'w-1'), { recursive: true });
        await writeFile(join(path, 'w-1', 'data.parquet'), 'x'.repeat(1000));
        if (ageMs) {
          const at = new Date(Date.now() - ageMs);
          await utimes(path, at, at);
        }
        return path;
      };
      const live = await folder(`inboxlake-run-${child.pid}-lq2x3k-Ab12Cd`);
      const killed = await folder(`inboxlake-run-${dead}-lq2x3k-Ef34Gh`);
      // Lambda restarts its runtime after a timeout, often with the same pid: same pid, another process start.
      const earlierLife = await folder(`inboxlake-run-${process.pid}-1-Ij56Kl`);
      const legacyFresh = await folder('inboxlake-run-Mn78Op');
      const legacyOld = await folder('inboxlake-run-Qr90St', 2 * 86_400_000);
      const other = await folder('someone-elses-folder');

      let inside = '';
      await withRunScratch(tmp, async (dir) => {
        inside = dir;
        expect(basename(dir)).toMatch(new RegExp(`^inboxlake-run-${process.pid}-[0-9a-z]+-[A-Za-z0-9]{6}$`));
        // Two runs of one process (tests, a Lambda container) do not sweep each other.
        await withRunScratch(tmp, async () => expect(existsSync(dir)).toBe(true));
      });
      expect(existsSync(inside)).toBe(false);
      expect(
        Object.fromEntries(
          Object.entries({ live, killed, earlierLife, legacyFresh, legacyOld, other }).map(([k, p]) => [
            k,
            existsSync(p),
          ]),
        ),
      ).toEqual({ live: true, killed: false, earlierLife: false, legacyFresh: true, legacyOld: false, other: true });
    } finally {
      child.kill();
    }
  });
});
