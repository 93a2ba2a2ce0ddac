/**
 * The references the per-row path is measured against (bench/convert.ts): DuckDB converting the same page files to
 * Parquet, with its defaults and bounded as a small Lambda would run it, and the least any JavaScript path must do
 * with the pages (parse them, nothing else).
 */
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { csvBatches } from '../shared/engine/csv-pages';
import { type ConvertResult, scratchDir, timer } from './convert-case';
import { peakRssMb } from './peak-rss';

/**
 * DuckDB as a Lambda under 1,769 MB would run it: one thread (less than one vCPU), and the smallest memory limit at
 * which it converted these pages at all (v1: 100 MB; the v2 CSV pages fail below ~120 MB).
 */
export const boundedDuckDb: Record<'v1' | 'v2', Record<string, string>> = {
  v1: { threads: '1', memory_limit: '100MB' },
  v2: { threads: '1', memory_limit: '120MB' },
};

/** Child: DuckDB reading the same page files and writing Parquet (its defaults, or bounded as in a small Lambda). */
export async function withDuckDb(pagesDir: string, route: 'v1' | 'v2', bounded = false): Promise<ConvertResult> {
  const out = join(scratchDir('duck'), 'out.parquet');
  // Loaded here only (before the clock starts), so the native library counts in DuckDB's RSS and not in inboxlake's.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const elapsed = timer();
  const db = await DuckDBInstance.create(':memory:', bounded ? boundedDuckDb[route] : {});
  const c = await db.connect();
  // A v1 page is ~150 KB; the reader's buffers follow maximum_object_size, so it is kept near what a page needs.
  const select =
    route === 'v1'
      ? `SELECT unnest(collection, recursive := true) FROM read_json('${pagesDir}/*.json', maximum_object_size = 4194304)`
      : `SELECT * FROM read_csv('${pagesDir}/*.csv', header = true)`;
  await c.run(`COPY (${select}) TO '${out}' (FORMAT parquet, COMPRESSION snappy)`);
  const n = await c.runAndReadAll(`SELECT count(*) FROM read_parquet('${out}')`);
  return { rows: Number(n.getRows()[0]![0]), ...elapsed(), peakRssMb: peakRssMb(), bytes: statSync(out).size };
}

/**
 * Child: the least any JavaScript path must do with the pages — v1: read each file and JSON.parse it; v2: papaparse
 * the CSV into row objects as the collector does — and nothing else (no validation, mapping or encoding).
 */
export async function parseFloor(pagesDir: string, route: 'v1' | 'v2'): Promise<ConvertResult> {
  const elapsed = timer();
  let rows = 0;
  let bytes = 0;
  for (const file of readdirSync(pagesDir).sort()) {
    if (!file.endsWith(route === 'v1' ? '.json' : '.csv')) continue;
    const path = join(pagesDir, file);
    bytes += statSync(path).size;
    if (route === 'v1') {
      rows += (JSON.parse(readFileSync(path, 'utf8')) as { collection: unknown[] }).collection.length;
    } else {
      for await (const batch of csvBatches(createReadStream(path), {
        batchSize: 5_000,
        expectedRows: null,
        where: file,
      })) {
        rows += batch.length;
      }
    }
  }
  return { rows, ...elapsed(), peakRssMb: peakRssMb(), bytes };
}
