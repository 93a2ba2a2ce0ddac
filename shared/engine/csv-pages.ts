import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { StreamCutError } from '../core/errors';
import { csvRecords } from './csv-records';
import { createCsvScanner } from './csv-scan';

// CSV download pages: a page is spooled to local disk as it arrives and checked whole, then parsed once (papaparse's
// stream mode) and handed on in batches, so a 500,000-row page never sits in memory. How many rows a page holds is
// the source's to say (SocketLabs v2 sends a `Content-Range: rows` header, read in sources/socketlabs-v2/content-range.ts).

async function* utf8(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  // A multi-byte character may straddle two chunks; the streaming decoder keeps the partial bytes (and drops a BOM).
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of body) yield decoder.decode(chunk, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

const moreRowsError = (where: string, expectedRows: number) =>
  new StreamCutError(`${where}: more rows than the ${expectedRows} announced`);

/** A page's checks at its end: all the rows it announced arrived, and the last is not cut short. */
function checkPageEnd(
  where: string,
  expectedRows: number | null,
  seen: { readonly rows: number; readonly lastWidth: number; readonly columns: number },
) {
  if (expectedRows !== null && seen.rows !== expectedRows) {
    throw new StreamCutError(`${where}: ${seen.rows} rows arrived of the ${expectedRows} announced`);
  }
  if (seen.rows > 0 && seen.lastWidth < seen.columns) {
    throw new StreamCutError(`${where}: the last row has ${seen.lastWidth} of ${seen.columns} fields (cut mid-row)`);
  }
}

/**
 * Parses a CSV body with a header row into batches of row objects (all values strings; csv-records.ts). Ends with
 * StreamCutError when the connection dies, when fewer rows arrive than the page announced, or when the last row is
 * missing fields (cut mid-row): rows already handed on cannot be trusted then, and the caller re-reads the window. A
 * body that streams on past the rows it announced is cut there (StreamCutError too), never read to its end.
 */
export async function* csvBatches(
  body: AsyncIterable<Uint8Array>,
  opts: {
    readonly batchSize: number;
    readonly expectedRows: number | null;
    readonly where: string;
  },
): AsyncGenerator<Record<string, string>[]> {
  let rows = 0;
  let columns = -1;
  let last: object | null = null;
  // Leaving this loop by a throw returns csvRecords' iterator, which destroys the text stream and so stops the body.
  for await (const batch of csvRecords(Readable.from(utf8(body)), opts.batchSize)) {
    // Widths matter at the ends only (the header's, and a last row cut short); counted there, not on every row.
    if (columns < 0) columns = Object.keys(batch[0]!).length;
    rows += batch.length;
    if (opts.expectedRows !== null && rows > opts.expectedRows) throw moreRowsError(opts.where, opts.expectedRows);
    last = batch[batch.length - 1]!;
    // Every value is text; only a row wider than its header holds a list (papaparse's `__parsed_extra`), which the
    // tolerant readers keep in `extra` as it came.
    yield batch as Record<string, string>[];
  }
  checkPageEnd(opts.where, opts.expectedRows, { rows, lastWidth: last ? Object.keys(last).length : -1, columns });
}

/**
 * Downloads a CSV page into a local spool as its raw bytes, and checks it arrived whole: a byte-level scan (csv-scan.ts)
 * counts its records as they pass, so the page is parsed once, when the spool is read back. Spooling makes the page the
 * unit of retry: a download cut at row 300,000 is fetched again on its own, instead of the rows already handed to the
 * window's writer forcing the whole window to be read again. Ends with StreamCutError, and no spool left, when the
 * connection dies, when fewer rows arrive than the page announced, when the last row is missing fields (cut mid-row)
 * or ends inside quotes. A body that streams on past the rows it announced or past `maxBytes` is cut there, never
 * read to its end: a misbehaving server must not fill the disk or hold the run. Returns the rows counted.
 */
export async function spoolCsv(
  body: AsyncIterable<Uint8Array>,
  opts: {
    readonly expectedRows: number | null;
    readonly where: string;
    readonly path: string;
    /** Bytes of CSV the page may have; beyond, the download is cut (StreamCutError) and retried. */
    readonly maxBytes?: number;
  },
): Promise<number> {
  const { expectedRows, where } = opts;
  const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
  // Each chunk's write is awaited: the body is read no faster than the disk takes it, and nothing is in flight when
  // a cut download closes and deletes the file.
  const out = await open(opts.path, 'w');
  const scan = createCsvScanner();
  let bytes = 0;
  try {
    // Leaving this loop by a throw returns the body's iterator, which stops reading it (closes the connection).
    for await (const chunk of body) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) throw new StreamCutError(`${where}: the page is larger than the ${maxBytes} bytes allowed`);
      scan.push(chunk);
      // The header is a record too.
      if (expectedRows !== null && scan.records - 1 > expectedRows) {
        throw moreRowsError(where, expectedRows);
      }
      await out.write(chunk);
    }
    const seen = scan.end();
    const rows = Math.max(0, seen.records - 1);
    checkPageEnd(where, expectedRows, { rows, lastWidth: seen.lastFields, columns: seen.headerFields });
    if (seen.endedInQuotes) throw new StreamCutError(`${where}: the last row ends inside quotes (cut mid-row)`);
    await out.close();
    return rows;
  } catch (error) {
    await out.close().catch(() => undefined);
    await rm(opts.path, { force: true });
    throw error;
  }
}

/** Bytes per read of a spool (see readSpool). */
const SPOOL_READ_BYTES = 16 * 1024;

/**
 * Reads a spool back in batches of `batchSize` rows (papaparse, as csvBatches) and deletes it when done (or
 * abandoned). The parse keeps its own checks; a row count other than the download's scan counted (`rows`) is a
 * StreamCutError too: the two read the page differently, and neither can be trusted.
 */
export async function* readSpool(
  path: string,
  opts: { readonly batchSize: number; readonly rows: number; readonly where: string },
): AsyncGenerator<Record<string, string>[]> {
  try {
    let read = 0;
    // 16 KiB reads, so each papaparse chunk's rows are few (~150) while they wait to be taken: with the default
    // 64 KiB a 1 M-row day peaked ~25 MB higher in RSS.
    for await (const batch of csvBatches(createReadStream(path, { highWaterMark: SPOOL_READ_BYTES }), {
      batchSize: opts.batchSize,
      expectedRows: null,
      where: opts.where,
    })) {
      read += batch.length;
      yield batch;
    }
    if (read !== opts.rows) {
      throw new StreamCutError(
        `${opts.where}: ${read} rows read back from the spool, where the download counted ${opts.rows}`,
      );
    }
  } finally {
    await rm(path, { force: true });
  }
}
