import { mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import Papa from 'papaparse';
import type { TableFileWriterFactory } from './file-writer';
import type { ColumnType, Row, TableDef } from './table';

// Rows per Papa.unparse call, so one huge append() never builds one huge string.
const CHUNK_ROWS = 10_000;

const unparseConfig: Papa.UnparseConfig = {
  delimiter: ',',
  newline: '\n',
  quoteChar: '"',
  escapeChar: '"',
  header: false,
  // A quoted empty field keeps '' apart from null (an unquoted empty field) for readers that care, such as DuckDB.
  quotes: (value: unknown) => value === '',
};

/** strftime pattern DuckDB's read_csv needs for the timestamps this writer produces. */
export const CSV_TIMESTAMP_FORMAT = '%Y-%m-%d %H:%M:%S.%g';

/** Formats epoch ms as `YYYY-MM-DD HH:MM:SS.SSS` (UTC), the layout Athena's CSV SerDes parse as a timestamp. */
export function formatCsvTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

const NEWLINES = /\r\n|[\r\n]/g;

/** Writes a table's rows as CSV with a header row, appending chunk by chunk so memory stays bounded. */
export const createCsvWriter: TableFileWriterFactory = async (table, localPath) => {
  await mkdir(dirname(localPath), { recursive: true });
  const file = await open(localPath, 'w');
  const names = table.columns.map((c) => c.name);
  const types = table.columns.map((c) => c.type);
  let bytes = 0;
  let rowCount = 0;
  let state: 'open' | 'closed' | 'aborted' = 'open';

  const write = async (text: string): Promise<void> => {
    const buf = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < buf.length) {
      const { bytesWritten } = await file.write(buf, offset, buf.length - offset);
      offset += bytesWritten;
    }
    bytes += buf.length;
  };
  const assertOpen = (): void => {
    if (state !== 'open') throw new Error(`csv writer for ${table.name}: already ${state}`);
  };

  try {
    await write(`${Papa.unparse([names], unparseConfig)}\n`);
  } catch (err) {
    await file.close();
    throw err;
  }

  return {
    async append(rows: readonly Row[]): Promise<void> {
      assertOpen();
      for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
        const end = Math.min(rows.length, start + CHUNK_ROWS);
        const data: unknown[][] = new Array(end - start);
        for (let r = start; r < end; r++) data[r - start] = toFields(table, names, types, rows[r]!, rowCount + r);
        await write(`${Papa.unparse(data, unparseConfig)}\n`);
      }
      rowCount += rows.length;
    },
    async close() {
      assertOpen();
      state = 'closed';
      await file.close();
      return { rows: rowCount, bytes };
    },
    async abort() {
      if (state === 'aborted') return;
      const wasOpen = state === 'open';
      state = 'aborted';
      if (wasOpen) await file.close().catch(() => undefined);
      await unlink(localPath).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    },
  };
};

function toFields(table: TableDef, names: string[], types: ColumnType[], row: Row, rowIndex: number): unknown[] {
  const fields: unknown[] = new Array(names.length);
  for (let c = 0; c < names.length; c++) {
    const value = row[names[c]!];
    if (value === undefined || value === null) {
      if (!table.columns[c]!.nullable) {
        throw new Error(
          `csv writer: table ${table.name}, column ${names[c]} is not nullable but row ${rowIndex} has no value`,
        );
      }
      fields[c] = null;
      continue;
    }
    switch (types[c]) {
      case 'timestamp':
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new Error(
            `csv writer: table ${table.name}, column ${names[c]} (timestamp) got '${value}' in row ${rowIndex}`,
          );
        }
        fields[c] = formatCsvTimestamp(value);
        break;
      case 'string':
        // Athena's CSV SerDes split records on any newline, quoted or not.
        fields[c] = (value as string).replace(NEWLINES, ' ');
        break;
      case 'boolean':
        fields[c] = value ? 'true' : 'false';
        break;
      default:
        fields[c] = value;
    }
  }
  return fields;
}
