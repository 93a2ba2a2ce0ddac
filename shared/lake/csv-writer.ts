import { mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { csvSerdeProperties, csvTextField } from './csv-dialect';
import type { TableFileWriterFactory } from './file-writer';
import type { ColumnType, Row, TableDef } from './table';

// Rows per write, so one huge append() never builds one huge string.
const CHUNK_ROWS = 10_000;

const SEPARATOR = csvSerdeProperties.separatorChar;

/** strftime pattern DuckDB's read_csv needs for the timestamps this writer produces. */
export const CSV_TIMESTAMP_FORMAT = '%Y-%m-%d %H:%M:%S.%g';

/** Formats epoch ms as `YYYY-MM-DD HH:MM:SS.SSS` (UTC), the layout Athena's CSV SerDes parse as a timestamp. */
export function formatCsvTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

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
    await write(`${names.join(SEPARATOR)}\n`);
  } catch (err) {
    await file.close();
    throw err;
  }

  return {
    async append(rows: readonly Row[]): Promise<void> {
      assertOpen();
      for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
        const end = Math.min(rows.length, start + CHUNK_ROWS);
        const lines: string[] = new Array(end - start + 1);
        for (let r = start; r < end; r++) lines[r - start] = toLine(table, names, types, rows[r]!, rowCount + r);
        lines[end - start] = '';
        await write(lines.join('\n'));
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

/** One record: a NULL is an empty unquoted field; text as csv-dialect spells it; other types never need quotes. */
function toLine(table: TableDef, names: string[], types: ColumnType[], row: Row, rowIndex: number): string {
  const fields: string[] = new Array(names.length);
  for (let c = 0; c < names.length; c++) {
    const value = row[names[c]!];
    if (value === undefined || value === null) {
      if (!table.columns[c]!.nullable) {
        throw new Error(
          `csv writer: table ${table.name}, column ${names[c]} is not nullable but row ${rowIndex} has no value`,
        );
      }
      fields[c] = '';
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
        fields[c] = csvTextField(value as string);
        break;
      case 'boolean':
        fields[c] = value ? 'true' : 'false';
        break;
      default:
        fields[c] = String(value);
    }
  }
  return fields.join(SEPARATOR);
}
