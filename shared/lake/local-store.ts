import { createHash, randomBytes } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { ObjectStore, TaggedObject } from './object-store';

// `.<name>.tmp-<pid>-<random>`: hidden, so no `*.parquet` / `*.csv` glob matches it while it is being written.
const TEMP_FILE = /^\..+\.tmp-\d+-[0-9a-f]+$/;

// `.<name>.lock`: the short lock of a conditional replace (LocalFolderStore.underKeyLock).
const LOCK_FILE = /^\..+\.lock$/;

/** Whether a file name is one of the store's in-flight temp files. */
export function isTempFileName(name: string): boolean {
  return TEMP_FILE.test(name);
}

/** The temp file name a write of `name` goes through before its rename. */
export function tempFileName(name: string): string {
  return `.${name}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** The lake as a local folder; every write is a temp file plus rename, so readers never see half a file. */
export class LocalFolderStore implements ObjectStore {
  readonly location: string;
  /** Absolute path of the lake folder. */
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.location = root;
  }

  /** Absolute path of a key's file. */
  pathOf(key: string): string {
    return join(this.root, ...keySegments(key));
  }

  async putFile(key: string, localPath: string, _contentType: string): Promise<void> {
    // FICLONE: a reflink where the filesystem has them, a plain copy elsewhere.
    await this.publish(key, (tmp) => copyFile(localPath, tmp, constants.COPYFILE_FICLONE));
  }

  async putBytes(key: string, body: Uint8Array | string, _contentType: string): Promise<void> {
    await this.publish(key, (tmp) => writeFile(tmp, body));
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    // Walk only the deepest folder the prefix names completely; the rest of the prefix filters names.
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash);
    const start = dirKey === '' ? this.root : this.pathOf(dirKey);
    const keys: string[] = [];
    await walk(start, dirKey, (key, name) => {
      if (!isTempFileName(name) && !LOCK_FILE.test(name) && key.startsWith(prefix)) keys.push(key);
    });
    return keys.sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      try {
        await unlink(this.pathOf(key));
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
      }
    }
  }

  async putIfAbsent(key: string, body: string | Uint8Array, _contentType: string): Promise<boolean> {
    // link() of a finished temp file fails with EEXIST when the key exists, so creation is exclusive and a reader
    // never sees a half-written object (an O_EXCL open of the target itself would show it empty for a moment).
    const target = this.pathOf(key);
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, tempFileName(target.slice(dir.length + 1)));
    try {
      await writeFile(tmp, body);
      await link(tmp, target);
      return true;
    } catch (err) {
      if (isErrno(err, 'EEXIST')) return false;
      throw err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async getWithTag(key: string): Promise<TaggedObject | null> {
    const body = await this.get(key);
    return body === null ? null : { body, tag: contentTag(body) };
  }

  async putIfMatch(key: string, body: string | Uint8Array, contentType: string, tag: string): Promise<string | null> {
    return this.underKeyLock(key, async () => {
      const current = await this.get(key);
      if (current === null || contentTag(current) !== tag) return null;
      await this.putBytes(key, body, contentType);
      return contentTag(typeof body === 'string' ? Buffer.from(body) : body);
    });
  }

  async deleteIfMatch(key: string, tag: string): Promise<boolean> {
    return this.underKeyLock(key, async () => {
      const current = await this.get(key);
      if (current === null || contentTag(current) !== tag) return false;
      await this.delete([key]);
      return true;
    });
  }

  /**
   * Runs a compare-and-replace of one key under a lock file (`.<name>.lock`, exclusive create), so two replaces or
   * deletes of the same key cannot both pass the comparison. putIfAbsent needs no lock: link() is atomic, and a
   * replace (rename over the target) never leaves the key absent for a moment. The lock lives for a read and a
   * rename; one older than LOCK_STALE_MS was left by a process killed inside that window and is broken.
   */
  private async underKeyLock<T>(key: string, critical: () => Promise<T>): Promise<T> {
    const target = this.pathOf(key);
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    const lock = join(dir, `.${target.slice(dir.length + 1)}.lock`);
    for (let attempt = 0; ; attempt++) {
      try {
        await (await open(lock, 'wx')).close();
        break;
      } catch (err) {
        if (!isErrno(err, 'EEXIST')) throw err;
        const age = await stat(lock).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (age > LOCK_STALE_MS) await unlink(lock).catch(() => undefined);
        else if (attempt > LOCK_ATTEMPTS) throw new Error(`lake key '${key}' stayed locked by another process`);
        else await delay(5 + Math.random() * 20);
      }
    }
    try {
      return await critical();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }

  private async publish(key: string, fill: (tmpPath: string) => Promise<void>): Promise<void> {
    const target = this.pathOf(key);
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, tempFileName(target.slice(dir.length + 1)));
    try {
      await fill(tmp);
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}

// A key lock is held for one read and one rename (milliseconds); older than this, its holder died inside it.
const LOCK_STALE_MS = 10_000;
// About 5 s of waiting for a lock held by a live process, far beyond any read-and-rename.
const LOCK_ATTEMPTS = 400;

/** The local store's tag of an object: a hash of its content (S3's ETag plays this part there). */
function contentTag(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/** A temp file lives for the seconds of one write; one older than this was abandoned, whoever wrote it. */
export const STALE_TEMP_AGE_MS = 24 * 3_600_000;

/**
 * Deletes temp files that killed runs left under the lake's own top-level folders (`folders`, e.g. the table names
 * and `_state`): those whose writer, the pid in the name, no longer runs on this host, and any older than
 * STALE_TEMP_AGE_MS. A live run's in-flight temp files are kept, or its publish would fail; and the walk never leaves
 * the lake's folders, whatever else the lake location holds (`INBOXLAKE_LAKE=/`). Returns how many were deleted.
 */
export async function removeStaleTempFiles(
  root: string,
  folders: readonly string[],
  now = Date.now(),
): Promise<number> {
  const stale: string[] = [];
  for (const folder of folders) {
    const start = join(resolve(root), ...keySegments(folder));
    const found: string[] = [];
    await walk(start, folder, (_key, name, path) => {
      if (isTempFileName(name)) found.push(path);
    });
    for (const path of found) {
      const pid = Number(/\.tmp-(\d+)-[0-9a-f]+$/.exec(path)?.[1]);
      const age = await stat(path).then(
        (s) => now - s.mtimeMs,
        () => 0,
      );
      if (!isProcessAlive(pid) || age > STALE_TEMP_AGE_MS) stale.push(path);
    }
  }
  let removed = 0;
  for (const path of stale) {
    await unlink(path).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

function keySegments(key: string): string[] {
  const segments = key.split('/');
  for (const s of segments) {
    // Keys come from table names and dates, but a '..' or an absolute key must never escape the lake folder.
    if (s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes(sep)) {
      throw new Error(`invalid lake key '${key}'`);
    }
  }
  return segments;
}

async function walk(
  dir: string,
  dirKey: string,
  visit: (key: string, name: string, path: string) => void,
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return;
    throw err;
  }
  for (const entry of entries) {
    const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, key, visit);
    else if (entry.isFile()) visit(key, entry.name, path);
  }
}

/** Whether a process of this host is running (a process of another user counts as running). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return !isErrno(err, 'ESRCH');
  }
}

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}
