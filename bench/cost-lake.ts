import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { tableAreaPrefix } from '../shared/lake/layout';
import { columnsOfQuery, loadNamedQueries, tablesOfQuery } from '../shared/lake/named-queries';
import type { TableDef } from '../shared/lake/table';

/**
 * What a local lake holds, for the storage line, and an upper bound of the bytes Athena would scan for each named
 * query over it. No Athena runs here: a query on Parquet reads at most the column chunks of the columns it names, in
 * the partitions it can read; the bound takes every chunk of those columns in every partition of the tables it
 * reads (the queries look back 30–31 days, and the lake holds a month), so pruning and row-group skipping only lower
 * the real figure. Partition keys are folder names, not column chunks, and cost nothing to read.
 */

export interface LakeFile {
  readonly key: string;
  readonly bytes: number;
}

/** Every file of a local lake with its size. */
export async function lakeFiles(root: string): Promise<LakeFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const out: LakeFile[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    out.push({ key: relative(root, path).split('\\').join('/'), bytes: (await stat(path)).size });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** The bytes of the files whose keys start with each prefix (the first that matches wins), and the rest. */
export function bytesByPrefix(files: readonly LakeFile[], prefixes: readonly string[]): Map<string, number> {
  const out = new Map<string, number>([...prefixes, ''].map((p) => [p, 0]));
  for (const f of files) {
    const p = prefixes.find((x) => f.key.startsWith(x)) ?? '';
    out.set(p, out.get(p)! + f.bytes);
  }
  return out;
}

export interface QueryScan {
  readonly name: string;
  readonly tables: readonly string[];
  readonly columns: readonly string[];
  readonly scannedBytes: number;
  /** S3 requests Athena sends for one run: a LIST per partition folder, a GET for each file's footer and chunk. */
  readonly lists: number;
  readonly gets: number;
}

/** Compressed bytes of the named columns' chunks in one Parquet file and how many chunks (its footer is all that is read). */
async function columnChunks(path: string, columns: ReadonlySet<string>): Promise<{ bytes: number; chunks: number }> {
  const buf = await readFile(path);
  const meta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  let bytes = 0;
  let chunks = 0;
  for (const group of meta.row_groups) {
    for (const chunk of group.columns) {
      const name = chunk.meta_data?.path_in_schema[0];
      if (!name || !columns.has(name)) continue;
      bytes += Number(chunk.meta_data!.total_compressed_size);
      chunks++;
    }
  }
  return { bytes, chunks };
}

/** The upper bound of each named query's scan over the lake at `root`. */
export async function namedQueryScans(
  root: string,
  files: readonly LakeFile[],
  tables: readonly TableDef[],
): Promise<QueryScan[]> {
  const out: QueryScan[] = [];
  for (const query of loadNamedQueries()) {
    const names = tablesOfQuery(
      query,
      tables.map((t) => t.name),
    );
    let scanned = 0;
    let gets = 0;
    const folders = new Set<string>();
    const allColumns = new Set<string>();
    for (const name of names) {
      const table = tables.find((t) => t.name === name)!;
      const columns = new Set(
        columnsOfQuery(
          query,
          table.columns.map((c) => c.name),
        ),
      );
      for (const c of columns) allColumns.add(`${name}.${c}`);
      const prefix = tableAreaPrefix('data', name);
      for (const f of files) {
        if (!f.key.startsWith(prefix) || !f.key.endsWith('.parquet')) continue;
        const read = await columnChunks(join(root, f.key), columns);
        scanned += read.bytes;
        gets += 1 + read.chunks;
        folders.add(f.key.slice(0, f.key.lastIndexOf('/')));
      }
    }
    out.push({
      name: query.name,
      tables: names,
      columns: [...allColumns],
      scannedBytes: scanned,
      lists: folders.size,
      gets,
    });
  }
  return out;
}
