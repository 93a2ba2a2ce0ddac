import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../lake/local-store';

/**
 * A run's scratch folder under the configured tmp dir (window files, CSV spools): `inboxlake-run-<pid>-<start>-XXXXXX`,
 * removed when the run ends however it ends. A run killed outright (SIGKILL, a Lambda timeout) cannot remove its own,
 * so every run first sweeps the folders of runs that are gone, which the name tells: the pid no longer runs, or it is
 * this process's pid but an earlier process start (Lambda restarts its runtime after a timeout, often with the same pid).
 */

// When this process started (epoch ms; process-wide, unlike a worker thread's performance.timeOrigin): with the pid,
// it names one process life. Recomputed values jitter by a few ms, hence the tolerance below.
const processStartMs = Date.now() - Math.round(process.uptime() * 1000);
const processStart = processStartMs.toString(36);
// An earlier life of this pid started before this one by at least its own run time; closer than this, it is kept.
const START_TOLERANCE_MS = 2_000;
const RUN_FOLDER = /^inboxlake-run-(?:(\d+)-([0-9a-z]+)-)?[A-Za-z0-9]{6}$/;

/** A run folder untouched this long is abandoned whatever its name says (a live run writes in it every window). */
export const STALE_SCRATCH_AGE_MS = 24 * 3_600_000;

/** Runs `work` with a fresh scratch folder, after sweeping those killed runs left; removes it afterwards. */
export async function withRunScratch<T>(tmpDir: string, work: (dir: string) => Promise<T>): Promise<T> {
  await mkdir(tmpDir, { recursive: true });
  await removeStaleRunFolders(tmpDir);
  const dir = await mkdtemp(join(tmpDir, `inboxlake-run-${process.pid}-${processStart}-`));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Deletes the scratch folders of runs that are gone (see above); returns how many. */
export async function removeStaleRunFolders(tmpDir: string, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
    const m = RUN_FOLDER.exec(name);
    if (!m) continue;
    const path = join(tmpDir, name);
    const age = await stat(path).then(
      (s) => now - s.mtimeMs,
      () => -1,
    );
    if (age < 0) continue;
    const pid = m[1] === undefined ? null : Number(m[1]);
    const gone =
      pid === null
        ? false // a folder named before pids were (legacy): only its age tells
        : pid === process.pid
          ? Number.parseInt(m[2] ?? '', 36) < processStartMs - START_TOLERANCE_MS
          : !isProcessAlive(pid);
    if (gone || age > STALE_SCRATCH_AGE_MS) {
      await rm(path, { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}
