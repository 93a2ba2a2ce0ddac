import { HOUR_MS } from '../engine/windows';
import type { Row, TableDef } from './table';

/**
 * Small per-window counts beside the data, so the digest never scans raw rows: rows per event hour and per
 * combination of the table's rollup dimensions. Bounded by distinct combinations, not by rows.
 */
export interface RollupDocument {
  readonly table: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly partition: Readonly<Record<string, string | number>>;
  readonly dimensions: readonly string[];
  readonly rows: number;
  /** [hour (ISO, UTC), ...dimension values, count] */
  readonly counts: readonly (readonly (string | number | boolean | null)[])[];
}

export interface RollupAccumulator {
  add(row: Row): void;
  finish(window: { start: number; end: number }, partition: Readonly<Record<string, string | number>>): RollupDocument;
}

/** Starts counting rows of a table with a rollup. */
export function createRollup(table: TableDef): RollupAccumulator {
  const dims = table.rollupDimensions ?? [];
  type Cell = { hour: number | null; values: (string | number | boolean | null)[]; count: number };
  const cells = new Map<string, Cell>();
  let rows = 0;
  return {
    add(row) {
      rows++;
      const t = row[table.timeColumn];
      const hour = typeof t === 'number' ? Math.floor(t / HOUR_MS) * HOUR_MS : null;
      // A cheap composite key (this runs once per row); \u0001 cannot occur in the values that matter here, and
      // type tags keep 1 and '1' and null apart.
      let key = String(hour);
      for (const d of dims) {
        const v = row[d] ?? null;
        key += `\u0001${typeof v === 'string' ? 's' : v === null ? 'n' : 'o'}${String(v)}`;
      }
      const cell = cells.get(key);
      if (cell) cell.count++;
      else cells.set(key, { hour, values: dims.map((d) => row[d] ?? null), count: 1 });
    },
    finish(window, partition) {
      const out = [...cells.values()]
        .map((c) => [c.hour === null ? null : new Date(c.hour).toISOString(), ...c.values, c.count])
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      return {
        table: table.name,
        window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
        partition,
        dimensions: ['hour', ...dims],
        rows,
        counts: out,
      };
    },
  };
}
