import { resolve } from 'node:path';
import { allTables } from '../catalog';
import type { LakeConfig } from '../config';
import { ConfigError } from '../engine/errors';
import { openLakeQuery } from '../lake/query';
import { formatTable } from './summary';

/** `inboxlake query "SQL"`: DuckDB over the local lake, printed as a table. */
export async function runQuery(sql: string, lake: LakeConfig): Promise<number> {
  if (lake.location.startsWith('s3://')) {
    throw new ConfigError(
      'inboxlake query reads a local lake folder; for an S3 lake use Athena (INBOXLAKE_LAKE is s3://…)',
    );
  }
  const q = await openLakeQuery({ lakeDir: resolve(lake.location), tables: allTables });
  try {
    const result = await q.run(sql);
    const rows = result.rows.map((r) => r.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? v : String(v))));
    process.stdout.write(
      `${formatTable(
        result.columns.map((c) => c.name),
        rows,
      )}\n(${rows.length} rows)\n`,
    );
    return 0;
  } finally {
    await q.close();
  }
}
