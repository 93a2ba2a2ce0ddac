import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDeploymentConfig } from '../../infra/config';
import { dtProjectionWarning } from '../../infra/constructs/lake';
import { glueTableInput, locationTemplate, partitionAthenaType } from '../../infra/glue-tables';
import { deployedTables, tablesBySource } from '../../infra/sources';
import { fileWriters } from '../../shared/app/lake';
import { allTables } from '../../shared/catalog';
import { DAY_MS, utcDay } from '../../shared/core/windows';
import { LocalFolderStore } from '../../shared/lake/local-store';
import { loadNamedQueries } from '../../shared/lake/named-queries';
import { athenaType, type Row, type TableDef } from '../../shared/lake/table';
import { openWindowWriter } from '../../shared/lake/window-writer';
import { exampleStack, resourcesOf, type Synthesized, synthesize } from './synth';

interface GlueTableProps {
  Name: string;
  Parameters: Record<string, unknown>;
  PartitionKeys: { Name: string; Type: string; Comment: string }[];
  StorageDescriptor: {
    Columns: { Name: string; Type: string; Comment: string }[];
    SerdeInfo: { SerializationLibrary: string };
  };
}

/** The TableInput of a Glue table resource's properties. */
const glueTableOf = (p: Record<string, unknown>) => p.TableInput as GlueTableProps;

/** A Glue table of the template by name. */
function glueTable(s: Synthesized, name: string) {
  const found = resourcesOf(s, 'AWS::Glue::Table').find(([, p]) => glueTableOf(p).Name === name);
  if (!found) throw new Error(`no Glue table ${name}`);
  return glueTableOf(found[1]);
}

/** One row with a value of the right type in every column, its time column at `at`. */
function sampleRow(table: TableDef, at: number): Row {
  const value = { timestamp: at, int32: 7, int64: 42, double: 1.5, boolean: true, string: 'x, "quoted"' } as const;
  return Object.fromEntries(table.columns.map((c) => [c.name, value[c.type]]));
}

describe('Glue tables generated from the table definitions', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = exampleStack();
  });

  it('covers every table of the catalog, each in one source list', () => {
    const bySource = Object.values(tablesBySource)
      .flat()
      .map((t) => t.name);
    expect(new Set(bySource).size).toBe(bySource.length);
    expect(bySource.sort()).toEqual(allTables.map((t) => t.name).sort());
    // The example config configures every source, so every table is deployed.
    const deployed = resourcesOf(s, 'AWS::Glue::Table').map(([, p]) => (p.TableInput as { Name: string }).Name);
    expect(deployed.sort()).toEqual(bySource);
  });

  it.each(allTables.map((t) => [t.name, t] as const))('%s: columns, partitions and projection', (_name, table) => {
    const glue = glueTable(s, table.name);
    expect(glue.StorageDescriptor.Columns.map((c) => [c.Name, c.Type])).toEqual(
      table.columns.map((c) => [c.name, athenaType[c.type]]),
    );
    expect(glue.PartitionKeys.map((k) => [k.Name, k.Type])).toEqual(
      table.partitionKeys.map((k) => [k.name, partitionAthenaType[k.type]]),
    );
    expect(glue.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
      'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    );
    const p = glue.Parameters;
    expect(p).toMatchObject({
      EXTERNAL: 'TRUE',
      classification: 'parquet',
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': `${s.config.historyStart},NOW+1DAYS`,
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
    });
    const keys = table.partitionKeys.map((k) => k.name);
    if (keys.includes('server_id')) {
      // All servers of every account: the named queries read v1 and v2 tables side by side.
      const ids = s.config.socketlabs.flatMap((a) => a.serverIds).sort((a, b) => a - b);
      expect(p['projection.server_id.type']).toBe('enum');
      expect(p['projection.server_id.values']).toBe(ids.join(','));
    }
    // Every partition key is projected, nothing else is.
    const projected = Object.keys(p)
      .filter((k) => k.endsWith('.type') && k.startsWith('projection.'))
      .map((k) => k.split('.')[1]);
    expect(projected).toEqual(keys);
    const placeholders = keys.map((k) => `${k}=\${${k}}`).join('/');
    expect(p['storage.location.template']).toEqual({
      'Fn::Join': ['', ['s3://', s.stack.resolve(s.stack.lake.bucket.bucketName), `/${table.name}/${placeholders}/`]],
    });
  });

  it('catalogs the SendSage tables without SendSage, and no SocketLabs table without a server', () => {
    const sendsageOnly = { ...s.config, socketlabs: [] };
    expect(deployedTables(sendsageOnly).map((t) => t.source)).toEqual(tablesBySource.sendsage!.map(() => 'sendsage'));
    const socketlabsOnly = { ...s.config, sendsage: null };
    expect(deployedTables(socketlabsOnly)).toHaveLength(allTables.length);
  });

  it('projects dt from the retention start when a retention is set', () => {
    const [first] = deployedTables({ ...s.config, retentionDays: 400 });
    const input = glueTableInput(first!.table, {
      bucketName: 'b',
      format: 'parquet',
      dateRangeStart: 'NOW-400DAYS',
      enumValues: first!.enumValues,
    });
    expect(input.parameters).toMatchObject({ 'projection.dt.range': 'NOW-400DAYS,NOW+1DAYS' });
  });

  it('reads CSV with the Open CSV SerDe, header skipped, every column a string', () => {
    const table = tablesBySource['socketlabs-v2']![0]!;
    const input = glueTableInput(table, {
      bucketName: 'b',
      format: 'csv',
      dateRangeStart: '2025-01-01',
      enumValues: { server_id: [1] },
    });
    const sd = input.storageDescriptor as { serdeInfo: { serializationLibrary: string }; columns: { type: string }[] };
    expect(sd.serdeInfo.serializationLibrary).toBe('org.apache.hadoop.hive.serde2.OpenCSVSerde');
    expect(input.parameters).toMatchObject({ classification: 'csv', 'skip.header.line.count': '1' });
    expect(new Set(sd.columns.map((c) => c.type))).toEqual(new Set(['string']));
  });

  it('every enum-projected partition key is a string (Athena projects enums over string keys only)', () => {
    const tables = resourcesOf(s, 'AWS::Glue::Table').map(([, p]) => glueTableOf(p));
    const enumKeys = tables.flatMap((t) =>
      t.PartitionKeys.filter((k) => t.Parameters[`projection.${k.Name}.type`] === 'enum').map((k) => [t.Name, k]),
    );
    expect(enumKeys.length).toBeGreaterThan(0);
    for (const [name, k] of enumKeys) expect(k, String(name)).toMatchObject({ Name: 'server_id', Type: 'string' });
  });

  it("clips every comment to Glue's 255 bytes, not 255 characters", () => {
    const long = 'Größe — ü'.repeat(60);
    const table = {
      ...tablesBySource.sendsage![0]!,
      columns: [{ ...tablesBySource.sendsage![0]!.columns[0]!, description: long }],
    };
    for (const format of ['parquet', 'csv'] as const) {
      const input = glueTableInput(table, { bucketName: 'b', format, dateRangeStart: '2025-01-01', enumValues: {} });
      const comment = (input.storageDescriptor as { columns: { comment: string }[] }).columns[0]!.comment;
      expect(Buffer.byteLength(comment, 'utf8')).toBeLessThanOrEqual(255);
      expect(Buffer.byteLength(comment, 'utf8')).toBeGreaterThan(250);
      expect(comment.endsWith('…')).toBe(true);
      expect(comment).not.toContain('\uFFFD');
    }
    const templateComments = resourcesOf(s, 'AWS::Glue::Table').flatMap(([, p]) => {
      const t = glueTableOf(p);
      return [...t.PartitionKeys, ...t.StorageDescriptor.Columns].map((c) => c.Comment);
    });
    for (const c of templateComments) expect(Buffer.byteLength(c, 'utf8')).toBeLessThanOrEqual(255);
  });

  it('refuses a table whose non-date partition key has no values to project', () => {
    const table = tablesBySource['socketlabs-v2']![0]!;
    expect(() =>
      glueTableInput(table, { bucketName: 'b', format: 'parquet', dateRangeStart: '2025-01-01', enumValues: {} }),
    ).toThrow(/no projection values for partition key server_id/);
  });
});

describe("the location template against the writer's real layout", () => {
  let root: string;
  let store: LocalFolderStore;
  const day = Date.UTC(2026, 2, 1);
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'inboxlake-layout-'));
    store = new LocalFolderStore(join(root, 'lake'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it.each(allTables.map((t) => [t.name, t] as const))(
    '%s: a written window lies under the resolved template',
    async (_name, table) => {
      const partition = Object.fromEntries(
        table.partitionKeys.map((k) => [k.name, k.type === 'date' ? '2026-03-01' : 10001]),
      );
      const writer = await openWindowWriter({
        store,
        table,
        partition,
        window: { start: day, end: day + DAY_MS },
        formats: ['parquet', 'csv'],
        writers: fileWriters,
        tmpDir: join(root, 'tmp'),
        now: () => day + DAY_MS,
      });
      await writer.append([sampleRow(table, day + 3_600_000)]);
      const { keys } = await writer.commit();
      const dataKeys = keys.filter((k) => !k.startsWith('_'));
      expect(dataKeys.map((k) => k.slice(k.lastIndexOf('.')))).toEqual(['.parquet', '.csv']);

      // Athena substitutes each partition's values into the template; the file must lie directly under it.
      let location = locationTemplate('lake-bucket', table);
      for (const [k, v] of Object.entries(partition)) location = location.replace(`\${${k}}`, String(v));
      expect(location).not.toContain('${');
      for (const key of dataKeys) {
        const url = `s3://lake-bucket/${key}`;
        expect(url.startsWith(location)).toBe(true);
        expect(url.slice(location.length)).not.toContain('/');
      }
    },
  );
});

describe('Athena', () => {
  it('has a workgroup with enforced settings, engine v3, a scan cap and encrypted results in the lake', () => {
    const s = exampleStack();
    s.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      RecursiveDeleteOption: true,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: s.config.athena.bytesScannedCutoffPerQuery,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: Match.anyValue() }, '/_athena-results/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
  });

  it('has every named query file as a named query in the database and workgroup', () => {
    const s = exampleStack();
    const queries = loadNamedQueries();
    expect(queries.length).toBeGreaterThanOrEqual(4);
    const deployed = resourcesOf(s, 'AWS::Athena::NamedQuery').map(([, p]) => p);
    expect(deployed.map((p) => p.Name).sort()).toEqual(queries.map((q) => q.name).sort());
    for (const q of queries) {
      expect(deployed.find((p) => p.Name === q.name)).toEqual({
        Name: q.name,
        Description: q.description,
        QueryString: q.sql,
        Database: s.stack.lake.databaseName,
        WorkGroup: s.stack.lake.workGroupName,
      });
    }
  });
});

describe("the dt projection's start against what can be collected", () => {
  const config = exampleDeploymentConfig();

  it('names the oldest collectable day when historyStart is later, and stays quiet otherwise', () => {
    const late = dtProjectionWarning({ ...config, historyStart: '2026-11-01' }, '2026-12-02');
    expect(late).toMatch(/historyStart 2026-11-01 is later than 2026-09-04, the oldest day SocketLabs still serves/);
    expect(dtProjectionWarning({ ...config, historyStart: '2026-09-04' }, '2026-12-02')).toBeNull();
    // A retention moves the projection's start with it; without SocketLabs nothing bounds the history.
    expect(dtProjectionWarning({ ...config, historyStart: '2026-11-01', retentionDays: 90 }, '2026-12-02')).toBeNull();
    expect(dtProjectionWarning({ ...config, historyStart: '2026-11-01', socketlabs: [] }, '2026-12-02')).toBeNull();
  });

  it('tells every collector where the projection starts, so a run behind it warns', () => {
    const s = exampleStack();
    const starts = resourcesOf(s, 'AWS::Lambda::Function')
      .map(([, p]) => (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {})
      .filter((v) => 'INBOXLAKE_DT_PROJECTION_START' in v)
      .map((v) => v.INBOXLAKE_DT_PROJECTION_START);
    expect(starts).toEqual(s.stack.collectors.collectors.map(() => config.historyStart));
    expect(starts.length).toBe(config.socketlabs.length + 1);
  });

  it('is a synth warning of the stack', () => {
    const recent = utcDay(Date.now() - 10 * DAY_MS);
    const warned = Annotations.fromStack(synthesize({ ...config, historyStart: recent }).stack);
    warned.hasWarning('*', Match.stringLikeRegexp(`historyStart ${recent} is later than`));
    const quiet = Annotations.fromStack(exampleStack().stack);
    expect(quiet.findWarning('*', Match.stringLikeRegexp('historyStart'))).toEqual([]);
  });
});
