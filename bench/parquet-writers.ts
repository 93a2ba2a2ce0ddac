/**
 * Parquet (hyparquet-writer, streamed row groups) vs CSV for socketlabs_processed-shaped rows.
 * Run: npx tsx bench/parquet-writers.ts [rows...]   (default 100000 1000000)
 * Each case runs in a fresh child process so peak RSS belongs to that case alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCsvWriter } from '../shared/lake/csv-writer';
import type { TableFileWriterFactory } from '../shared/lake/file-writer';
import { parquetWriterFactory } from '../shared/lake/parquet-writer';
import type { Row } from '../shared/lake/table';
import { socketlabsProcessed } from '../shared/sources/socketlabs-v1/tables';

// Rows handed to append() at once, about what one API page maps to.
const BATCH = 5_000;

interface CaseResult {
  format: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  bytes: number;
}

const domains = Array.from({ length: 60 }, (_, i) => `domain${i}.example`);
const ips = Array.from({ length: 8 }, (_, i) => `203.0.113.${10 + i}`);
const froms = ['news@shop.example', 'alerts@shop.example', 'billing@shop.example'];

/** Deterministic rows shaped like mapped messagesProcessed records. */
function makeBatch(start: number, count: number): Row[] {
  const base = Date.UTC(2026, 10, 20);
  const rows: Row[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = start + k;
    const domain = domains[i % 60]!;
    rows[k] = {
      event_time: base + Math.floor((i * 86_400_000) / 1_000_000),
      message_id: `msg-${(i * 7919).toString(36)}-${i}`,
      mailing_id: i % 5 === 0 ? null : `mailing-${i % 40}`,
      to_address: `user${i % 250_000}@${domain}`,
      recipient_domain: domain,
      from_address: froms[i % 3]!,
      message_size: 10_000 + ((i * 31) % 90_000),
      disposition: i % 17 === 0 ? 1 : 0,
      local_ip: ips[i % 8]!,
      response: `250 2.0.0 OK ${(i * 104_729).toString(36)} - gsmtp`,
      extra: i % 100 === 0 ? '{"x":1}' : null,
      ingested_at: base + 86_400_000 + 3_600_000,
    };
  }
  return rows;
}

async function runCase(format: string, rows: number, rowGroupRows: number): Promise<CaseResult> {
  const factory: TableFileWriterFactory = format === 'csv' ? createCsvWriter : parquetWriterFactory({ rowGroupRows });
  const dir = mkdtempSync(join(tmpdir(), 'inboxlake-bench-'));
  let peak = process.memoryUsage.rss();
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  };
  const timer = setInterval(sample, 20);
  try {
    const writer = await factory(socketlabsProcessed, join(dir, `out.${format}`));
    let busy = 0n;
    for (let start = 0; start < rows; start += BATCH) {
      const batch = makeBatch(start, Math.min(BATCH, rows - start));
      const t = process.hrtime.bigint();
      await writer.append(batch);
      busy += process.hrtime.bigint() - t;
      sample();
    }
    const t = process.hrtime.bigint();
    const { bytes } = await writer.close();
    busy += process.hrtime.bigint() - t;
    sample();
    const seconds = Number(busy) / 1e9;
    return {
      format: format === 'csv' ? 'csv' : `parquet rg=${rowGroupRows}`,
      rows,
      seconds,
      rowsPerSecond: Math.round(rows / seconds),
      peakRssMb: Math.round(peak / 2 ** 20),
      bytes,
    };
  } finally {
    clearInterval(timer);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--case') {
    const [format = 'parquet', rows = '1000', rowGroupRows = '50000'] = rest;
    process.stdout.write(JSON.stringify(await runCase(format, Number(rows), Number(rowGroupRows))));
    return;
  }
  const sizes = (mode ? [mode, ...rest] : ['100000', '1000000']).map(Number);
  const self = fileURLToPath(import.meta.url);
  const results: CaseResult[] = [];
  for (const rows of sizes) {
    for (const [format, rg] of [
      ['parquet', '50000'],
      ['parquet', '20000'],
      ['csv', '0'],
    ] as const) {
      const out = execFileSync(process.execPath, [...process.execArgv, self, '--case', format, String(rows), rg], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      results.push(JSON.parse(out) as CaseResult);
    }
  }
  console.log('| writer | rows | write time | rows/s | peak RSS | file size |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.format} | ${r.rows.toLocaleString('en-US')} | ${r.seconds.toFixed(2)} s | ` +
        `${r.rowsPerSecond.toLocaleString('en-US')} | ${r.peakRssMb} MB | ${(r.bytes / 1e6).toFixed(1)} MB |`,
    );
  }
}

await main();
