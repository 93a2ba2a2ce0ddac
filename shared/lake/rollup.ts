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
  const counts = new Map<string, number>();
  let rows = 0;
  return {
    add(row) {
      rows++;
      const t = row[table.timeColumn];
      const hour = typeof t === 'number' ? Math.floor(t / HOUR_MS) * HOUR_MS : null;
      const key = JSON.stringify([hour, ...dims.map((d) => row[d] ?? null)]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    finish(window, partition) {
      const out = [...counts.entries()]
        .map(([key, n]) => {
          const [hour, ...values] = JSON.parse(key) as [number | null, ...(string | number | boolean | null)[]];
          return [hour === null ? null : new Date(hour).toISOString(), ...values, n];
        })
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
