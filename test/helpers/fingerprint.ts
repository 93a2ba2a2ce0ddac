import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { sqlString } from '../../shared/lake/query';

/**
 * What a run left in a folder, in a form that can be compared across code versions: every file by its relative
 * path; a Parquet file by its schema, row count and a hash of its rows as DuckDB reads them back (so a change of
 * encoding that keeps every value is no difference, a changed value is); a JSON file in full when `inFull` says so
 * (state, digest: a diff shows what changed), else by a hash of its parsed content; any other file by its bytes.
 */
export interface FolderFingerprint {
  readonly files: Record<string, FileFingerprint>;
}

export type FileFingerprint =
  | { readonly kind: 'parquet'; readonly rows: number; readonly columns: string; readonly rowsHash: string }
  | { readonly kind: 'json'; readonly content: unknown }
  | { readonly kind: 'json-hash'; readonly sha256: string }
  | { readonly kind: 'bytes'; readonly sha256: string };

// 96 bits: no accidental collision between two versions of one file, and short enough to scan in a diff.
const short = (data: string | Buffer) => createHash('sha256').update(data).digest('hex').slice(0, 24);

/** Fingerprints every file under root (paths with `/`, sorted). */
export async function fingerprintFolder(root: string, inFull: (path: string) => boolean): Promise<FolderFingerprint> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // Timestamps rendered in UTC, so the machine's zone cannot change the strings.
    await connection.run("SET TimeZone='UTC'");
    const files: Record<string, FileFingerprint> = {};
    for (const path of paths) {
      const full = join(root, path);
      if (path.endsWith('.parquet')) {
        // Only the file's own columns: the partition values are already in its path.
        const source = `read_parquet(${sqlString(full)}, hive_partitioning = false)`;
        const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
        const columns = described.getRows().map((r) => `${String(r[0])} ${String(r[1])}`);
        // Every value as DuckDB's own text and the rows in one total order: the hash depends on the values only.
        const read = await connection.runAndReadAll(`SELECT COLUMNS(*)::VARCHAR FROM ${source} ORDER BY ALL`);
        const rows = read.getRows().map((r) => JSON.stringify(r));
        files[path] = {
          kind: 'parquet',
          rows: rows.length,
          columns: short(columns.join('\n')),
          rowsHash: short(rows.join('\n')),
        };
      } else if (path.endsWith('.json')) {
        const content: unknown = JSON.parse(await readFile(full, 'utf8'));
        files[path] = inFull(path)
          ? { kind: 'json', content }
          : { kind: 'json-hash', sha256: short(JSON.stringify(sortKeys(content))) };
      } else if (path.endsWith('.eml')) {
        files[path] = { kind: 'bytes', sha256: short(withoutMimeRandoms(await readFile(full, 'utf8'))) };
      } else {
        files[path] = { kind: 'bytes', sha256: short(await readFile(full)) };
      }
    }
    return { files };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * A MIME message with the two values nodemailer draws at random on every build (the Message-ID and the multipart
 * boundary token) replaced; everything else, the Date header and both bodies included, is kept.
 */
export function withoutMimeRandoms(eml: string): string {
  return eml
    .replace(/^Message-ID: <[^>]*>/im, 'Message-ID: <random>')
    .replace(/_NmP-[0-9a-f]+-Part_/g, '_NmP-random-Part_');
}

/** Lists the files whose fingerprints differ (changed, missing from `actual` or new in it), as `path: how`. */
export function fingerprintDifferences(
  actual: Record<string, FileFingerprint>,
  expected: Record<string, FileFingerprint>,
): string[] {
  const paths = [...new Set([...Object.keys(actual), ...Object.keys(expected)])].sort();
  return paths.flatMap((p) => {
    if (!(p in actual)) return [`${p}: missing`];
    if (!(p in expected)) return [`${p}: new`];
    return JSON.stringify(sortKeys(actual[p])) === JSON.stringify(sortKeys(expected[p])) ? [] : [`${p}: changed`];
  });
}

/** Object keys in sorted order at every depth (array order kept): key order in a JSON file is not behaviour. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sortKeys(v)]),
  );
}
