import { sourceStatePrefixes, tablePrefixes } from '../shared/lake/layout';
import type { TableDef } from '../shared/lake/table';
import { SENDSAGE } from '../shared/sources/sendsage/datasets';
import { sendsageTables } from '../shared/sources/sendsage/tables';
import { SOCKETLABS_V1 } from '../shared/sources/socketlabs-v1/datasets';
import { socketlabsV1Tables } from '../shared/sources/socketlabs-v1/tables';
import { SOCKETLABS_V2 } from '../shared/sources/socketlabs-v2/datasets';
import { socketlabsV2Tables } from '../shared/sources/socketlabs-v2/tables';
import type { DeploymentConfig, SocketLabsAccount } from './config';

/**
 * Which lake tables and prefixes each deployed source owns, derived from the sources' own table lists
 * (shared/sources/<api>/tables.ts) and the lake layout: the Glue tables and every collector's IAM come from here.
 */

export type SourceName = typeof SOCKETLABS_V1 | typeof SOCKETLABS_V2 | typeof SENDSAGE;

/** Every source's tables, keyed by the source name its checkpoints use. */
export const tablesBySource: Readonly<Record<SourceName, readonly TableDef[]>> = {
  [SOCKETLABS_V1]: socketlabsV1Tables,
  [SOCKETLABS_V2]: socketlabsV2Tables,
  [SENDSAGE]: sendsageTables,
};

/** The source (and table list) a SocketLabs account's API generation writes. */
export const socketlabsSource = (account: SocketLabsAccount): SourceName =>
  account.apiGeneration === 'v1' ? SOCKETLABS_V1 : SOCKETLABS_V2;

/** A table deployed to Glue, with the values its non-date partition keys are projected over. */
export interface DeployedTable {
  readonly table: TableDef;
  readonly source: SourceName;
  readonly enumValues: Readonly<Record<string, readonly number[]>>;
}

/**
 * The tables to catalog. Every table of both SocketLabs generations, projected over all configured servers: the
 * named queries read v1 and v2 tables side by side, and a generation without servers simply reads as empty. The
 * SendSage tables always (they are partitioned by day only). SocketLabs tables only when there is a server to project.
 */
export function deployedTables(config: DeploymentConfig): DeployedTable[] {
  const out: DeployedTable[] = [];
  const serverIds = config.socketlabs.flatMap((a) => a.serverIds).sort((a, b) => a - b);
  if (serverIds.length) {
    for (const source of [SOCKETLABS_V2, SOCKETLABS_V1] as const) {
      for (const table of tablesBySource[source]) out.push({ table, source, enumValues: { server_id: serverIds } });
    }
  }
  for (const table of tablesBySource[SENDSAGE]) out.push({ table, source: SENDSAGE, enumValues: {} });
  return out;
}

/** Everything a collector of `source` writes: its tables' areas and its own state. Nothing else. */
export function collectorWritePrefixes(source: SourceName): string[] {
  return [...tablesBySource[source].flatMap((t) => tablePrefixes(t.name)), ...sourceStatePrefixes(source)];
}
