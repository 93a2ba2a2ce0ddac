import { ownString } from './own-string';
import type { RollupDef, Row, TableDef } from './table';

/** Rollup periods are quarter-hours: every time zone's midnight falls on one, so any local day is a set of them. */
export const ROLLUP_PERIOD_MS = 15 * 60_000;

/**
 * Small per-window counts beside the data, so the digest never scans raw rows: rows per event quarter-hour and per
 * combination of the rollup's dimensions. Bounded by distinct combinations, not by rows.
 */
export interface RollupDocument {
  readonly table: string;
  readonly rollup: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly partition: Readonly<Record<string, string | number>>;
  readonly period_minutes: number;
  /** `period` (start of the quarter-hour, ISO UTC) followed by the rollup's dimensions. */
  readonly dimensions: readonly string[];
  /** Rows counted (those matching the rollup's `where`). */
  readonly rows: number;
  /** [period, ...dimension values, count] */
  readonly counts: readonly (readonly (string | number | boolean | null)[])[];
}

export interface RollupAccumulator {
  readonly def: RollupDef;
  add(row: Row): void;
  finish(window: { start: number; end: number }, partition: Readonly<Record<string, string | number>>): RollupDocument;
}

type CellValue = string | number | boolean | null;
/** Cells as a tree: one level per part of the cell ([period, ...dimension values]), counts at the leaves. */
type CellTree = Map<CellValue, CellTree | number>;

/** A row's value as a cell holds it: what JSON gives back (the documents are JSON; a non-finite number is null there). */
function cellValue(value: unknown): CellValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value as CellValue;
}

/** A value to keep as a key: a string copied (own-string.ts), since the row's may view a whole chunk of page text. */
const ownValue = (value: CellValue): CellValue => (typeof value === 'string' ? ownString(value) : value);

/** Starts counting the rows of a table for one of its rollups. */
export function createRollup(table: TableDef, def: RollupDef): RollupAccumulator {
  const dims = def.dimensions;
  const where = Object.entries(def.where ?? {}).map(([column, values]) => [column, new Set(values)] as const);
  // A tree of maps rather than one map keyed by each cell's JSON: a row then costs lookups, not a new string (the
  // messages table counts three rollups, three strings a row). Values are copied into the tree only when they open a
  // new cell.
  const cells: CellTree = new Map();
  const last = dims.length - 1;
  let rows = 0;
  const step = (level: CellTree, value: CellValue): CellTree => {
    const next = level.get(value);
    if (next !== undefined) return next as CellTree;
    const created: CellTree = new Map();
    level.set(ownValue(value), created);
    return created;
  };
  const count = (level: CellTree, value: CellValue) => {
    const n = level.get(value) as number | undefined;
    if (n === undefined) level.set(ownValue(value), 1);
    else level.set(value, n + 1);
  };
  return {
    def,
    add(row) {
      for (const [column, values] of where) if (!values.has(row[column] ?? null)) return;
      rows++;
      const t = row[table.timeColumn];
      const period = cellValue(typeof t === 'number' ? Math.floor(t / ROLLUP_PERIOD_MS) * ROLLUP_PERIOD_MS : null);
      if (last < 0) {
        count(cells, period);
        return;
      }
      let level = step(cells, period);
      for (let i = 0; i < last; i++) level = step(level, cellValue(row[dims[i]!]));
      count(level, cellValue(row[dims[last]!]));
    },
    finish(window, partition) {
      const found: { cell: CellValue[]; count: number }[] = [];
      const walk = (level: CellTree, prefix: CellValue[], depth: number) => {
        for (const [value, next] of level) {
          if (depth === dims.length) found.push({ cell: [...prefix, value], count: next as number });
          else walk(next as CellTree, [...prefix, value], depth + 1);
        }
      };
      walk(cells, [], 0);
      // A stable order (by the serialised cell, as the documents always listed them), so a re-run writes byte-equal
      // documents.
      const keyed = found.map((f) => ({ ...f, key: JSON.stringify(f.cell) }));
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const out = keyed.map(({ cell: [period, ...values], count }) => [
        period === null ? null : new Date(period as number).toISOString(),
        ...values,
        count,
      ]);
      return {
        table: table.name,
        rollup: def.name,
        window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
        partition,
        period_minutes: ROLLUP_PERIOD_MS / 60_000,
        dimensions: ['period', ...dims],
        rows,
        counts: out,
      };
    },
  };
}

/** The rollup a document key holds (`…/part-<window>.<rollup>.json`); null for other files. */
export function rollupOfKey(key: string): string | null {
  const m = /\.([a-z][a-z0-9_]*)\.json$/.exec(key);
  return m ? m[1]! : null;
}
