import type { TableDef } from './lake/table';
import { sendsageTables } from './sources/sendsage/tables';
import { socketlabsV1Tables } from './sources/socketlabs-v1/tables';
import { socketlabsV2Tables } from './sources/socketlabs-v2/tables';

/** Every table of the lake, from every source: what the README, DuckDB views and Glue tables are made from. */
export const allTables: readonly TableDef[] = [...socketlabsV2Tables, ...socketlabsV1Tables, ...sendsageTables];
