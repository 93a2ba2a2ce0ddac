import type { ColumnType, Row, TableDef } from '../../shared/lake/table';

// Rows for any catalog table that put every edge a Parquet reader can get wrong into every column: shared by the
// two-reader interop test and the footer test, so both look at the same files.

const day = Date.UTC(2026, 10, 20);
export const kb2Ascii = 'x'.repeat(2048);
// 2 KB of UTF-8 in three-byte characters, so a byte-length slip would cut a character in half.
const kb2Wide = '日本語'.repeat(228).slice(0, 683);

/** Edge values per column type; rows cycle through them so every value lands in several row groups. */
export const edges: Record<ColumnType, readonly (string | number | boolean)[]> = {
  timestamp: [
    day + 61_001,
    0,
    -1,
    Date.UTC(1969, 11, 31, 23, 59, 59, 999) - 86_400_000 * 365,
    Date.UTC(1900, 0, 1, 0, 0, 0, 1),
    Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    Date.UTC(2262, 3, 12, 0, 0, 0, 1),
    day - 7,
  ],
  int32: [-2_147_483_648, 2_147_483_647, 0, -1, 1, 2001, 65_536],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 0, -1, 2_147_483_648, -2_147_483_649, 2 ** 40 + 7],
  double: [
    0,
    -0,
    1.5,
    0.1 + 0.2,
    -1e-300,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    -123.456,
    Number.NaN,
    Infinity,
    -Infinity,
  ],
  // Runs longer than 8 and single flips, so both RLE runs and bit-packed groups (if used) are exercised.
  boolean: [true, true, true, true, true, true, true, true, true, true, false, true, false, false, false],
  string: [
    'plain',
    'Zürich – 日本語 – emoji 📬👩🏽‍💻',
    'line one\r\nline two\nline three\rend',
    'say "hello", then \'bye\'',
    '',
    '  padded  ',
    'nul\u0000inside',
    kb2Ascii,
    kb2Wide,
    '\u{10FFFF}max code point',
  ],
};

/**
 * Deterministic rows for any table: every nullable column null in one row of five (shifted per column), every other
 * value cycled from `edges`. Even-numbered string columns repeat (dictionary pages), odd ones are all distinct (the
 * writer's pre-encoded plain path), so both string paths are read back.
 */
export function generateRows(table: TableDef, count: number): Row[] {
  // Per column, the number of values given so far: cycling on it (not on the row number) keeps the null pattern from
  // always hiding the same edge values.
  const given = table.columns.map(() => 0);
  return Array.from({ length: count }, (_, i) => {
    const row: Row = {};
    table.columns.forEach((c, j) => {
      if (c.nullable && (i + j) % 5 === 0) {
        // Half the nulls are missing keys, half explicit nulls: the writer must treat both alike.
        if (i % 2 === 0) row[c.name] = null;
        return;
      }
      const list = edges[c.type];
      const v = list[(given[j]!++ + j) % list.length]!;
      row[c.name] = c.type === 'string' && j % 2 === 1 ? `${v}#${i}` : v;
    });
    return row;
  });
}
