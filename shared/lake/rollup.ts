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

/** Starts counting the rows of a table for one of its rollups. */
export function createRollup(table: TableDef, def: RollupDef): RollupAccumulator {
  const dims = def.dimensions;
  const where = Object.entries(def.where ?? {}).map(([column, values]) => [column, new Set(values)] as const);
  // Cell key → count. The key is the cell itself as JSON ([period, ...values]): exact for every value type, and the
  // only copy of the values kept, which halves the memory of rollups with many cells (one per hard-bounced address).
  const cells = new Map<string, number>();
  const key: (string | number | boolean | null)[] = new Array(dims.length + 1);
  let rows = 0;
  return {
    def,
    add(row) {
      for (const [column, values] of where) if (!values.has(row[column] ?? null)) return;
      rows++;
      const t = row[table.timeColumn];
      key[0] = typeof t === 'number' ? Math.floor(t / ROLLUP_PERIOD_MS) * ROLLUP_PERIOD_MS : null;
      for (let i = 0; i < dims.length; i++) key[i + 1] = row[dims[i]!] ?? null;
      const k = JSON.stringify(key);
      cells.set(k, (cells.get(k) ?? 0) + 1);
    },
    finish(window, partition) {
      // A stable order (by the serialised cell), so a re-run writes byte-equal documents.
      const out = [...cells.keys()].sort().map((k) => {
        const [period, ...values] = JSON.parse(k) as [number | null, ...(string | number | boolean | null)[]];
        return [period === null ? null : new Date(period).toISOString(), ...values, cells.get(k)!];
      });
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
