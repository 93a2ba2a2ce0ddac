/**
 * SocketLabs v2 CSV downloads announce each page's rows in `Content-Range: rows 0-99/187` (206 for every page but the
 * last) — a row range, not the byte range of RFC 9110, so it is read here beside the only client that receives it.
 */
export interface RowsContentRange {
  /** Rows in this page. */
  readonly count: number;
  /** Rows in the whole result set. */
  readonly total: number;
}

/** Reads `rows 0-99/187` (and `rows *\/187`, a page past the end); null when absent or unreadable. */
export function parseRowsContentRange(value: string | null): RowsContentRange | null {
  if (!value) return null;
  const m = /^\s*rows\s+(?:(\d+)-(\d+)|\*)\/(\d+)\s*$/i.exec(value);
  if (!m) return null;
  const total = Number(m[3]);
  if (m[1] === undefined) return { count: 0, total };
  const count = Number(m[2]) - Number(m[1]) + 1;
  return count >= 0 ? { count, total } : null;
}
