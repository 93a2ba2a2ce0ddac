import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvRecords } from '../../../shared/engine/csv-records';
import { type CsvScanResult, createCsvScanner } from '../../../shared/engine/csv-scan';

const encode = (text: string) => new TextEncoder().encode(text);

/** Scans bytes handed over in pieces cut at the given byte offsets. */
function scan(bytes: Uint8Array, cuts: number[] = []): CsvScanResult {
  const scanner = createCsvScanner();
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    scanner.push(bytes.subarray(from, cut));
    from = cut;
  }
  return scanner.end();
}

/** Rows the spool's read-back parse (csv-records.ts) yields from the bytes: what the scan must agree with. */
async function parsedRows(bytes: Uint8Array): Promise<number> {
  let rows = 0;
  for await (const batch of csvRecords(Readable.from([new TextDecoder('utf-8').decode(bytes)]), 1_000)) {
    rows += batch.length;
  }
  return rows;
}

const rowsOf = (result: CsvScanResult) => Math.max(0, result.records - 1);

describe('createCsvScanner', () => {
  const cases: { name: string; text: string; rows: number; lastFields?: number; endedInQuotes?: boolean }[] = [
    { name: 'plain rows', text: 'a,b\n1,2\n3,4\n', rows: 2, lastFields: 2 },
    { name: 'quoted commas', text: 'a,b\n"1,5",2\n"x,y,z","p,q"\n', rows: 2, lastFields: 2 },
    { name: 'quoted LF newlines', text: 'a,b\n"1\n2\n",3\n4,"\n"\n', rows: 2, lastFields: 2 },
    { name: 'quoted CRLF newlines', text: 'a,b\r\n"1\r\n2",3\r\n4,"x\r\n\r\ny"\r\n', rows: 2, lastFields: 2 },
    { name: 'doubled quotes', text: 'a,b\n"say ""hi"", then\nbye",2\n"""",""""""\n', rows: 2, lastFields: 2 },
    { name: 'a quote inside an unquoted field is data', text: 'a,b\n5" disk,2\n3,4\n', rows: 2, lastFields: 2 },
    { name: 'empty lines', text: 'a,b\n\n1,2\n\n\n3,4\n\n', rows: 2, lastFields: 2 },
    { name: 'whitespace-only lines', text: 'a,b\r\n \r\n1,2\r\n\t \r\n3,4\r\n  \r\n', rows: 2, lastFields: 2 },
    { name: 'lines of empty fields are empty', text: 'a,b\n,\n1,2\n"",""\n" ",\n', rows: 1, lastFields: 2 },
    { name: 'non-ASCII whitespace lines', text: 'a,b\n\u00a0\n1,2\n\u3000,\u2028\n\ufeff\n', rows: 1, lastFields: 2 },
    { name: 'non-ASCII content', text: 'a,b\né,\n\u00a0x,\n', rows: 2, lastFields: 2 },
    { name: 'an escaped quote alone is content', text: 'a,b\n"""",\n', rows: 1, lastFields: 2 },
    { name: 'blank lines before the header', text: '\n  \na,b\n1,2\n', rows: 1, lastFields: 2 },
    { name: 'a first line of empty fields is empty like any other', text: ',\nh\n1\n', rows: 1, lastFields: 1 },
    { name: 'a first line of empty quoted fields too', text: '"","",\r\nh\r\n', rows: 0, lastFields: 1 },
    { name: 'a first empty line is the first line', text: '\n,\nh\n1\n', rows: 1, lastFields: 1 },
    { name: 'a first line of distinct blanks is empty', text: ' ,\t\nh\n1\n', rows: 1, lastFields: 1 },
    { name: 'a final record without a newline', text: 'a,b\n1,2\n3,4', rows: 2, lastFields: 2 },
    { name: 'a final quoted field closed at the end', text: 'a,b\n1,2\n3,"4"', rows: 2, lastFields: 2 },
    { name: 'a last row cut short', text: 'a,b,c\n1,2,3\n4,5', rows: 2, lastFields: 2 },
    { name: 'a record cut inside quotes', text: 'a,b\n1,2\n3,"4\n5', rows: 2, lastFields: 2, endedInQuotes: true },
    { name: 'a leading BOM', text: '\ufeffa,b\n1,2\n', rows: 1, lastFields: 2 },
    { name: 'a header alone', text: 'a,b\r\n', rows: 0, lastFields: 2 },
    { name: 'nothing', text: '', rows: 0, lastFields: -1 },
  ];

  for (const c of cases) {
    it(`${c.name}: counts what the read-back parse yields, whole and byte by byte`, async () => {
      const bytes = encode(c.text);
      const everyByte = Array.from({ length: Math.max(0, bytes.length - 1) }, (_, i) => i + 1);
      for (const cuts of [[], everyByte]) {
        const result = scan(bytes, cuts);
        expect(rowsOf(result)).toBe(c.rows);
        if (c.lastFields !== undefined) expect(result.lastFields).toBe(c.lastFields);
        expect(result.endedInQuotes).toBe(c.endedInQuotes ?? false);
      }
      expect(await parsedRows(bytes)).toBe(c.rows);
    });
  }

  it('reads a multi-byte whitespace character split across chunks as whitespace, and other ones as content', () => {
    // U+3000 is three bytes; U+1F600 four.
    const blank = encode('a,b\n1,2\n\u3000\n');
    const at = blank.length - 3;
    expect(rowsOf(scan(blank, [at, at + 1]))).toBe(1);
    const emoji = encode('a,b\n1,2\n😀\n');
    const from = emoji.length - 5;
    expect(rowsOf(scan(emoji, [from + 1, from + 2, from + 3]))).toBe(2);
  });

  it('counts complete records while the bytes arrive, the last one at the end', () => {
    const scanner = createCsvScanner();
    scanner.push(encode('a,b\n1,"x\n'));
    expect(scanner.records).toBe(1);
    scanner.push(encode('y"\n2,'));
    expect(scanner.records).toBe(2);
    expect(scanner.end().records).toBe(3);
  });
});

/** A small seeded generator (mulberry32), so a failing case can be replayed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T,
  };
}

/** An RFC 4180 document with the awkward parts: quoting, blank and whitespace-only lines, short rows, UTF-8. */
function randomCsv(rng: ReturnType<typeof random>): string {
  const newline = rng.pick(['\n', '\r\n']);
  const plain = ['a', 'x1', ' ', '\t', 'é', '日本', '\u00a0', '\u3000', '😀', '', ''];
  // A CRLF inside quotes of an LF document can mislead papaparse's guess of the line ending (it then reads the page
  // differently, which the read-back check turns into StreamCutError); pages keep to one ending.
  const quotedOnly = [',', '"', '\n', ' , ', ...(newline === '\r\n' ? ['\r\n'] : [])];
  const field = () => {
    let value = '';
    for (let n = rng.int(4); n > 0; n--) value += rng.pick(plain);
    const quoted = rng.next() < 0.3;
    if (quoted) {
      for (let n = rng.int(3); n > 0; n--) value += rng.pick(quotedOnly) + rng.pick(plain);
      return `"${value.replaceAll('"', '""')}"`;
    }
    return value;
  };
  const width = 1 + rng.int(4);
  const lines: string[] = [];
  const records = rng.int(8);
  for (let r = 0; r <= records; r++) {
    if (rng.next() < 0.2) lines.push(rng.pick(['', ' ', '\t', ',', '"",""', '\u00a0', ' ,\t', ',,"\n"']));
    const fields = r > 0 && rng.next() < 0.1 ? 1 + rng.int(width + 1) : width;
    lines.push(Array.from({ length: fields }, field).join(','));
  }
  return lines.join(newline) + (rng.next() < 0.5 ? newline : '');
}

describe('createCsvScanner against the read-back parse on random CSV', () => {
  it('counts the rows the read-back parse yields on 400 seeded documents, however the bytes are cut', async () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rng = random(seed);
      const bytes = encode(randomCsv(rng));
      const cuts = Array.from({ length: rng.int(4) }, () => rng.int(bytes.length + 1)).sort((x, y) => x - y);
      const counted = rowsOf(scan(bytes, cuts));
      // The read-back parse guesses the line ending from the page's whole start (csv-records.ts), so however the
      // spool is read; the download's chunks fall anywhere.
      expect({ seed, rows: counted }).toEqual({ seed, rows: await parsedRows(bytes) });
    }
  });
});
