import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, ListTableMetadataCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { scratchTableName } from '../../shared/app/check-athena';
import { sampleRows } from '../../shared/app/check-athena-sample';
import { fileWriters } from '../../shared/app/lake';
import { allTables } from '../../shared/catalog';
import { main } from '../../shared/cli/main';
import { ConfigError } from '../../shared/core/errors';
import { AthenaQueryError, athenaEngine, CatalogReadError, scratchTableDdl } from '../../shared/lake/athena';
import type { LakeFormat } from '../../shared/lake/file-writer';
import { fileKey } from '../../shared/lake/layout';
import { LocalFolderStore } from '../../shared/lake/local-store';
import { S3Store } from '../../shared/lake/s3-store';
import type { TableDef } from '../../shared/lake/table';
import { athenaTableMetadata, catalogTable } from '../helpers/athena-catalog';
import { fakeAthena } from '../helpers/fake-athena';
import { type LocalS3, startLocalS3 } from '../helpers/s3';

/**
 * `inboxlake check-athena` against a fake Athena client (aws-sdk-client-mock answering StartQueryExecution /
 * GetQueryExecution / GetQueryResults, with DuckDB computing the answers) and a real S3-protocol server for the
 * samples: the CLI door, the Athena runner (polling, FAILED reasons, result paging), the pass/fail table and the
 * exit code.
 */

const SERVERS = [10001, 10002];
const BUCKET = 'inboxlake-test';
let s3: LocalS3;
const dirs: string[] = [];

beforeAll(async () => {
  s3 = await startLocalS3(BUCKET);
});
afterAll(async () => {
  await s3.close();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function lakeWithData(tables: readonly TableDef[], format: LakeFormat = 'parquet') {
  const lakeDir = await mkdtemp(join(tmpdir(), 'inboxlake-fake-athena-'));
  dirs.push(lakeDir);
  const store = new LocalFolderStore(lakeDir);
  for (const t of tables) {
    const values = Object.fromEntries(t.partitionKeys.map((k) => [k.name, k.type === 'date' ? '2026-11-20' : '10002']));
    const writer = await fileWriters[format](t, store.pathOf(fileKey('data', t, values, 'test', format)));
    await writer.append(sampleRows(t, values, 20));
    await writer.close();
  }
  return lakeDir;
}

const metadata = (tables: readonly TableDef[], format: LakeFormat = 'parquet') =>
  tables.map((t) => athenaTableMetadata(t, { bucket: BUCKET, format, serverIds: SERVERS }));

/** Runs `inboxlake check-athena ARGS` in-process (aws-sdk-client-mock replaces every AthenaClient) with s3rver. */
async function runCheckAthenaCli(args: string[]) {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const code = await main(['check-athena', ...args], {
    AWS_REGION: 'us-east-1',
    INBOXLAKE_S3_ENDPOINT: s3.endpoint,
  });
  vi.restoreAllMocks();
  return { code, out };
}

const bucketStore = () => new S3Store({ client: s3.client, bucket: BUCKET });
const lineOf = (out: string, table: string, data: string, check: string) =>
  out.split('\n').find((l) => new RegExp(`^${table}\\s+${data}\\s+${check}\\s`).test(l)) ?? '';

describe('inboxlake check-athena', () => {
  it('runs every statement in the given workgroup and database, prints a pass table and exits 0', async () => {
    const withData = allTables.filter((t) => t.name === 'socketlabs_failed' || t.name === 'sendsage_campaigns');
    const fake = await fakeAthena({ lakeDir: await lakeWithData(withData), tables: metadata(withData) });
    try {
      const { code, out } = await runCheckAthenaCli(['--workgroup', 'prod_lake', '--database', 'prod_lake']);
      expect(out).toContain('check-athena: 9 checks passed, 0 failed, 1 skipped');
      expect(code).toBe(0);
      expect(lineOf(out, 'socketlabs_failed', 'lake', 'partition filter')).toMatch(
        /PASS\s+dt=2026-11-20\/server_id=10002: 20 rows$/,
      );
      expect(lineOf(out, 'sendsage_campaigns', 'lake', 'boolean filter')).toMatch(
        /PASS\s+spam_result = true: 10 rows$/,
      );
      expect(lineOf(out, 'socketlabs_failed', 'lake', 'boolean filter')).toMatch(/SKIP\s+the table has no boolean/);
      expect(out).toMatch(/^not deployed \(not checked\): socketlabs_messages, /m);
      // count, time, partition, text (+ boolean where there is one): 4 + 5.
      expect(fake.started.length).toBe(9);
      for (const s of fake.started) {
        expect(s).toMatchObject({ workGroup: 'prod_lake', database: 'prod_lake', catalog: 'AwsDataCatalog' });
      }
    } finally {
      await fake.close();
    }
  });

  it("prints Athena's error text for a FAILED statement, skips what depends on it, and exits 1", async () => {
    const reason =
      "HIVE_BAD_DATA: Field event_time's type INT64 in parquet is incompatible with type timestamp defined in table schema";
    const tables = allTables.filter((t) => t.name === 'socketlabs_failed' || t.name === 'socketlabs_queued');
    const fake = await fakeAthena({
      lakeDir: await lakeWithData(tables),
      tables: metadata(tables),
      fail: (sql) => (sql.includes('max_by(') && sql.includes('"socketlabs_failed"') ? reason : undefined),
    });
    try {
      const { code, out } = await runCheckAthenaCli([]);
      expect(code).toBe(1);
      expect(lineOf(out, 'socketlabs_failed', 'lake', 'event time')).toContain(`FAIL    ${reason}`);
      expect(lineOf(out, 'socketlabs_failed', 'lake', 'partition filter')).toMatch(/SKIP\s+event time failed$/);
      expect(lineOf(out, 'socketlabs_queued', 'lake', 'partition filter')).toMatch(/PASS/);
      expect(out).toContain('check-athena: 5 checks passed, 1 failed, 4 skipped');
      for (const s of fake.started) expect(s).toMatchObject({ workGroup: 'inboxlake', database: 'inboxlake' });
    } finally {
      await fake.close();
    }
  });

  it('checks a table without data on a sample under _check/ through a scratch table, then removes both', async () => {
    const table = allTables.find((t) => t.name === 'socketlabs_account')!;
    const lakeDir = await lakeWithData([]);
    const fake = await fakeAthena({
      lakeDir,
      tables: metadata([table]),
      samples: bucketStore(),
    });
    try {
      const { code, out } = await runCheckAthenaCli([]);
      expect(out).toContain('check-athena: 7 checks passed, 0 failed, 0 skipped');
      expect(code).toBe(0);
      expect(lineOf(out, 'socketlabs_account', 'lake', 'count')).toMatch(/PASS\s+0 rows: checked on a sample$/);
      expect(lineOf(out, 'socketlabs_account', 'sample', 'boolean filter')).toMatch(
        /PASS\s+is_over_allowance = true: 12 rows$/,
      );
      const scratch = scratchTableName(table.name);
      const sqls = fake.started.map((s) => s.sql);
      const create = sqls.find((s) => s.startsWith('CREATE EXTERNAL TABLE'))!;
      expect(create).toContain(`LOCATION 's3://${BUCKET}/_check/socketlabs_account/'`);
      expect(create).toContain(
        `'storage.location.template'='s3://${BUCKET}/_check/socketlabs_account/dt=\${dt}/server_id=\${server_id}/'`,
      );
      expect(create).toContain(`'projection.server_id.values'='10001,10002'`);
      // Dropped before (a stale one) and after; the sample existed while the table was created and is gone now.
      expect(sqls.filter((s) => s === `DROP TABLE IF EXISTS \`${scratch}\``)).toHaveLength(2);
      expect(sqls.at(-1)).toBe(`DROP TABLE IF EXISTS \`${scratch}\``);
      expect(fake.samplesSeen).toEqual([
        `_check/socketlabs_account/dt=${new Date().toISOString().slice(0, 10)}/server_id=10001/part-inboxlake-check.parquet`,
      ]);
      expect(await bucketStore().list('_check/')).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('removes the sample and the scratch table when a check on the sample fails', async () => {
    const table = allTables.find((t) => t.name === 'sendsage_seedlist')!;
    const scratch = scratchTableName(table.name);
    const fake = await fakeAthena({
      lakeDir: await lakeWithData([]),
      tables: metadata([table], 'csv'),
      samples: bucketStore(),
      fail: (sql) =>
        sql.includes(`FROM "${scratch}" WHERE`) ? 'HIVE_CURSOR_ERROR: Unexpected end of input stream' : undefined,
    });
    try {
      const { code, out } = await runCheckAthenaCli([]);
      expect(code).toBe(1);
      expect(lineOf(out, 'sendsage_seedlist', 'sample', 'partition filter')).toContain(
        'FAIL    HIVE_CURSOR_ERROR: Unexpected end of input stream',
      );
      expect(fake.started.at(-1)?.sql).toBe(`DROP TABLE IF EXISTS \`${scratch}\``);
      expect(await bucketStore().list('_check/')).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('fails when the database holds none of the tables (wrong --database)', async () => {
    const fake = await fakeAthena({ lakeDir: await lakeWithData([]), tables: [] });
    try {
      const { code, out } = await runCheckAthenaCli(['--database', 'not_this_one']);
      expect(code).toBe(1);
      expect(out).toContain("the database holds none of inboxlake's tables");
    } finally {
      await fake.close();
    }
  });

  it("names the database and Athena's reason when the tables cannot be listed", async () => {
    const athena = mockClient(AthenaClient);
    athena.on(ListTableMetadataCommand).rejects(new Error('Database not_there not found.'));
    try {
      const err = await main(['check-athena', '--database', 'not_there'], { AWS_REGION: 'us-east-1' }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CatalogReadError);
      expect((err as Error).message).toBe(
        'cannot list the tables of AwsDataCatalog.not_there in Athena: Database not_there not found.',
      );
    } finally {
      athena.restore();
    }
  });

  it('refuses a workgroup name Athena would refuse, before calling AWS', async () => {
    await expect(main(['check-athena', '--workgroup', 'a b'], {})).rejects.toThrow(ConfigError);
  });

  it('--help documents check-athena', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    expect(await main(['check-athena', '--help'], {})).toBe(0);
    expect(out).toMatch(
      /inboxlake check-athena \[--workgroup NAME\] \[--database NAME\]\n\s+Run once after cdk deploy/,
    );
  });
});

describe('the Athena runner', () => {
  it('stops a statement still running at its timeout and reports it', async () => {
    const fake = await fakeAthena({ lakeDir: await lakeWithData([]), tables: [], pending: () => 1000 });
    let clock = 0;
    const engine = athenaEngine(new AthenaClient({ region: 'us-east-1' }), {
      workGroup: 'wg',
      database: 'db',
      timeoutMs: 10_000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    try {
      const err = await engine.query('SELECT 1 AS n').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AthenaQueryError);
      expect((err as AthenaQueryError).message).toBe('still RUNNING after 10 s; stopped');
      expect(fake.stopped).toEqual(['query-1']);
    } finally {
      await fake.close();
    }
  });

  it('reads results across pages without the header row', async () => {
    const fake = await fakeAthena({ lakeDir: await lakeWithData([]), tables: [], pageSize: 2 });
    const engine = athenaEngine(new AthenaClient({ region: 'us-east-1' }), {
      workGroup: 'wg',
      database: 'db',
      sleep: async () => undefined,
    });
    try {
      const rows = await engine.query('SELECT range AS n, NULL AS x FROM range(5)');
      expect(rows).toEqual([0, 1, 2, 3, 4].map((n) => ({ n: String(n), x: null })));
    } finally {
      await fake.close();
    }
  });

  it('a scratch table of a CSV table keeps its SerDe, properties, header skip and projection, moved to _check/', () => {
    const t = allTables.find((x) => x.name === 'sendsage_seedlist')!;
    const ddl = scratchTableDdl(
      catalogTable(t, { bucket: BUCKET, format: 'csv', serverIds: [] }),
      'inboxlake_check_sendsage_seedlist',
      `s3://${BUCKET}/_check/sendsage_seedlist/`,
    );
    expect(ddl).toContain("ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'");
    // The dialect of csv-dialect.ts: quotes doubled, U+0000 as the escape char (written as Hive's \u escape).
    expect(ddl).toContain("WITH SERDEPROPERTIES ('separatorChar'=',', 'quoteChar'='\"', 'escapeChar'='\\u0000')");
    expect(ddl).toContain("'skip.header.line.count'='1'");
    expect(ddl).toContain("'projection.dt.type'='date'");
    expect(ddl).toContain(`'storage.location.template'='s3://${BUCKET}/_check/sendsage_seedlist/dt=\${dt}/'`);
    expect(ddl).toMatch(/^CREATE EXTERNAL TABLE `inboxlake_check_sendsage_seedlist` \(`snapshot_time` string, /);
    expect(ddl).toContain('PARTITIONED BY (`dt` date)');
  });
});
