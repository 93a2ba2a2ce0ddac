import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import type { TableFileWriter, TableFileWriterFactory } from './file-writer';
import { ownString } from './own-string';
import type { Column, ColumnType, Row, TableDef } from './table';

export interface ParquetWriterOptions {
  /** Rows per row group; buffered column memory is proportional to it. Default 10,000. */
  readonly rowGroupRows?: number;
}

// 10k rows keep peak memory under 200 MB and each row group's synchronous encoding short (~90 ms), so a fast rate
// budget does not lose slots while a group is written (README, bench). Smaller groups would cost readers more
// per-group overhead; at these row widths a 10k group is still ~0.4 MB compressed.
const DEFAULT_ROW_GROUP_ROWS = 10_000;

// Spill the encode buffer to disk once it passes this size, so only about one row group's compressed bytes live in
// memory at a time.
const SPILL_BYTES = 1 << 20;

// Named here (hyparquet-writer's default) because the zero-row repair below recognises the footer by it.
const CREATED_BY = 'hyparquet';

/** The Parquet schema (root element first) the writer produces for a table. */
export function parquetSchema(table: TableDef): SchemaElement[] {
  return [{ name: 'root', num_children: table.columns.length }, ...table.columns.map((c) => schemaElement(c))];
}

function schemaElement(column: Column): SchemaElement {
  const base = { name: column.name, repetition_type: column.nullable ? 'OPTIONAL' : 'REQUIRED' } as const;
  switch (column.type) {
    case 'timestamp':
      // Both annotations: the logical type gives readers isAdjustedToUTC (DuckDB: TIMESTAMPTZ), the legacy converted
      // type keeps older Hive/Presto readers from seeing a bare bigint.
      return {
        ...base,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      };
    case 'int32':
      return { ...base, type: 'INT32' };
    case 'int64':
      return { ...base, type: 'INT64' };
    case 'double':
      return { ...base, type: 'DOUBLE' };
    case 'boolean':
      return { ...base, type: 'BOOLEAN' };
    case 'string':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
  }
}

/** Factory for Parquet writers with a custom row-group size. */
export function parquetWriterFactory(options: ParquetWriterOptions = {}): TableFileWriterFactory {
  const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1) {
    throw new Error(`parquet writer: rowGroupRows must be a positive integer, got ${rowGroupRows}`);
  }
  return async (table, localPath) => {
    await mkdir(dirname(localPath), { recursive: true });
    const file = await open(localPath, 'w');
    return new StreamingParquetWriter(table, localPath, file, rowGroupRows);
  };
}

/** Writes a table's rows as SNAPPY Parquet, one row group per `rowGroupRows` rows (default 10,000). */
export const createParquetWriter: TableFileWriterFactory = parquetWriterFactory();

class StreamingParquetWriter implements TableFileWriter {
  private readonly names: string[];
  private readonly types: ColumnType[];
  private readonly required: boolean[];
  private readonly buffers: unknown[][];
  private readonly sink: FileSink;
  private readonly writer: ParquetWriter;
  private buffered = 0;
  private written = 0;
  private state: 'open' | 'failed' | 'closed' | 'aborted' = 'open';

  constructor(
    private readonly table: TableDef,
    private readonly localPath: string,
    file: FileHandle,
    private readonly rowGroupRows: number,
  ) {
    this.names = table.columns.map((c) => c.name);
    this.types = table.columns.map((c) => c.type);
    this.required = table.columns.map((c) => !c.nullable);
    this.buffers = table.columns.map(() => new Array(rowGroupRows));
    this.sink = new FileSink(file);
    this.writer = new ParquetWriter({
      writer: this.sink,
      schema: parquetSchema(table),
      codec: 'SNAPPY',
      createdBy: CREATED_BY,
    });
  }

  async append(rows: readonly Row[]): Promise<void> {
    this.assertOpen();
    const { names, required, buffers, rowGroupRows } = this;
    const width = names.length;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      const at = this.buffered;
      for (let c = 0; c < width; c++) {
        const value = row[names[c]!];
        if (value === undefined || value === null) {
          if (required[c]) {
            throw new Error(
              `parquet writer: table ${this.table.name}, column ${names[c]} is not nullable but row ${this.written + at} has no value`,
            );
          }
          buffers[c]![at] = null;
        } else {
          buffers[c]![at] = value;
        }
      }
      this.buffered = at + 1;
      if (this.buffered === rowGroupRows) await this.flush();
    }
  }

  async close(): Promise<{ rows: number; bytes: number }> {
    this.assertOpen();
    try {
      if (this.buffered > 0) await this.flush();
      if (this.written === 0) this.sink.beforeFinish = typeEmptyRowGroupList;
      await this.writer.finish();
    } finally {
      this.state = 'closed';
      await this.sink.close();
    }
    const { size } = await stat(this.localPath);
    return { rows: this.written, bytes: size };
  }

  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    const wasOpen = this.state === 'open' || this.state === 'failed';
    this.state = 'aborted';
    if (wasOpen) await this.sink.close().catch(() => undefined);
    await unlink(this.localPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new Error(`parquet writer for ${this.table.name}: already ${this.state}`);
  }

  private async flush(): Promise<void> {
    const count = this.buffered;
    try {
      const columnData = this.names.map((name, c) => ({
        name,
        data: this.physical(c, count),
        // hyparquet-writer picks RLE for a boolean chunk of more than 16 values and PLAIN otherwise; PLAIN always
        // (1 bit per value, what parquet-java writes into v1 pages) gives one boolean encoding across the lake.
        ...(this.types[c] === 'boolean' ? { encoding: 'PLAIN' as const } : {}),
      }));
      await this.writer.write({ columnData, rowGroupSize: count });
      this.ownStatistics();
    } catch (err) {
      // Buffers and file are half-written now; only abort() is meaningful.
      this.state = 'failed';
      throw err;
    }
    this.written += count;
    this.buffered = 0;
  }

  /**
   * Gives the row group just written statistics strings of their own. They live until the footer, and a string value
   * may be a slice of the large text it was parsed from (papaparse's 64 KiB chunks of a CSV page), which it keeps
   * alive: a min and a max per string column and row group pinned ~250 MB of page text by the end of a 1 M-row day.
   */
  private ownStatistics(): void {
    for (const column of this.writer.row_groups.at(-1)?.columns ?? []) {
      const stats = column.meta_data?.statistics;
      if (!stats) continue;
      if (typeof stats.min_value === 'string') stats.min_value = ownString(stats.min_value);
      if (typeof stats.max_value === 'string') stats.max_value = ownString(stats.max_value);
    }
  }

  /** Hands over column `c`'s buffer (first `count` values), checked and converted to what hyparquet-writer encodes. */
  private physical(c: number, count: number): unknown[] {
    const out = this.buffers[c]!;
    // A fresh buffer for the next row group instead of copying this one: the encoder keeps `out` only until write()
    // returns, so the strings it holds become collectable then.
    this.buffers[c] = new Array(this.rowGroupRows);
    if (count < out.length) out.length = count;
    const type = this.types[c]!;
    // Type checks live here, one tight loop per column, so a bad value fails with the table and column named instead
    // of deep inside the encoder.
    const expected = jsType[type];
    const isInt = type === 'int32' || type === 'int64' || type === 'timestamp';
    const toBigInt = type === 'int64' || type === 'timestamp';
    // JS numbers hold more than INT32; the encoder would refuse such a value without saying where it came from.
    const isInt32 = type === 'int32';
    for (let i = 0; i < count; i++) {
      const v = out[i];
      if (v === null) continue;
      if (
        typeof v !== expected ||
        (isInt && !Number.isSafeInteger(v)) ||
        (isInt32 && ((v as number) < -2_147_483_648 || (v as number) > 2_147_483_647))
      ) {
        throw new Error(
          `parquet writer: table ${this.table.name}, column ${this.names[c]} (${type}) got ${typeof v} ` +
            `'${String(v).slice(0, 40)}' in row ${this.written + i}`,
        );
      }
      if (toBigInt) out[i] = BigInt(v as number);
      // The dictionary encoder keys values by SameValueZero, so a -0 would come back as 0 or -0 depending on whether
      // its row group happened to be dictionary-encoded; storing every zero as +0 makes the file depend on the value
      // alone.
      else if (v === 0) out[i] = 0;
    }
    if (type === 'string' && mostlyDistinct(out)) {
      // hyparquet-writer would TextEncoder.encode each value of a column it does not dictionary-encode; Buffer.from
      // is several times faster and allocates from a shared pool, which is the bulk of the GC work on a 1 M-row day.
      for (let i = 0; i < count; i++) {
        const v = out[i];
        if (v !== null) out[i] = Buffer.from(v as string, 'utf8');
      }
    }
    return out;
  }
}

/**
 * hyparquet-writer's own test for skipping the dictionary (sampled distinct bytes over 90% of sampled bytes), so
 * pre-encoding only happens where its dictionary, which is faster built from strings, would not be used anyway.
 */
function mostlyDistinct(values: unknown[]): boolean {
  const n = values.length;
  const samples = Math.min(n, 1000);
  if (samples < 2) return false;
  const seen = new Set<unknown>();
  let distinctBytes = 0;
  let totalBytes = 0;
  for (let i = 0; i < samples; i++) {
    const v = values[Math.floor((i * (n - 1)) / (samples - 1))];
    if (v === null) continue;
    const size = (v as string).length + 4;
    totalBytes += size;
    if (!seen.has(v)) {
      seen.add(v);
      distinctBytes += size;
    }
  }
  return totalBytes > 0 && distinctBytes / totalBytes > 0.9;
}

const jsType: Record<ColumnType, 'number' | 'string' | 'boolean'> = {
  timestamp: 'number',
  int32: 'number',
  int64: 'number',
  double: 'number',
  boolean: 'boolean',
  string: 'string',
};

/**
 * hyparquet-writer encodes into a ByteWriter synchronously; this one moves full chunks aside as they pass SPILL_BYTES
 * and writes them to the file when the ParquetWriter calls flush() after each row group (and at finish()).
 */
class FileSink extends ByteWriter {
  private pending: Buffer[] = [];
  private closed = false;
  /** Called with the unflushed bytes (the footer included) just before finish() writes them. */
  beforeFinish?: (bytes: Uint8Array) => void;

  constructor(private readonly file: FileHandle) {
    super(SPILL_BYTES * 2);
  }

  override ensure(size: number): void {
    if (this.index > SPILL_BYTES) {
      this.pending.push(Buffer.from(this.buffer.slice(0, this.index)));
      this.index = 0;
    }
    super.ensure(size);
  }

  async flush(): Promise<void> {
    if (this.index > 0) {
      this.pending.push(Buffer.from(this.buffer.slice(0, this.index)));
      this.index = 0;
    }
    const chunks = this.pending;
    this.pending = [];
    for (const chunk of chunks) await writeAll(this.file, chunk);
  }

  override finish(): Promise<void> {
    this.beforeFinish?.(new Uint8Array(this.buffer, 0, this.index));
    return this.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }
}

/**
 * A zero-row file's footer, as hyparquet-writer 0.17 serialises it, holds `row_groups = []` as a Thrift compact list
 * header with element type 0: its serializer takes the type from the first element, and there is none. 0 is no Thrift
 * type; arrow-rs (parquet-wasm) rejects the file ("Expected list element type of Struct but got Byte") while DuckDB
 * reads it. This retypes that one byte as an empty list of structs (0x0C), as the Thrift compact protocol defines. The bytes are found by an exact match of FileMetaData fields 3–6 (num_rows = 0,
 * the empty list, created_by), which cannot occur elsewhere in the footer; if the writer ever changes them the file
 * is refused rather than written half-readable.
 */
function typeEmptyRowGroupList(bytes: Uint8Array): void {
  const name = Buffer.from(CREATED_BY, 'utf8');
  // field 3 (delta 1, i64) = zigzag 0; field 4 (delta 1, list) header; list header 0 items, type ?; field 6 (delta 2,
  // binary) with its length and bytes.
  const before = [0x16, 0x00, 0x19];
  const after = [0x28, name.length, ...name];
  const end = bytes.length - 8; // footer length (4) and PAR1 (4)
  for (let at = end - after.length - 1; at >= before.length; at--) {
    if (!matches(bytes, at + 1, after) || !matches(bytes, at - before.length, before)) continue;
    if (bytes[at] === 0x0c) return; // already typed (a fixed hyparquet-writer)
    if (bytes[at] === 0x00) {
      bytes[at] = 0x0c;
      return;
    }
  }
  throw new ParquetFooterError('zero-row file: the empty row_groups list was not found in the footer');
}

function matches(bytes: Uint8Array, at: number, expected: readonly number[]): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

/** The writer's footer is not laid out as this module expects (a hyparquet-writer change). */
export class ParquetFooterError extends Error {
  override readonly name = 'ParquetFooterError';
}

async function writeAll(file: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
