/**
 * (a) of `npm run bench`: the per-row path (parse → validate → map → rollup → encode Parquet) on the same pages as
 * DuckDB converts them, for the SocketLabs v1 JSON pages and the v2 CSV download route, at 100 k and 1 M rows. The
 * pages are written to disk first (v1: the API's envelope, 500 rows a page; v2: the simulator's CSV download pages of
 * up to 500,000 rows), so neither side pays for HTTP; each case runs in its own process so its peak RSS is its own.
 * Each case runs as `node --import tsx bench/convert.ts <kind> <dir>` (this module alone, so a case's peak RSS is not
 * the rest of the bench's imports); add `--cpu-prof` to profile one, and `<kind>` `prepare-v1`/`prepare-v2` with a
 * row count instead of a folder writes pages and prints their folder.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileWriters } from '../shared/app/lake';
import type { ApiCaller } from '../shared/engine/api-caller';
import type { RateBudget } from '../shared/engine/rate-budget';
import type { LakeFormat } from '../shared/lake/file-writer';
import { LocalFolderStore } from '../shared/lake/local-store';
import type { Row, TableDef } from '../shared/lake/table';
import { openWindowWriter, type QuarantineEntry } from '../shared/lake/window-writer';
import { generateV1Data } from '../shared/sandbox/socketlabs-v1/dataset';
import { mapProcessed } from '../shared/sources/socketlabs-v1/mapping';
import { socketlabsProcessed } from '../shared/sources/socketlabs-v1/tables';
import { createV2Client } from '../shared/sources/socketlabs-v2/client';
import { v2Endpoints } from '../shared/sources/socketlabs-v2/endpoints';
import { mapMessage } from '../shared/sources/socketlabs-v2/mapping';
import { socketlabsMessages } from '../shared/sources/socketlabs-v2/tables';
import { type ConvertResult, removeScratch, scratchDir, timer } from './convert-case';
import { boundedDuckDb, parseFloor, withDuckDb } from './convert-reference';
import { peakRssMb } from './peak-rss';

const DAY = '2026-11-20';
const DAY_START = Date.parse(`${DAY}T00:00:00Z`);
const V1_PAGE = 500;

/** Writes the v1 API's JSON pages (its envelope, 500 rows each) for `rows` processed messages of one day. */
export function writeV1Pages(rows: number, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const store = generateV1Data({
    seed: 1,
    serverIds: [1234],
    from: DAY,
    to: DAY,
    profile: (d) => (d === 'processed' ? rows : 0),
  });
  const start = DAY_START / 1000;
  const range = store.range('processed', 1234, start, start + 86_399);
  for (let i = range.start, page = 0; i < range.end; i += V1_PAGE, page++) {
    const collection = store.slice('processed', 1234, i, Math.min(range.end, i + V1_PAGE));
    const body = {
      timestamp: new Date().toISOString(),
      totalCount: rows,
      totalPages: Math.ceil(rows / V1_PAGE),
      count: collection.length,
      collection,
    };
    writeFileSync(join(dir, `page-${String(page).padStart(5, '0')}.json`), JSON.stringify(body));
  }
}

/**
 * Downloads a v2 day's message-detail CSV pages from the simulator into `dir` (`page-N.csv`, with its Content-Range
 * beside it in `page-N.range`), as the collector asks for them.
 */
async function writeV2CsvPages(rows: number, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { startV2Simulator } = await import('../shared/sandbox/socketlabs-v2/server');
  const sim = await startV2Simulator({
    serverIds: [1],
    from: DAY,
    to: DAY,
    profile: () => rows,
    apiKey: 'bench-key',
    limits: { timeScale: 1000 },
  });
  try {
    const pageSize = v2Endpoints.messagesCsv.paging.pageSize;
    for (let page = 0; page * pageSize < rows; page++) {
      const url = new URL(`${sim.url}${v2Endpoints.messagesCsv.path.replace('{serverId}', '1')}`);
      url.searchParams.set('startDate', `${DAY} 00:00:00`);
      url.searchParams.set('endDate', `${DAY} 23:59:59`);
      url.searchParams.set('pageSize', String(pageSize));
      url.searchParams.set('pageNumber', String(page));
      url.searchParams.set('sortField', 'statusDate');
      url.searchParams.set('sortDirection', 'asc');
      const res = await fetch(url, { headers: { authorization: 'Bearer bench-key', accept: 'text/csv' } });
      if (res.status !== 200 && res.status !== 206) throw new Error(`simulator answered ${res.status}`);
      writeFileSync(join(dir, `page-${page}.csv`), Buffer.from(await res.arrayBuffer()));
      writeFileSync(join(dir, `page-${page}.range`), res.headers.get('content-range') ?? '');
    }
  } finally {
    await sim.close();
  }
}

async function openBenchWriter(table: TableDef, format: LakeFormat, partition: Record<string, string | number>) {
  return openWindowWriter({
    store: new LocalFolderStore(scratchDir('lake')),
    table,
    partition,
    window: { start: DAY_START, end: DAY_START + 86_400_000 },
    formats: [format],
    writers: fileWriters,
    tmpDir: scratchDir('tmp'),
    now: () => Date.now(),
  });
}

/** Child: v1 JSON page files → mapped rows → a published Parquet (or CSV) file. */
export async function v1WithInboxlake(pagesDir: string, format: LakeFormat): Promise<ConvertResult> {
  const elapsed = timer();
  const writer = await openBenchWriter(socketlabsProcessed, format, { dt: DAY, server_id: 1234 });
  let rows = 0;
  const ingestedAt = Date.now();
  for (const file of readdirSync(pagesDir).sort()) {
    const page = JSON.parse(readFileSync(join(pagesDir, file), 'utf8')) as { collection: unknown[] };
    const out: Row[] = [];
    for (const raw of page.collection) {
      const mapped = mapProcessed(raw, ingestedAt);
      if (mapped.ok) out.push(mapped.row);
    }
    await writer.append(out);
    rows += out.length;
  }
  const result = await writer.commit();
  return { rows, ...elapsed(), peakRssMb: peakRssMb(), bytes: result.bytes };
}

/**
 * Child: v2 CSV page files through the v2 client's own CSV page handling (download checked whole, then read in
 * batches), mapped and written as the collector does. Only the HTTP call is replaced: its answer is the file.
 */
async function v2WithInboxlake(pagesDir: string, format: LakeFormat): Promise<ConvertResult> {
  const elapsed = timer();
  const pages = readdirSync(pagesDir)
    .filter((f) => f.endsWith('.csv'))
    .sort();
  let next = 0;
  const fromFile = (async (_req, consume) => {
    const file = join(pagesDir, pages[next++]!);
    return consume({
      status: 206,
      headers: new Headers({ 'content-range': readFileSync(file.replace(/\.csv$/, '.range'), 'utf8') }),
      body: createReadStream(file),
      cancel: async () => undefined,
    });
  }) as ApiCaller['stream'];
  const call = Object.assign(() => Promise.reject(new Error('bench: JSON calls are not expected')), {
    stream: fromFile,
  }) as unknown as ApiCaller;
  const budget = {} as RateBudget;
  const client = createV2Client({
    baseUrl: 'http://bench.invalid/v2',
    apiKey: 'bench-key',
    timeoutMs: 60_000,
    call,
    budgets: { overall: budget, 'message-reports': budget },
    spoolDir: scratchDir('spool'),
  });
  const writer = await openBenchWriter(socketlabsMessages, format, { dt: DAY, server_id: 1 });
  const window = { start: DAY_START, end: DAY_START + 86_400_000 };
  const ingestedAt = Date.now();
  let rows = 0;
  for (let p = 0; p < pages.length; p++) {
    const page = await client.csvPage(
      v2Endpoints.messagesCsv,
      1,
      window,
      { offset: 0, size: 0, pageNumber: p },
      new AbortController().signal,
    );
    for await (const batch of page.stream.batches) {
      const out: Row[] = [];
      const quarantine: QuarantineEntry[] = [];
      for (const raw of batch) {
        const mapped = mapMessage(raw, ingestedAt);
        if (mapped.ok) out.push(mapped.row);
        else quarantine.push({ reason: mapped.reason, raw });
      }
      await writer.quarantine(quarantine);
      await writer.append(out);
      rows += out.length;
    }
  }
  const result = await writer.commit();
  return { rows, ...elapsed(), peakRssMb: peakRssMb(), bytes: result.bytes };
}

/** Runs one conversion case in this process. */
function convertChild(kind: string, dir: string): Promise<ConvertResult> {
  switch (kind) {
    case 'v1-duckdb':
      return withDuckDb(dir, 'v1');
    case 'v2-duckdb':
      return withDuckDb(dir, 'v2');
    case 'v1-duckdb-bounded':
      return withDuckDb(dir, 'v1', true);
    case 'v2-duckdb-bounded':
      return withDuckDb(dir, 'v2', true);
    case 'v1-floor':
      return parseFloor(dir, 'v1');
    case 'v2-floor':
      return parseFloor(dir, 'v2');
    case 'v1-parquet':
      return v1WithInboxlake(dir, 'parquet');
    case 'v1-csv':
      return v1WithInboxlake(dir, 'csv');
    case 'v2-parquet':
      return v2WithInboxlake(dir, 'parquet');
    default:
      throw new Error(`bench: unknown conversion case ${kind}`);
  }
}

/** Writes the pages of one route for `rows` rows into a new folder and returns it. */
async function preparePages(route: 'v1' | 'v2', rows: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `bench-pages-${route}-`));
  if (route === 'v1') writeV1Pages(rows, dir);
  else await writeV2CsvPages(rows, dir);
  return dir;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Bundles this module as the stack bundles a handler (infra/bundling.ts), so inboxlake's cases run as Lambda runs
 * them: one minified file under plain `node`, without tsx compiling TypeScript in the process (about 60 MB of RSS).
 */
async function bundleSelf(): Promise<string> {
  const { build } = await import('esbuild');
  const { bundlingOptions } = await import('../infra/bundling');
  const outfile = join(mkdtempSync(join(tmpdir(), 'bench-bundle-')), 'convert.mjs');
  await build({
    ...bundlingOptions,
    entryPoints: [fileURLToPath(import.meta.url)],
    outfile,
    // Only the parent bundles; the children never reach this import.
    external: [...bundlingOptions.external, 'esbuild'],
  });
  return outfile;
}

/** Prints (a): both routes at 100 k and 1 M rows, inboxlake beside DuckDB, and peak RSS under the default heap. */
export async function benchConversion(execArgv: readonly string[]): Promise<void> {
  const bundle = await bundleSelf();
  try {
    await conversionTable(bundle, execArgv);
  } finally {
    rmSync(dirname(bundle), { recursive: true, force: true });
  }
}

/** Runs every case and prints the table. */
async function conversionTable(bundle: string, execArgv: readonly string[]): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const child = (kind: string, dir: string, nodeFlags: string[] = []): ConvertResult => {
    // DuckDB's native module is external to the bundle and resolves from the repository, so its case runs the source.
    const script = kind.includes('-duckdb') ? [...execArgv, self] : [bundle];
    const out = execFileSync(process.execPath, [...nodeFlags, ...script, kind, dir], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as ConvertResult;
  };
  console.log('\n(a) the per-row path: API pages → Parquet, inboxlake beside DuckDB (each case in its own process)\n');
  console.log(
    '| route | rows | inboxlake s (CPU s) | rows/s | peak RSS | peak RSS, heap ≤ 128 MB | DuckDB s (CPU s) | DuckDB RSS | inboxlake ÷ DuckDB time | Parquet MB | Parquet ÷ CSV |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const growth: string[] = [];
  const bounds: string[] = [];
  for (const route of ['v1', 'v2'] as const) {
    const peaks: number[] = [];
    for (const rows of [100_000, 1_000_000]) {
      const dir = await preparePages(route, rows);
      const ours = child(`${route}-parquet`, dir);
      // What a small Lambda does: V8's heap bounded by the function's memory, so garbage is collected sooner.
      const capped = child(`${route}-parquet`, dir, ['--max-old-space-size=128']);
      const duck = child(`${route}-duckdb`, dir);
      // (c): the lake's Parquet beside the same rows as CSV, on the v1 rows (the CSV writer's reference table).
      const csv = route === 'v1' ? child('v1-csv', dir) : null;
      const floor = child(`${route}-floor`, dir);
      const bounded = child(`${route}-duckdb-bounded`, dir);
      peaks.push(ours.peakRssMb);
      const name = route === 'v1' ? 'v1 JSON pages' : 'v2 CSV download';
      console.log(
        `| ${name} | ${fmt(ours.rows)} | ${ours.seconds.toFixed(2)} (${ours.cpuSeconds.toFixed(2)}) | ` +
          `${fmt(Math.round(ours.rows / ours.seconds))} | ${ours.peakRssMb} MB | ` +
          `${capped.peakRssMb} MB (${capped.seconds.toFixed(2)} s) | ${duck.seconds.toFixed(2)} (${duck.cpuSeconds.toFixed(2)}) | ` +
          `${duck.peakRssMb} MB | ${(ours.seconds / duck.seconds).toFixed(2)}× | ${(ours.bytes / 1e6).toFixed(1)} | ${csv ? (ours.bytes / csv.bytes).toFixed(3) : '—'} |`,
      );
      const { threads, memory_limit } = boundedDuckDb[route];
      bounds.push(
        `| ${name} | ${fmt(ours.rows)} | ${floor.seconds.toFixed(2)} (${floor.peakRssMb} MB) | ` +
          `${(floor.seconds / duck.seconds).toFixed(2)}× | ${bounded.seconds.toFixed(2)} (${bounded.peakRssMb} MB; ` +
          `${threads} thread, memory_limit ${memory_limit}) | ${(ours.seconds / bounded.seconds).toFixed(2)}× |`,
      );
      rmSync(dir, { recursive: true, force: true });
    }
    growth.push(`${route} ${(peaks[1]! / peaks[0]!).toFixed(2)}×`);
  }
  console.log(
    `\npeak RSS growth 100 k → 1 M rows (default heap): ${growth.join(', ')}; targets: ÷ DuckDB ≤ 2×, RSS ≤ 200 MB`,
  );
  console.log(
    '\n(a′) what bounds the ratio: parsing the pages alone in JavaScript (no validation, mapping or encoding), and DuckDB run as a small Lambda would run it\n',
  );
  console.log(
    '| route | rows | JS parse alone s (peak RSS) | parse alone ÷ DuckDB | DuckDB bounded s (peak RSS) | inboxlake ÷ bounded DuckDB |',
  );
  console.log('|---|---|---:|---:|---:|---:|');
  for (const line of bounds) console.log(line);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [kind, arg] = process.argv.slice(2);
  if (kind === 'prepare-v1' || kind === 'prepare-v2') {
    process.stdout.write(`${await preparePages(kind === 'prepare-v1' ? 'v1' : 'v2', Number(arg))}\n`);
  } else {
    try {
      process.stdout.write(`${JSON.stringify(await convertChild(kind!, arg!))}\n`);
    } finally {
      removeScratch();
    }
  }
}
