import { describe, expect, it } from 'vitest';
import { StreamCutError } from '../../../shared/core/errors';
import { csvBatches } from '../../../shared/engine/csv-pages';

async function* chunks(parts: (string | Uint8Array)[], fail?: Error): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? new TextEncoder().encode(p) : p;
  if (fail) throw fail;
}

async function read(body: AsyncIterable<Uint8Array>, expectedRows: number | null, batchSize = 2) {
  const batches: Record<string, string>[][] = [];
  for await (const b of csvBatches(body, { batchSize, expectedRows, where: 'GET /x' })) batches.push(b);
  return batches;
}

describe('csvBatches', () => {
  it('parses a header, quoted commas, quotes and newlines, and a multi-byte character split across chunks', async () => {
    const text = 'messageId,reason\r\nm1,"550 no, ""such"" user\r\nbye"\r\nm2,Ünïcödé 😀\r\nm3,x\r\n';
    const bytes = new TextEncoder().encode(text);
    // Two bytes into the emoji's four UTF-8 bytes.
    const cutBytes = new TextEncoder().encode(text.slice(0, text.indexOf('😀'))).length + 2;
    const batches = await read(chunks([bytes.slice(0, cutBytes), bytes.slice(cutBytes)]), 3);
    expect(batches.map((b) => b.length)).toEqual([2, 1]);
    expect(batches.flat()).toEqual([
      { messageId: 'm1', reason: '550 no, "such" user\r\nbye' },
      { messageId: 'm2', reason: 'Ünïcödé 😀' },
      { messageId: 'm3', reason: 'x' },
    ]);
  });

  it('fails with StreamCutError when fewer rows arrive than announced', async () => {
    await expect(read(chunks(['a,b\r\n1,2\r\n']), 2)).rejects.toBeInstanceOf(StreamCutError);
  });

  it('fails with StreamCutError when the last row was cut mid-row', async () => {
    await expect(read(chunks(['a,b,c\r\n1,2,3\r\n4,5']), null)).rejects.toThrow(/cut mid-row/);
  });

  it('passes a dying connection on as StreamCutError', async () => {
    const cut = new StreamCutError('GET /x: the answer was cut short (socket hang up)');
    await expect(read(chunks(['a,b\r\n1,2\r\n'], cut), 5)).rejects.toBe(cut);
  });

  it('reads an empty page', async () => {
    expect(await read(chunks(['a,b\r\n']), 0)).toEqual([]);
  });
});

describe('spoolCsv / readSpool', () => {
  it('spools a page, reads it back in batches and deletes the spool', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { readSpool, spoolCsv } = await import('../../../shared/engine/csv-pages');
    const path = join(await mkdtemp(join(tmpdir(), 'spool-')), 'p.ndjson');
    const rows = await spoolCsv(chunks(['id,text\r\n1,"a\r\nb"\r\n2,Ü\r\n3,c\r\n']), {
      expectedRows: 3,
      where: 'GET /x',
      path,
    });
    expect(rows).toBe(3);
    const batches: Record<string, string>[][] = [];
    for await (const b of readSpool(path, { batchSize: 2, rows, where: 'GET /x' })) batches.push(b);
    expect(batches).toEqual([
      [
        { id: '1', text: 'a\r\nb' },
        { id: '2', text: 'Ü' },
      ],
      [{ id: '3', text: 'c' }],
    ]);
    expect(existsSync(path)).toBe(false);
  });

  it('a cut download leaves no spool behind and fails with StreamCutError (retried as a page)', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { spoolCsv } = await import('../../../shared/engine/csv-pages');
    const path = join(await mkdtemp(join(tmpdir(), 'spool-')), 'p.ndjson');
    await expect(
      spoolCsv(chunks(['id,text\r\n1,a\r\n2,b']), { expectedRows: 5, where: 'GET /x', path }),
    ).rejects.toBeInstanceOf(StreamCutError);
    expect(existsSync(path)).toBe(false);
  });
});

describe('spoolCsv / readSpool: the raw page checked whole, parsed once', () => {
  async function spoolPath() {
    const { mkdtemp } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    return join(await mkdtemp(join(tmpdir(), 'spool-')), 'p.csv');
  }

  async function readBack(path: string, rows: number) {
    const { readSpool } = await import('../../../shared/engine/csv-pages');
    const batches: Record<string, string>[][] = [];
    for await (const b of readSpool(path, { batchSize: 2, rows, where: 'GET /x' })) batches.push(b);
    return batches;
  }

  it('keeps a BOM out of the header and a multi-byte character split across chunks whole', async () => {
    const { spoolCsv } = await import('../../../shared/engine/csv-pages');
    const bytes = new TextEncoder().encode('\ufeffid,text\r\n1,日本\r\n');
    const cut = bytes.length - 4; // inside 本's three bytes
    const path = await spoolPath();
    const rows = await spoolCsv(chunks([bytes.slice(0, cut), bytes.slice(cut)]), {
      expectedRows: 1,
      where: 'GET /x',
      path,
    });
    expect(await readBack(path, rows)).toEqual([[{ id: '1', text: '日本' }]]);
  });

  it('a last row missing fields is cut mid-row (StreamCutError), even with the rows announced', async () => {
    const { spoolCsv } = await import('../../../shared/engine/csv-pages');
    const path = await spoolPath();
    await expect(
      spoolCsv(chunks(['id,text,n\r\n1,a,1\r\n2,b']), { expectedRows: 2, where: 'GET /x', path }),
    ).rejects.toThrow('GET /x: the last row has 2 of 3 fields (cut mid-row)');
  });

  it('a page ending inside quotes is cut mid-row (StreamCutError), even with the rows announced', async () => {
    const { existsSync } = await import('node:fs');
    const { spoolCsv } = await import('../../../shared/engine/csv-pages');
    const path = await spoolPath();
    const error = await spoolCsv(chunks(['id,text\r\n1,a\r\n2,"b\r\nc']), {
      expectedRows: 2,
      where: 'GET /x',
      path,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamCutError);
    expect((error as Error).message).toMatch(/ends inside quotes \(cut mid-row\)/);
    expect(existsSync(path)).toBe(false);
  });

  it('a read-back that counts other rows than the download did is a StreamCutError naming both, and the spool goes', async () => {
    const { existsSync } = await import('node:fs');
    const { spoolCsv } = await import('../../../shared/engine/csv-pages');
    const path = await spoolPath();
    // Malformed quoting: text after a closing quote. The scan reads `"a"b` as one record; papaparse reads on to the
    // next quote, so the row `1` becomes part of that field.
    const rows = await spoolCsv(chunks(['h\n"a"b\n1\n']), { expectedRows: 2, where: 'GET /x', path });
    expect(rows).toBe(2);
    const error = await readBack(path, rows).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamCutError);
    expect((error as Error).message).toBe('GET /x: 1 rows read back from the spool, where the download counted 2');
    expect(existsSync(path)).toBe(false);
  });
});

describe('a bounded CSV spool', () => {
  /** An endless CSV page (a server that never stops), counting the chunks the reader pulled. */
  function endless(pulled: { chunks: number }): AsyncGenerator<Uint8Array> {
    return (async function* () {
      yield new TextEncoder().encode('id,text\r\n');
      for (let i = 0; ; i++) {
        pulled.chunks++;
        let text = '';
        for (let j = 0; j < 100; j++) text += `${i * 100 + j},row\r\n`;
        yield new TextEncoder().encode(text);
        if (pulled.chunks > 5_000) throw new Error('the reader never stopped pulling');
      }
    })();
  }

  async function spoolInto(body: AsyncIterable<Uint8Array>, expectedRows: number, maxBytes?: number) {
    const { mkdtemp } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { spoolCsv } = await import('../../../shared/engine/csv-pages');
    const path = join(await mkdtemp(join(tmpdir(), 'spool-')), 'p.ndjson');
    const error = await spoolCsv(body, { expectedRows, where: 'GET /x', path, maxBytes }).catch((e: unknown) => e);
    const { existsSync } = await import('node:fs');
    return { error, spoolLeft: existsSync(path) };
  }

  it('a download streaming past its Content-Range end is cut there (StreamCutError, retried), not spooled on', async () => {
    const pulled = { chunks: 0 };
    const { error, spoolLeft } = await spoolInto(endless(pulled), 150);
    expect(error).toBeInstanceOf(StreamCutError);
    expect((error as Error).message).toMatch(/more rows than the 150 announced/);
    // Stream buffers read ahead a little (~16 chunks); the point is it stops.
    expect(pulled.chunks).toBeLessThan(50);
    expect(spoolLeft).toBe(false);
  });

  it('a download past the size limit is cut (StreamCutError, retried), whatever rows it announced', async () => {
    const pulled = { chunks: 0 };
    const { error, spoolLeft } = await spoolInto(endless(pulled), 1_000_000, 64 * 1024);
    expect(error).toBeInstanceOf(StreamCutError);
    expect((error as Error).message).toMatch(/larger than the 65536 bytes allowed/);
    // ~1.1 KB a chunk: cut soon after 64 KiB.
    expect(pulled.chunks).toBeLessThan(80);
    expect(spoolLeft).toBe(false);
  });
});
