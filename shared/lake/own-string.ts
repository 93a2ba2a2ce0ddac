/**
 * A copy of a string that keeps no larger string alive. V8 makes a substring of 13 or more characters a view of its
 * parent, so a value parsed out of a page (papaparse slices fields from its text chunks) pins that whole chunk for as
 * long as the value is kept; values kept past their row (Parquet statistics, rollup cells) are copied with this.
 */
export function ownString(value: string): string {
  // The concatenation is flattened into a new string by the slice; the result views only that.
  return ` ${value}`.slice(1);
}
