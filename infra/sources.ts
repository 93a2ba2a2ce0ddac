import { sourceStatePrefixes, tablePrefixes } from '../shared/lake/layout';
import type { TableDef } from '../shared/lake/table';
import { commandsOf, type Registry, sources } from '../shared/sources';
import { collectorsOf, type DeploymentConfig } from './config';

/**
 * Which lake tables and prefixes each deployed source owns, derived from the source registry
 * (shared/sources/index.ts) and the lake layout: the Glue tables and every collector's IAM come from here.
 */

/** A source's name as its checkpoints and tables are kept under (`socketlabs-v2`, `sendsage`, …). */
export type SourceName = string;

/** Every source's tables, keyed by the source name its checkpoints use. */
export function tablesBySourceOf(registry: Registry = sources): Readonly<Record<SourceName, readonly TableDef[]>> {
  return Object.fromEntries(registry.map((s) => [s.name, s.tables]));
}

/** The default registry's tables by source. */
export const tablesBySource = tablesBySourceOf();

/** A table deployed to Glue, with the values its non-date partition keys are projected over. */
export interface DeployedTable {
  readonly table: TableDef;
  readonly source: SourceName;
  readonly enumValues: Readonly<Record<string, readonly number[]>>;
}

/**
 * The tables to catalog, in registry order. A table partitioned by day only is always cataloged (SendSage's). A
 * table with other partition keys (server_id) is cataloged when the deployment gives values to project them over:
 * every generation of a command, over the values of all its collectors — the named queries read SocketLabs v1 and
 * v2 tables side by side, and a generation without servers simply reads as empty.
 */
export function deployedTables(config: DeploymentConfig, registry: Registry = sources): DeployedTable[] {
  const values = new Map<string, Record<string, number[]>>();
  for (const command of commandsOf(registry)) {
    const merged: Record<string, number[]> = {};
    for (const c of collectorsOf(command, config)) {
      for (const [key, vs] of Object.entries(c.partitionValues ?? {})) merged[key] = [...(merged[key] ?? []), ...vs];
    }
    for (const key of Object.keys(merged)) merged[key] = [...new Set(merged[key])].sort((a, b) => a - b);
    values.set(command.name, merged);
  }
  const out: DeployedTable[] = [];
  for (const source of registry) {
    const projected = values.get(source.command.name) ?? {};
    for (const table of source.tables) {
      const keys = table.partitionKeys.map((k) => k.name).filter((k) => k !== 'dt');
      if (!keys.every((k) => projected[k]?.length)) continue;
      out.push({ table, source: source.name, enumValues: Object.fromEntries(keys.map((k) => [k, projected[k]!])) });
    }
  }
  return out;
}

/** Everything a collector of `source` writes: its tables' areas and its own state. Nothing else. */
export function collectorWritePrefixes(source: SourceName, registry: Registry = sources): string[] {
  const tables = registry.find((s) => s.name === source)?.tables ?? [];
  return [...tables.flatMap((t) => tablePrefixes(t.name)), ...sourceStatePrefixes(source)];
}
