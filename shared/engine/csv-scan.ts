// A byte-level count of the records of a CSV download as it arrives, so a page can be checked whole (row count, last
// row cut mid-row, cut inside quotes) without parsing it into objects. It counts what the read-back parse
// (csv-records.ts: papaparse, comma-separated, `skipEmptyLines: 'greedy'`) yields from the same bytes: RFC 4180
// quoting (a quote opens a quoted field at a field's start; inside, `""` is a quote and any other quote closes it;
// delimiters and newlines inside are data), records ended by `\n` (a `\r` before it is whitespace), and records whose
// values, joined, are whitespace-only skipped, before the header as after it. The spool is read back and counted
// again: a malformed page that the two read differently is cut there (see csv-pages.ts), never passed on.

const LF = 0x0a;
const COMMA = 0x2c;
const QUOTE = 0x22;

/** What a scan saw: counts of non-empty records (the header's included) and the widths at the ends. */
export interface CsvScanResult {
  /** Non-empty records, the header's included. */
  readonly records: number;
  /** Fields of the first non-empty record (the header); -1 without one. */
  readonly headerFields: number;
  /** Fields of the last non-empty record; -1 without one. */
  readonly lastFields: number;
  /** The bytes ended inside a quoted field: the last record was cut. */
  readonly endedInQuotes: boolean;
}

/** A scanner fed chunk by chunk; `records` counts the records complete so far (a newline seen after them). */
export interface CsvScanner {
  push(chunk: Uint8Array): void;
  readonly records: number;
  end(): CsvScanResult;
}

/** JavaScript's `trim` set (what papaparse's greedy test uses), for the code points beyond ASCII. */
const isWhitespace = (codePoint: number) => String.fromCodePoint(codePoint).trim() === '';

/** Starts a scan of a comma-separated body. */
export function createCsvScanner(): CsvScanner {
  let inQuotes = false;
  // Inside quotes, a quote was the chunk's last byte or is being looked past: the next byte says escape or close.
  let quotePending = false;
  let atFieldStart = true;
  let fields = 1;
  // Whether the record has a non-whitespace value character yet; until then its bytes are classified one by one.
  let content = false;
  // A multi-byte UTF-8 character being decoded (only while the record has no content yet).
  let need = 0;
  let codePoint = 0;
  let records = 0;
  let headerFields = -1;
  let lastFields = -1;

  const classify = (b: number) => {
    if (need > 0) {
      if ((b & 0xc0) !== 0x80) {
        // Malformed UTF-8 decodes to U+FFFD, which is content.
        content = true;
        return;
      }
      codePoint = (codePoint << 6) | (b & 0x3f);
      if (--need === 0 && !isWhitespace(codePoint)) content = true;
    } else if (b < 0x80) {
      if (b !== 0x20 && (b < 0x09 || b > 0x0d)) content = true;
    } else if ((b & 0xe0) === 0xc0) {
      need = 1;
      codePoint = b & 0x1f;
    } else if ((b & 0xf0) === 0xe0) {
      need = 2;
      codePoint = b & 0x0f;
    } else if ((b & 0xf8) === 0xf0) {
      need = 3;
      codePoint = b & 0x07;
    } else content = true;
  };

  const endRecord = () => {
    if (need > 0) content = true;
    if (content) {
      records++;
      if (headerFields < 0) headerFields = fields;
      lastFields = fields;
    }
    fields = 1;
    content = false;
    need = 0;
    atFieldStart = true;
  };

  return {
    push(chunk) {
      const n = chunk.length;
      for (let i = 0; i < n; i++) {
        if (content && !inQuotes) {
          // The common case, a record with content outside quotes, in locals (closure variables are slow in a
          // loop): only commas, the LF and a quote opening a field matter.
          let f = fields;
          let start = atFieldStart;
          for (; i < n; i++) {
            const c = chunk[i] as number;
            if (c > COMMA) start = false;
            else if (c === COMMA) {
              f++;
              start = true;
            } else if (c === LF || (c === QUOTE && start)) break;
            else start = false;
          }
          fields = f;
          atFieldStart = start;
          if (i === n) break;
        }
        const b = chunk[i] as number;
        if (inQuotes) {
          if (quotePending) {
            quotePending = false;
            if (b === QUOTE) {
              content = true;
              continue;
            }
            // The quote before closed the field; this byte is outside quotes.
            inQuotes = false;
          } else {
            if (b === QUOTE) quotePending = true;
            else if (!content) classify(b);
            continue;
          }
        }
        if (b === LF) endRecord();
        else if (b === COMMA) {
          if (need > 0) content = true;
          fields++;
          atFieldStart = true;
        } else if (b === QUOTE && atFieldStart) {
          if (need > 0) content = true;
          inQuotes = true;
          atFieldStart = false;
        } else {
          atFieldStart = false;
          if (!content) classify(b);
        }
      }
    },
    get records() {
      return records;
    },
    end() {
      const endedInQuotes = inQuotes && !quotePending;
      endRecord();
      return { records, headerFields, lastFields, endedInQuotes };
    },
  };
}
