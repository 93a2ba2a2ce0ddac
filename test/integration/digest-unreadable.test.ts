import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produceDigest } from '../../shared/app/digest';
import { fileWriters } from '../../shared/app/lake';
import { loadDigestConfig } from '../../shared/config';
import { DAY_MS } from '../../shared/core/windows';
import { computeDigest } from '../../shared/digest/metrics';
import { digestSchema } from '../../shared/digest/model';
import { digestTables } from '../../shared/digest/roles';
import { windowFileKey } from '../../shared/lake/layout';
import { LocalFolderStore } from '../../shared/lake/local-store';
import { LakeReadError } from '../../shared/lake/rollup-reader';
import type { Row, TableDef } from '../../shared/lake/table';
import { openWindowWriter } from '../../shared/lake/window-writer';
import { createLogger } from '../../shared/log';
import { sources } from '../../shared/sources';
import { sendsageTables } from '../../shared/sources/sendsage/tables';
import { socketlabsMessages } from '../../shared/sources/socketlabs-v2/tables';
import { scratch } from '../helpers/collect';
import { startLocalSes } from '../helpers/ses';

const DATE = '2026-11-20';
const day = Date.parse(`${DATE}T00:00:00Z`);
const window = { start: day, end: day + DAY_MS };
const at = day + 3_600_000;

/** A row with every column set (numbers, 'x' strings, the hour as time), then the given values. */
function row(table: TableDef, values: Row = {}): Row {
  const base = { timestamp: at, int32: 7, int64: 42, double: 1.5, boolean: true, string: 'x' } as const;
  return { ...Object.fromEntries(table.columns.map((c) => [c.name, base[c.type]])), ...values };
}

async function writeWindow(
  store: LocalFolderStore,
  table: TableDef,
  partition: Record<string, string | number>,
  rows: Row[],
) {
  const writer = await openWindowWriter({
    store,
    table,
    partition,
    window,
    formats: ['parquet'],
    writers: fileWriters,
    tmpDir: join(store.root, '..', 'tmp'),
    now: () => day + DAY_MS,
  });
  await writer.append(rows);
  await writer.commit();
}

/** Two servers' messages (3 queued, 1 hard bounce each) and one SendSage test with all its detail. */
async function buildLake(root: string): Promise<LocalFolderStore> {
  const store = new LocalFolderStore(join(root, 'lake'));
  for (const server of [1001, 1002]) {
    await writeWindow(store, socketlabsMessages, { dt: DATE, server_id: server }, [
      ...Array.from({ length: 3 }, () => row(socketlabsMessages, { event_type: 'queued', failure_type_name: null })),
      row(socketlabsMessages, {
        event_type: 'failed',
        failure_type_name: 'hard',
        to_address: `gone-${server}@example.com`,
        reason: '550 5.1.1 user unknown',
      }),
    ]);
  }
  for (const table of sendsageTables) await writeWindow(store, table, { dt: DATE }, [row(table)]);
  return store;
}

describe('a digest over a lake with unreadable files', () => {
  let root: string;
  let store: LocalFolderStore;
  let ses: Awaited<ReturnType<typeof startLocalSes>>;
  const damaged = {
    // Truncated mid-document, as a write cut short by a full disk or a killed copy leaves it.
    totals: windowFileKey('rollups', socketlabsMessages, { dt: DATE, server_id: 1002 }, window, 'totals.json'),
    // Valid JSON of the wrong shape.
    bounces: windowFileKey('rollups', socketlabsMessages, { dt: DATE, server_id: 1001 }, window, 'bounces.json'),
    // A truncated Parquet file of a SendSage table.
    isps: windowFileKey('data', sendsageTables[1]!, { dt: DATE }, window, 'parquet'),
  };

  beforeAll(async () => {
    root = await scratch('digest-unreadable');
    store = await buildLake(root);
    ses = await startLocalSes();
    expect(sendsageTables[1]!.name).toBe('sendsage_isp_results');
    for (const key of [damaged.totals, damaged.isps]) {
      const path = store.pathOf(key);
      expect((await readFile(path)).length).toBeGreaterThan(40);
      await truncate(path, Math.floor((await readFile(path)).length / 2));
    }
    await store.putBytes(damaged.bounces, '{"counts": 5}', 'application/json');
  });
  afterAll(async () => {
    await ses?.close();
  });

  it('names every unreadable key, leaves their figures out and keeps the rest', async () => {
    const d = digestSchema.parse(
      await computeDigest(store, { tables: digestTables(sources), date: DATE, timeZone: 'UTC', now: day + DAY_MS }),
    );
    expect(d.unreadable_files.map((f) => f.key)).toEqual(
      [damaged.bounces, damaged.isps, damaged.totals].sort((a, b) => a.localeCompare(b)),
    );
    const reasons = Object.fromEntries(d.unreadable_files.map((f) => [f.key, f.error]));
    expect(reasons[damaged.totals]).toMatch(/JSON/);
    expect(reasons[damaged.bounces]).toMatch(/dimensions|partition/);
    expect(reasons[damaged.isps]).toMatch(/\S/);
    // Server 1001's totals are intact; server 1002's totals are the damaged file, so it has no figures.
    expect(d.socketlabs.servers.map((s) => [s.server_id, s.queued, s.hard_bounces])).toEqual([[1001, 3, 1]]);
    // 1001's bounce breakdown was the damaged file; 1002's is intact (but 1002 has no totals to show it under).
    expect(d.socketlabs.servers[0]!.top_failure_codes).toEqual([]);
    // Hard bounces come from the intact hard_bounces rollups of both servers.
    expect(d.hard_bounced_addresses.map((b) => b.address)).toEqual(['gone-1001@example.com', 'gone-1002@example.com']);
    // The SendSage test is there; only its provider results (the damaged file) are missing.
    expect(d.sendsage.campaigns).toHaveLength(1);
    expect(d.sendsage.campaigns[0]!.isps).toEqual([]);
    expect(d.sendsage.campaigns[0]!.top_rules).toHaveLength(1);
  });

  it('sends the rest marked incomplete in subject, HTML, text and digest.json, and warns with each key', async () => {
    const lines: string[] = [];
    const config = loadDigestConfig({
      INBOXLAKE_TIMEZONE: 'UTC',
      INBOXLAKE_DIGEST_FROM: 'digest@example.com',
      INBOXLAKE_DIGEST_TO: 'ops@example.com',
    });
    const outDir = join(root, 'out');
    const result = await produceDigest(
      store,
      config,
      { date: DATE, timeZone: 'UTC', outDir, send: true, force: false },
      {
        now: () => day + DAY_MS,
        ses: ses.client,
        log: createLogger({ redact: (s) => s, json: true, write: (l) => lines.push(l) }),
      },
    );
    expect(result.sent?.sent).toBe(true);
    expect(result.subject).toMatch(/ · INCOMPLETE$/);

    const json = digestSchema.parse(JSON.parse(await readFile(join(outDir, 'digest.json'), 'utf8')));
    expect(json.unreadable_files).toHaveLength(3);
    const html = await readFile(join(outDir, 'digest.html'), 'utf8');
    const text = await readFile(join(outDir, 'digest.txt'), 'utf8');
    expect(html).toContain('INCOMPLETE: 3 lake files could not be read');
    expect(text).toContain('INCOMPLETE: 3 lake files could not be read');
    for (const key of Object.values(damaged)) {
      // The HTML escapes '=' (as in dt=…), so compare the escaped key.
      expect(html).toContain(key.replaceAll('=', '&#61;'));
      expect(text.replace(/\s+/g, '')).toContain(key);
    }
    // The rest is still there: server 1001 and the SendSage test.
    expect(text).toContain('1001');
    expect(html).toContain('1001');

    const warnings = lines.map((l) => JSON.parse(l) as { level: string; key?: string; message: string });
    expect(
      warnings
        .filter((w) => w.level === 'warn')
        .map((w) => w.key)
        .sort(),
    ).toEqual(Object.values(damaged).sort());
    for (const w of warnings) expect(w.message).toContain(w.key);

    const [mail] = await ses.stored();
    expect(mail!.subject).toBe(result.subject);
    expect(mail!.body.text).toContain('INCOMPLETE');
  });

  it('a store that fails to read (not a damaged file) stops the digest with the key named, so a retry can finish it', async () => {
    const failing = Object.create(store) as LocalFolderStore;
    failing.get = async (key: string) => {
      if (key === damaged.isps) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      return store.get(key);
    };
    const attempt = computeDigest(failing, {
      tables: digestTables(sources),
      date: DATE,
      timeZone: 'UTC',
      now: day + DAY_MS,
    });
    await expect(attempt).rejects.toThrow(LakeReadError);
    await expect(attempt).rejects.toThrow(`reading ${store.location}/${damaged.isps}: read ECONNRESET`);
  });

  it('a complete digest says nothing of it', async () => {
    const clean = await buildLake(await scratch('digest-readable'));
    const d = await computeDigest(clean, {
      tables: digestTables(sources),
      date: DATE,
      timeZone: 'UTC',
      now: day + DAY_MS,
    });
    expect(d.unreadable_files).toEqual([]);
    expect(d.socketlabs.servers.map((s) => s.server_id)).toEqual([1001, 1002]);
  });
});
