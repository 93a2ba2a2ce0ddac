import Papa from 'papaparse';
import { csvSerdeProperties, textOfCsvField } from './csv-dialect';
import type { ColumnType, TableDef } from './table';

type Value = string | number | boolean | null;

const fromText: Record<ColumnType, (s: string) => Value> = {
  // The writer's `YYYY-MM-DD HH:MM:SS.SSS` is UTC.
  timestamp: (s) => {
    const ms = Date.parse(`${s.replace(' ', 'T')}Z`);
    return Number.isNaN(ms) ? null : ms;
  },
  int32: Number,
  int64: Number,
  double: Number,
  boolean: (s) => s === 'true',
  string: textOfCsvField,
};

/**
 * Reads a CSV file the lake's CSV writer made back into rows typed by the table definition (timestamps as epoch ms),
 * for readers that must also work on a CSV-only lake. An empty field reads as null: CSV cannot tell an empty string
 * from a missing value once parsed.
 */
export function readCsvRows(text: string, table: TableDef): Record<string, Value>[] {
  const parsed = Papa.parse<Record<string, string>>(text, {
    header: true,
    skipEmptyLines: true,
    delimiter: csvSerdeProperties.separatorChar,
    quoteChar: csvSerdeProperties.quoteChar,
  });
  if (parsed.errors.length) {
    const e = parsed.errors[0]!;
    throw new Error(`csv of table ${table.name}: ${e.message} (row ${e.row ?? '?'})`);
  }
  const columns = table.columns.filter((c) => parsed.meta.fields?.includes(c.name));
  return parsed.data.map((raw) => {
    const row: Record<string, Value> = {};
    for (const c of columns) {
      const s = raw[c.name];
      row[c.name] = s === undefined || s === '' ? null : fromText[c.type](s);
    }
    return row;
  });
}
