import { PassThrough, Readable } from 'node:stream';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { type CsvRecord, csvRecords, headerNames } from '../../../shared/engine/csv-records';

/**
 * The text as UTF-8 bytes cut at the given sizes (a multi-byte character may be split), one cut per turn of the event
 * loop as a network body arrives, read as text.
 */
function textStream(text: string, cut: (i: number) => number): Readable {
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  let i = 0;
  const out = new Readable({
    read() {
      setImmediate(() => {
        if (at >= bytes.length) {
          this.push(null);
          return;
        }
        const size = Math.max(1, cut(i++));
        this.push(bytes.subarray(at, at + size));
        at += size;
      });
    },
  });
  out.setEncoding('utf8');
  return out;
}

async function readAll(text: string, batchSize: number, cut: (i: number) => number = () => 65_536) {
  const batches: CsvRecord[][] = [];
  for await (const batch of csvRecords(textStream(text, cut), batchSize)) batches.push(batch);
  return batches;
}

/** What papaparse's own header mode makes of the text (the reference). */
function papaHeaderMode(text: string): unknown[] {
  return Papa.parse(text, { header: true, delimiter: ',', skipEmptyLines: 'greedy' }).data;
}

/** A small seeded generator (mulberry32), so a failing case can be replayed by its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pieces = ['a', 'Zoë', '42', ' ', ',', '"', '\n', '\r\n', 'x y', '😀', 'status', ''];

function randomField(next: () => number): string {
  const parts = Array.from({ length: Math.floor(next() * 4) }, () => pieces[Math.floor(next() * pieces.length)]!);
  const text = parts.join('');
  return /[",\r\n]/.test(text) || next() < 0.1 ? `"${text.replace(/"/g, '""')}"` : text;
}

function randomCsv(next: () => number): string {
  const names = ['messageId', 'to', 'status', 'to', 'reason', 'to_1'];
  const width = 1 + Math.floor(next() * names.length);
  const header = Array.from({ length: width }, (_, i) => names[i]!);
  if (next() < 0.2) header[0] = `\ufeff${header[0]}`;
  const eol = next() < 0.5 ? '\n' : '\r\n';
  const lines = [header.join(',')];
  const rows = Math.floor(next() * 40);
  for (let r = 0; r < rows; r++) {
    const roll = next();
    if (roll < 0.05) lines.push('');
    else if (roll < 0.1) lines.push('   ');
    else {
      const n = next() < 0.8 ? width : Math.floor(next() * (width + 3));
      lines.push(Array.from({ length: n }, () => randomField(next)).join(','));
    }
  }
  return lines.join(eol) + (next() < 0.5 ? eol : '');
}

describe('csvRecords: CSV text → records as papaparse header mode builds them', () => {
  it('agrees with papaparse header mode on 400 random texts cut at random byte boundaries', async () => {
    for (let seed = 1; seed <= 400; seed++) {
      const next = random(seed);
      const text = randomCsv(next);
      const batches = await readAll(text, 1 + Math.floor(next() * 7), () => 1 + Math.floor(next() * 50));
      expect(batches.flat(), `seed ${seed}: ${JSON.stringify(text)}`).toEqual(papaHeaderMode(text));
    }
  });

  it('guesses a CRLF line break from the whole start of a long text, however small its first chunks', async () => {
    const rows = Array.from({ length: 45_000 }, (_, i) => `${i},"someone@example.com, ""x"""\r\n`);
    const text = `id,to\r\n${rows.join('')}`;
    expect(text.length).toBeGreaterThan(1 << 20);
    const records = (await readAll(text, 1_000, (i) => (i === 0 ? 3 : 997))).flat();
    expect(records).toHaveLength(45_000);
    expect(records[44_999]).toEqual({ id: '44999', to: 'someone@example.com, "x"' });
    expect(records).toEqual(papaHeaderMode(text));
  });

  it('hands on full batches, then the rest', async () => {
    const text = `a,b\n${Array.from({ length: 23 }, (_, i) => `${i},x`).join('\n')}\n`;
    const sizes = (await readAll(text, 10, () => 7)).map((b) => b.length);
    expect(sizes).toEqual([10, 10, 3]);
  });

  it('names fields as papaparse does: BOM stripped, repeats renamed around names already taken', () => {
    expect(headerNames(['\ufeffid', 'to', 'to', 'to_1', 'to'])).toEqual(['id', 'to', 'to_2', 'to_1', 'to_3']);
  });

  it('keeps fields beyond the header under __parsed_extra and leaves a short row without its last keys', async () => {
    const [batch] = await readAll('a,b\n1,2,3,4\n5\n', 10);
    expect(batch).toEqual([{ a: '1', b: '2', __parsed_extra: ['3', '4'] }, { a: '5' }]);
  });

  it('a header alone is no record', async () => {
    expect(await readAll('a,b\r\n', 5)).toEqual([]);
  });

  it('stops reading, and closes the stream, when the reader stops early', async () => {
    const text = `a\n${Array.from({ length: 5_000 }, (_, i) => String(i)).join('\n')}\n`;
    const stream = textStream(text, () => 1_000);
    for await (const batch of csvRecords(stream, 100)) {
      expect(batch).toHaveLength(100);
      break;
    }
    expect(stream.destroyed).toBe(true);
  });

  it('ends with the stream error when the text cannot be read', async () => {
    const stream = new PassThrough();
    stream.setEncoding('utf8');
    stream.write('a,b\n1,2\n');
    setTimeout(() => stream.destroy(new Error('disk gone')), 10);
    await expect(async () => {
      for await (const _ of csvRecords(stream, 10)) {
        // reading
      }
    }).rejects.toThrow('disk gone');
  });
});
