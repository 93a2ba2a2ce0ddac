import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLake } from '../../../shared/app/lake';
import { loadLakeConfig } from '../../../shared/config';
import { isTempFileName, LocalFolderStore, removeStaleTempFiles, tempFileName } from '../../../shared/lake/local-store';
import { openObjectStore, parseS3Location } from '../../../shared/lake/open-store';
import { S3Store } from '../../../shared/lake/s3-store';

let root: string;

/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'inboxlake-local-store-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('LocalFolderStore', () => {
  it('puts, gets, lists and deletes objects', async () => {
    const store = new LocalFolderStore(join(root, 'lake1'));
    const src = join(root, 'src.parquet');
    await writeFile(src, Buffer.from([0x50, 0x41, 0x52, 0x31, 0, 1, 2]));

    await store.putFile('t/dt=2026-11-20/server_id=1/a.parquet', src, 'application/vnd.apache.parquet');
    await store.putBytes('t/dt=2026-11-20/server_id=2/b.json', '{"ok":true}', 'application/json');
    await store.putBytes('t/dt=2026-11-21/server_id=1/c.bin', new Uint8Array([1, 2, 3]), 'application/octet-stream');
    await store.putBytes('u/state.json', 'ü', 'application/json');

    expect(await store.get('t/dt=2026-11-20/server_id=1/a.parquet')).toEqual(await readFile(src));
    expect((await store.get('t/dt=2026-11-20/server_id=2/b.json'))?.toString()).toBe('{"ok":true}');
    expect(await store.get('u/state.json')).toEqual(Buffer.from('ü'));
    expect(await store.get('t/missing.json')).toBeNull();
    expect(await store.get('nowhere/at/all')).toBeNull();

    expect(await store.list('')).toEqual([
      't/dt=2026-11-20/server_id=1/a.parquet',
      't/dt=2026-11-20/server_id=2/b.json',
      't/dt=2026-11-21/server_id=1/c.bin',
      'u/state.json',
    ]);
    // Prefixes need not end at a folder boundary.
    expect(await store.list('t/dt=2026-11-2')).toHaveLength(3);
    expect(await store.list('t/dt=2026-11-20/')).toEqual([
      't/dt=2026-11-20/server_id=1/a.parquet',
      't/dt=2026-11-20/server_id=2/b.json',
    ]);
    expect(await store.list('t/dt=2026-11-21/server_id=1/c')).toEqual(['t/dt=2026-11-21/server_id=1/c.bin']);
    expect(await store.list('nothing/')).toEqual([]);

    // Overwrite replaces the whole object.
    await store.putBytes('u/state.json', 'v2', 'application/json');
    expect((await store.get('u/state.json'))?.toString()).toBe('v2');

    await store.delete(['t/dt=2026-11-20/server_id=2/b.json', 'u/state.json', 'u/never-existed.json']);
    expect(await store.list('')).toEqual([
      't/dt=2026-11-20/server_id=1/a.parquet',
      't/dt=2026-11-21/server_id=1/c.bin',
    ]);
    await store.delete([]);
  });

  it('writes through a hidden temp file in the same folder and leaves none behind', async () => {
    const name = tempFileName('a.parquet');
    expect(name).toMatch(new RegExp(`^\\.a\\.parquet\\.tmp-${process.pid}-[0-9a-f]+$`));
    expect(isTempFileName(name)).toBe(true);
    expect(isTempFileName('a.parquet')).toBe(false);
    expect(tempFileName('a.parquet')).not.toBe(name);

    const store = new LocalFolderStore(join(root, 'lake2'));
    await store.putBytes('t/p/x.json', '1', 'application/json');
    const folder = join(root, 'lake2', 't', 'p');
    // A write in progress by another process: visible on disk, invisible to list().
    await writeFile(join(folder, tempFileName('y.json')), 'partial');
    expect(await store.list('')).toEqual(['t/p/x.json']);
    expect((await readdir(folder)).filter((n) => !isTempFileName(n))).toEqual(['x.json']);

    // A failed put (missing source) leaves neither a temp file nor the target.
    await expect(store.putFile('t/p/z.parquet', join(root, 'no-such-file'), 'x')).rejects.toThrow(/ENOENT/);
    expect(existsSync(join(folder, 'z.parquet'))).toBe(false);
    expect((await readdir(folder)).filter(isTempFileName)).toHaveLength(1);
  });

  it('removes stale temp files left by a killed run', async () => {
    const lake = join(root, 'lake3');
    const store = new LocalFolderStore(lake);
    const dead = deadPid();
    await store.putBytes('a/dt=2026-11-20/keep.parquet', 'k', 'x');
    await writeFile(join(lake, 'a', 'dt=2026-11-20', `.keep.parquet.tmp-${dead}-0a1b2c`), 'half');
    await mkdir(join(lake, 'b', 'deep', 'er'), { recursive: true });
    await writeFile(join(lake, 'b', 'deep', 'er', `.s.json.tmp-${dead}-ff`), 'half');
    await writeFile(join(lake, '.hidden-but-not-temp'), 'x');

    expect(await removeStaleTempFiles(lake, ['a', 'b'])).toBe(2);
    expect(await store.list('')).toEqual(['.hidden-but-not-temp', 'a/dt=2026-11-20/keep.parquet']);
    expect(await removeStaleTempFiles(lake, ['a', 'b'])).toBe(0);
    expect(await removeStaleTempFiles(join(root, 'no-such-lake'), ['a'])).toBe(0);
  });

  it('openLake keeps a live run’s temp files, removes dead or day-old ones, and walks only the lake’s folders', async () => {
    const lake = join(root, 'lake-sweep');
    const folder = join(lake, 'socketlabs_failed', 'dt=2026-11-20', 'server_id=1');
    await mkdir(folder, { recursive: true });
    const live = join(folder, `.part-a.parquet.tmp-${process.pid}-0a`); // a concurrent run, mid-publish
    const dead = join(folder, `.part-b.parquet.tmp-${deadPid()}-0b`);
    const old = join(folder, `.part-c.parquet.tmp-${process.pid}-0c`);
    await Promise.all([live, dead, old].map((p) => writeFile(p, 'half')));
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    await utimes(old, twoDaysAgo, twoDaysAgo);
    // Not a lake folder: whatever lives beside the lake (INBOXLAKE_LAKE=/ would be the whole file system) is not walked.
    await mkdir(join(lake, 'home', 'someone'), { recursive: true });
    const foreign = join(lake, 'home', 'someone', `.notes.txt.tmp-${deadPid()}-0d`);
    await writeFile(foreign, 'theirs');

    await openLake(loadLakeConfig({ INBOXLAKE_LAKE: lake }));
    expect([live, dead, old, foreign].map((p) => existsSync(p))).toEqual([true, false, false, true]);
  });

  it('putIfAbsent: of many racing creates exactly one wins, the object is its whole body, no temp file is left', async () => {
    const store = new LocalFolderStore(join(root, 'lake-claim'));
    const key = '_state/claims/2026-11-20.json';
    const bodies = Array.from({ length: 24 }, (_, i) => JSON.stringify({ claimant: i, pad: 'x'.repeat(64 * 1024) }));
    const results = await Promise.all(bodies.map((b) => store.putIfAbsent(key, b, 'application/json')));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await store.get(key))?.toString()).toBe(bodies[winner]);
    expect(await readdir(join(root, 'lake-claim', '_state', 'claims'))).toEqual(['2026-11-20.json']);
    // An existing object is never replaced, and a deleted one can be claimed again.
    expect(await store.putIfAbsent(key, 'late', 'application/json')).toBe(false);
    expect((await store.get(key))?.toString()).toBe(bodies[winner]);
    await store.delete([key]);
    expect(await store.putIfAbsent(key, 'again', 'application/json')).toBe(true);
    expect((await store.get(key))?.toString()).toBe('again');
  });

  it('refuses keys that would leave the lake folder', async () => {
    const store = new LocalFolderStore(join(root, 'lake4'));
    for (const key of ['../escape.json', 'a/../../b', '/abs', 'a//b', '', 'a\\b']) {
      await expect(store.putBytes(key, 'x', 'x'), key).rejects.toThrow(/invalid lake key/);
      await expect(store.putIfAbsent(key, 'x', 'x'), key).rejects.toThrow(/invalid lake key/);
    }
  });
});

describe('openObjectStore', () => {
  const makeClient = () => new S3Client({ region: 'us-east-1' });

  it('opens s3:// locations as S3Store and folders as LocalFolderStore', () => {
    const s3 = openObjectStore('s3://my-bucket/lake/prod/', makeClient);
    expect(s3).toBeInstanceOf(S3Store);
    expect(s3.location).toBe('s3://my-bucket/lake/prod');
    expect(openObjectStore('s3://my-bucket', makeClient).location).toBe('s3://my-bucket');

    let made = 0;
    const local = openObjectStore('./lake', () => {
      made++;
      return makeClient();
    });
    expect(local).toBeInstanceOf(LocalFolderStore);
    expect(local.location).toBe(resolve('lake'));
    expect(made).toBe(0);
    expect(openObjectStore(`file://${root}/x`, makeClient).location).toBe(join(root, 'x'));
  });

  it('rejects invalid S3 locations clearly', () => {
    expect(() => openObjectStore('s3://', makeClient)).toThrow(/invalid S3 location.*bucket/);
    expect(() => openObjectStore('s3:/bucket/x', makeClient)).toThrow(/invalid S3 location/);
    expect(() => openObjectStore('s3://Bad_Bucket/x', makeClient)).toThrow(/not a valid bucket name/);
    expect(() => openObjectStore('s3://bucket/a//b', makeClient)).toThrow(/prefix/);
    expect(() => openObjectStore('https://example.com/x', makeClient)).toThrow(/unsupported lake location/);
    expect(() => openObjectStore('  ', makeClient)).toThrow(/empty/);
    expect(parseS3Location('s3://b-1.x/p/q')).toEqual({ bucket: 'b-1.x', prefix: 'p/q' });
  });
});
