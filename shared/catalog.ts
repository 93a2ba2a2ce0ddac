import type { TableDef } from './lake/table';
import { tablesOf } from './sources';

/** Every table of the lake, from every source: what the README, DuckDB views and Glue tables are made from. */
export const allTables: readonly TableDef[] = tablesOf();
