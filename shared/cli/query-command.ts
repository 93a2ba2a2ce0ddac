import { existsSync } from 'node:fs';
import * as z from 'zod';
import { allTables } from '../catalog';
import type { LakeConfig } from '../config';
import { ConfigError } from '../core/errors';
import { loadNamedQueries, namedQuery, withReferenceDate } from '../lake/named-queries';
import { localLakeFolder } from '../lake/open-store';
import { openLakeQuery } from '../lake/query';
import { formatTable } from './summary';

/** `inboxlake query` arguments: SQL given as text, a named query (optionally as of a date), or the list of names. */
export const queryArgs = z
  .object({
    sql: z.string().trim(),
    named: z.string().trim().min(1, { error: '--named takes a query name (see inboxlake query --list)' }).optional(),
    list: z.boolean().default(false),
    date: z.iso.date({ error: '--date must be a date YYYY-MM-DD' }).optional(),
  })
  .transform((a, ctx): QueryRequest => {
    const given = [a.sql !== '', a.named !== undefined, a.list].filter(Boolean).length;
    if (given !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          'query takes one of: the SQL as its argument, --named NAME, or --list (e.g. inboxlake query "select 1")',
      });
      return z.NEVER;
    }
    if (a.date !== undefined && a.named === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: '--date goes with --named: it runs a named query as if today were DATE',
      });
      return z.NEVER;
    }
    if (a.list) return { kind: 'list' };
    if (a.named !== undefined) return { kind: 'named', name: a.named, date: a.date };
    return { kind: 'sql', sql: a.sql };
  });

export type QueryRequest =
  | { readonly kind: 'sql'; readonly sql: string }
  | { readonly kind: 'named'; readonly name: string; readonly date?: string }
  | { readonly kind: 'list' };

/**
 * `inboxlake query "SQL"` / `--named NAME [--date YYYY-MM-DD]`: DuckDB over the local lake, printed as a table;
 * `--list`: the named queries and their descriptions.
 */
export async function runQuery(request: QueryRequest, lake: LakeConfig): Promise<number> {
  if (request.kind === 'list') {
    const rows = loadNamedQueries().map((q) => [q.name, q.description]);
    // Descriptions are long: no padding after the last column.
    const table = formatTable(['name', 'description'], rows);
    process.stdout.write(`${table.replace(/ +$/gm, '')}\n`);
    return 0;
  }
  let sql = request.kind === 'sql' ? request.sql : namedQuery(request.name).sql;
  if (request.kind === 'named' && request.date) sql = withReferenceDate(sql, request.date);
  let lakeDir: string | null;
  try {
    lakeDir = localLakeFolder(lake.location);
  } catch (err) {
    throw new ConfigError(`INBOXLAKE_LAKE: ${(err as Error).message}`, { cause: err });
  }
  if (lakeDir === null) {
    throw new ConfigError(
      'inboxlake query reads a local lake folder; for an S3 lake use Athena (INBOXLAKE_LAKE is s3://…)',
    );
  }
  // A mistyped location would otherwise answer every query with 0 rows, as if the lake were empty.
  if (!existsSync(lakeDir)) {
    throw new ConfigError(`no lake folder at ${lakeDir} (INBOXLAKE_LAKE); collect first, or point it at the lake`);
  }
  const q = await openLakeQuery({ lakeDir, tables: allTables });
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
