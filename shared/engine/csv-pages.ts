import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import Papa from 'papaparse';
import { StreamCutError } from '../core/errors';

// CSV download pages: rows are parsed as the bytes arrive (papaparse's stream mode) and handed on in batches, so a
// 500,000-row page never sits in memory. How many rows a page holds is the source's to say (SocketLabs v2 sends a
// `Content-Range: rows` header, read in sources/socketlabs-v2/content-range.ts).

async function* utf8(body: AsyncIterable<Uint8Array>, maxBytes: number, where: string): AsyncGenerator<string> {
  // A multi-byte character may straddle two chunks; the streaming decoder keeps the partial bytes.
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) throw new StreamCutError(`${where}: the page is larger than the ${maxBytes} bytes allowed`);
    yield decoder.decode(chunk, { stream: true });
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * Parses a CSV body with a header row into batches of row objects (all values strings). Ends with StreamCutError
 * when the connection dies, when fewer rows arrive than the page announced, or when the last row is missing fields
 * (cut mid-row): rows already handed on cannot be trusted then, and the caller re-reads the window. A body that
 * streams on past the rows it announced or past `maxBytes` is cut there (StreamCutError too), never read to its end:
 * a misbehaving server must not fill the disk or hold the run.
 */
export async function* csvBatches(
  body: AsyncIterable<Uint8Array>,
  opts: {
    readonly batchSize: number;
    readonly expectedRows: number | null;
    readonly where: string;
    readonly maxBytes?: number;
  },
): AsyncGenerator<Record<string, string>[]> {
  // No typing: every value stays text. `{}` rather than `false`: papaparse looks each field's name up on this value
  // for every field of every row, and a lookup on a boolean primitive is several times slower than on an object.
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { header: true, skipEmptyLines: 'greedy', dynamicTyping: {} });
  const source = Readable.from(utf8(body, opts.maxBytes ?? Number.POSITIVE_INFINITY, opts.where));
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let batch: Record<string, string>[] = [];
  let rows = 0;
  let columns = -1;
  let last: Record<string, string> | null = null;
  try {
    for await (const row of parser as AsyncIterable<Record<string, string>>) {
      // Widths matter at the ends only (the header's, and a last row cut short); counted there, not on every row.
      if (columns < 0) columns = Object.keys(row).length;
      last = row;
      batch.push(row);
      rows++;
      if (opts.expectedRows !== null && rows > opts.expectedRows) {
        throw new StreamCutError(`${opts.where}: more rows than the ${opts.expectedRows} announced`);
      }
      if (batch.length >= opts.batchSize) {
        yield batch;
        batch = [];
      }
    }
  } finally {
    // Stops reading the body (its iterator is returned, which closes the connection) however parsing ended.
    source.destroy();
  }
  if (opts.expectedRows !== null && rows !== opts.expectedRows) {
    throw new StreamCutError(`${opts.where}: ${rows} rows arrived of the ${opts.expectedRows} announced`);
  }
  const lastWidth = last ? Object.keys(last).length : -1;
  if (rows > 0 && lastWidth < columns) {
    throw new StreamCutError(`${opts.where}: the last row has ${lastWidth} of ${columns} fields (cut mid-row)`);
  }
  if (batch.length) yield batch;
}

/** Rows per spool line when the caller does not say. */
const SPOOL_BATCH = 5_000;

/**
 * Downloads a CSV page into a local spool while parsing it, and checks it arrived whole. Spooling makes the page the
 * unit of retry: a download cut at row 300,000 is fetched again on its own, instead of the rows already handed to the
 * window's writer forcing the whole window to be read again. Each spool line is one batch of rows as a JSON array:
 * one native stringify and one parse per batch instead of one per row.
 */
export async function spoolCsv(
  body: AsyncIterable<Uint8Array>,
  opts: {
    readonly expectedRows: number | null;
    readonly where: string;
    readonly path: string;
    /** Bytes of CSV the page may have; beyond, the download is cut (StreamCutError) and retried. */
    readonly maxBytes?: number;
    /** Rows per spool line (what readSpool then hands on at once); default 5,000. */
    readonly batchSize?: number;
  },
): Promise<number> {
  const out = createWriteStream(opts.path);
  let rows = 0;
  try {
    for await (const batch of csvBatches(body, {
      batchSize: opts.batchSize ?? SPOOL_BATCH,
      expectedRows: opts.expectedRows,
      where: opts.where,
      maxBytes: opts.maxBytes,
    })) {
      rows += batch.length;
      if (!out.write(`${JSON.stringify(batch)}\n`)) await once(out, 'drain');
    }
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    return rows;
  } catch (error) {
    out.destroy();
    await rm(opts.path, { force: true });
    throw error;
  }
}

/**
 * The non-empty lines of a byte stream. Spool lines are whole batches (hundreds of kilobytes): decoded chunk by chunk
 * and joined as strings, which V8's heap holds and compacts, where joined Buffers would churn large malloc blocks
 * that the allocator keeps (a 1 M-row day's RSS varied by ~100 MB with them), and without readline's per-line work.
 */
async function* lines(input: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of input) {
    const text = decoder.write(chunk);
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const line = pending + text.slice(from, nl);
      pending = '';
      from = nl + 1;
      if (line !== '') yield line;
    }
    pending += text.slice(from);
  }
  pending += decoder.end();
  if (pending !== '') yield pending;
}

/** Reads a spool back in batches and deletes it when done (or abandoned). */
export async function* readSpool(path: string, batchSize: number): AsyncGenerator<Record<string, string>[]> {
  try {
    let batch: Record<string, string>[] = [];
    // The stream's default 64 KiB reads: 1 MiB ones left a 1 M-row day ~50 MB higher in RSS (malloc keeps them).
    for await (const line of lines(createReadStream(path))) {
      const rows = JSON.parse(line) as Record<string, string>[];
      if (batch.length === 0 && rows.length === batchSize) {
        yield rows;
        continue;
      }
      for (const row of rows) {
        batch.push(row);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length) yield batch;
  } finally {
    await rm(path, { force: true });
  }
}
