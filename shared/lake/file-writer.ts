import type { Row, TableDef } from './table';

/** The lake's file formats; `both` writes Parquet and CSV side by side. */
export type LakeFormat = 'parquet' | 'csv';

/** Streams rows of one table into one local file; memory stays bounded by the writer's row-group size. */
export interface TableFileWriter {
  /** Appends rows (columns as the table defines them; missing keys are null). */
  append(rows: readonly Row[]): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<{ rows: number; bytes: number }>;
  /** Closes and deletes the partial file. */
  abort(): Promise<void>;
}

export type TableFileWriterFactory = (table: TableDef, localPath: string) => Promise<TableFileWriter>;
