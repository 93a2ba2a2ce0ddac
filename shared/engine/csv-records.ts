import { Readable } from 'node:stream';
import Papa from 'papaparse';

// CSV text with a header row → batches of records keyed by the header, exactly as papaparse's own `header: true`
// mode builds them (the header's BOM stripped, a repeated name renamed `name_1`, fields past the header gathered in
// `__parsed_extra`, a short row missing its last keys), but with papaparse parsing plain arrays. Its header mode pays
// for dynamic-typing checks on every field of every row, and its Node duplex stream for a stream per row: on a
// 1 M-row download that was 4–6 s of papaparse against ~2 s for arrays read 64 KiB at a time.

/** What papaparse's header mode puts fields beyond the header's width under. */
export const EXTRA_FIELDS_KEY = '__parsed_extra';

export type CsvRecord = Record<string, string | string[]>;

/** A header row as papaparse's header mode names its fields (see the file comment). */
export function headerNames(row: readonly string[]): string[] {
  const counts = new Map<string, number>();
  const used = new Set(row);
  return row.map((raw) => {
    const name = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    const seen = counts.get(name);
    used.add(name);
    if (seen === undefined) {
      counts.set(name, 1);
      return name;
    }
    let suffix = seen;
    let renamed: string;
    do renamed = `${name}_${suffix++}`;
    while (used.has(renamed));
    used.add(renamed);
    counts.set(name, seen + 1);
    return renamed;
  });
}

/**
 * papaparse's greedy test for an empty line (its fields joined, trimmed, nothing left), without joining every row's
 * fields into a new string: a row whose first character is visible ASCII is decided at once.
 */
function isBlank(fields: readonly string[]): boolean {
  for (const field of fields) {
    const c = field.charCodeAt(0);
    if (c > 0x20 && c < 0x7f) return false;
    if (field.trim() !== '') return false;
  }
  return true;
}

/** A row of fields as a record under `names`. */
function toRecord(names: readonly string[], fields: readonly string[]): CsvRecord {
  const record: CsvRecord = {};
  const width = Math.min(names.length, fields.length);
  for (let i = 0; i < width; i++) record[names[i]!] = fields[i]!;
  if (fields.length > names.length) record[EXTRA_FIELDS_KEY] = fields.slice(names.length);
  return record;
}

// papaparse guesses the line break from the first chunk it is given (up to 1 MiB of it); a first chunk cut inside
// the header line would make it guess `\n` for a `\r\n` file. So it is handed at least this much text first.
const GUESS_CHARS = 1 << 20;

/** The next chunk of a text stream, or null once it has ended. */
async function nextChunk(text: Readable): Promise<string | null> {
  for (;;) {
    const chunk = text.read() as string | null;
    if (chunk !== null) return chunk;
    if (text.readableEnded) return null;
    const ended = await new Promise<boolean>((resolve, reject) => {
      const done = (value: boolean) => {
        text.off('readable', onReadable).off('end', onEnd).off('error', reject);
        resolve(value);
      };
      const onReadable = () => done(false);
      const onEnd = () => done(true);
      text.once('readable', onReadable).once('end', onEnd).once('error', reject);
    });
    if (ended) return null;
  }
}

/**
 * The stream's start, read ahead until papaparse can guess its line break as it would from the whole text: the whole
 * text when shorter than GUESS_CHARS (the stream has then ended), else the stream with its first GUESS_CHARS put back.
 */
async function withWholeStart(text: Readable): Promise<Readable> {
  let start = '';
  while (start.length < GUESS_CHARS) {
    const chunk = await nextChunk(text);
    if (chunk === null) return Readable.from([start]);
    start += chunk;
  }
  text.unshift(start);
  return text;
}

/**
 * Reads CSV text (a stream with a string encoding set, so a character split between chunks is whole) into batches of
 * `batchSize` records (the last may be shorter). Empty and whitespace-only lines are skipped, as papaparse's
 * `skipEmptyLines: 'greedy'` skips them. The stream is paused while a batch waits for its reader and destroyed when the
 * reader stops early.
 */
export async function* csvRecords(text: Readable, batchSize: number): AsyncGenerator<CsvRecord[]> {
  let names: string[] | null = null;
  let ready: CsvRecord[] = [];
  // The parser while it is paused for the reader; a holder, because TypeScript cannot see a callback assign a local.
  const state: { paused: Papa.Parser | null } = { paused: null };
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const input = await withWholeStart(text);
  Papa.parse<string[], Readable>(input, {
    header: false,
    // A CSV download is comma-separated; papaparse would otherwise guess, and values full of tabs or semicolons could
    // win the guess. The download's byte scan (csv-scan.ts) counts by commas too.
    delimiter: ',',
    // Lines of nothing are skipped by papaparse, blank ones (whitespace, empty fields) here: see isBlank.
    skipEmptyLines: true,
    chunk(results, handle) {
      for (const fields of results.data) {
        if (isBlank(fields)) continue;
        if (names === null) names = headerNames(fields);
        else ready.push(toRecord(names, fields));
      }
      if (ready.length >= batchSize) {
        handle.pause();
        state.paused = handle;
        signal();
      }
    },
    complete() {
      ended = true;
      signal();
    },
    error(error: unknown) {
      failure = error;
      ended = true;
      signal();
    },
  });
  try {
    for (;;) {
      while (ready.length >= batchSize) yield ready.splice(0, batchSize);
      if (failure !== null) throw failure;
      if (ended) break;
      const waiting = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const paused = state.paused;
      state.paused = null;
      paused?.resume();
      if (!ended && failure === null && ready.length < batchSize) await waiting;
    }
    if (ready.length > 0) {
      const last = ready;
      ready = [];
      yield last;
    }
  } finally {
    text.destroy();
  }
}
