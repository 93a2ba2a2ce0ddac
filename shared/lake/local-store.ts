import { randomBytes } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { ObjectStore } from './object-store';

// `.<name>.tmp-<pid>-<random>`: hidden, so no `*.parquet` / `*.csv` glob matches it while it is being written.
const TEMP_FILE = /^\..+\.tmp-\d+-[0-9a-f]+$/;

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

  async putIfAbsent(key: string, body: Uint8Array | string, _contentType: string): Promise<boolean> {
    const target = this.pathOf(key);
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, tempFileName(target.slice(dir.length + 1)));
    // link() fails with EEXIST where rename() would replace: the file system decides the race, and the name only
    // ever points at a complete file (an exclusive open of the target itself would show a half-written one).
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
      if (!isTempFileName(name) && key.startsWith(prefix)) keys.push(key);
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

/** Deletes temp files a killed run left anywhere under root; returns how many. */
export async function removeStaleTempFiles(root: string): Promise<number> {
  const stale: string[] = [];
  await walk(resolve(root), '', (_key, name, path) => {
    if (isTempFileName(name)) stale.push(path);
  });
  for (const path of stale) await unlink(path).catch(() => undefined);
  return stale.length;
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

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}
