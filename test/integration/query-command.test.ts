import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParquetWriter } from '../../shared/lake/parquet-writer';
import type { Row } from '../../shared/lake/table';
import { socketlabsFailed, socketlabsQueued } from '../../shared/sources/socketlabs-v1/tables';
import { runCli } from '../helpers/cli';
import { scratch } from '../helpers/collect';

/** `inboxlake query` as an operator runs it: the real CLI over a small lake with one bad file in it. */
const day = Date.UTC(2026, 10, 20);
const queued = (i: number): Row => ({
  event_time: day + i * 60_000,
  message_id: `q-${i}`,
  mailing_id: null,
  to_address: `u${i}@example.com`,
  recipient_domain: 'example.com',
  from_address: 'a@shop.example',
  message_size: 1000 + i,
  extra: null,
  ingested_at: day + 86_400_000,
});

describe('inboxlake query over a lake with a stray file', () => {
  let root: string;
  let lake: string;
  let bad: string;
  beforeAll(async () => {
    root = await scratch('query-command');
    lake = join(root, 'lake');
    const partition = join(lake, socketlabsQueued.name, 'dt=2026-11-20', 'server_id=1234');
    await mkdir(partition, { recursive: true });
    const writer = await createParquetWriter(socketlabsQueued, join(partition, 'part-a.parquet'));
    await writer.append([queued(1), queued(2), queued(3)]);
    await writer.close();
    // A half-copied file in another table's folder.
    bad = join(lake, socketlabsFailed.name, 'dt=2026-11-20', 'server_id=1234', 'part-b.parquet');
    await mkdir(join(bad, '..'), { recursive: true });
    await writeFile(bad, 'PAR1 then nothing');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('a file:// lake location is the folder it names', async () => {
    const sql = "select count(*) as n from socketlabs_queued where server_id = '1234'";
    const [byUrl, byPath] = await Promise.all([
      runCli(['query', sql], { INBOXLAKE_LAKE: pathToFileURL(lake).href }),
      runCli(['query', sql], { INBOXLAKE_LAKE: lake }),
    ]);
    expect(byUrl.code, byUrl.stderr).toBe(0);
    expect(byUrl.stdout).toMatch(/^n\s*\n-+\s*\n\s*3\s*\n\(1 rows\)/m);
    expect(byUrl.stdout).toBe(byPath.stdout);
  });

  it('a lake folder that does not exist is a usage error, not 0 rows', async () => {
    const res = await runCli(['query', 'select count(*) from socketlabs_queued'], {
      INBOXLAKE_LAKE: join(root, 'no-such-lake'),
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`no lake folder at ${join(root, 'no-such-lake')}`);
  });

  it("the bad file fails only its table's queries, naming the file; the other tables answer", async () => {
    const env = { INBOXLAKE_LAKE: lake };
    const [other, own] = await Promise.all([
      runCli(['query', 'select count(*) as n from socketlabs_queued'], env),
      runCli(['query', 'select count(*) as n from socketlabs_failed'], env),
    ]);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toContain('(1 rows)');
    expect(own.code).toBe(1);
    expect(own.stderr).toContain('table socketlabs_failed cannot be read');
    expect(own.stderr).toContain(bad);
  });

  it('refuses COPY … TO into the lake with a usage error, and the lake is unchanged', async () => {
    const before = (await readdir(lake, { recursive: true })).sort();
    const target = join(lake, socketlabsQueued.name, 'evil.parquet');
    const res = await runCli(['query', `copy (select 1 as x) to '${target}'`], { INBOXLAKE_LAKE: lake });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/SELECT statements only/);
    expect((await readdir(lake, { recursive: true })).sort()).toEqual(before);
  });
});
