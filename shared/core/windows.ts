/**
 * Closed event-time windows in UTC: [start, end) in epoch ms. A window's id (`20261120T000000Z-20261121T000000Z`)
 * names its files, so re-collecting a window replaces exactly what it wrote before.
 */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const compact = (t: number) =>
  new Date(t)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** `20261120T000000Z-20261121T000000Z`. */
export function windowId(w: TimeWindow): string {
  return `${compact(w.start)}-${compact(w.end)}`;
}

const idPattern = /(\d{8}T\d{6}Z)-(\d{8}T\d{6}Z)/;

/** Reads the window back from a name containing its id; null when the name has none. */
export function parseWindowId(name: string): TimeWindow | null {
  const m = idPattern.exec(name);
  if (!m) return null;
  const toMs = (s: string) =>
    Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15));
  return { start: toMs(m[1]!), end: toMs(m[2]!) };
}

/** Whether two windows share any instant. */
export function overlaps(a: TimeWindow, b: TimeWindow): boolean {
  return a.start < b.end && b.start < a.end;
}

/** `YYYY-MM-DD` → epoch ms of its UTC midnight; throws on an invalid date. */
export function parseDay(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const t = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!) : Number.NaN;
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day) {
    throw new Error(`invalid date '${day}', expected YYYY-MM-DD`);
  }
  return t;
}

/** UTC date `YYYY-MM-DD` of an instant. */
export function utcDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** The day windows from `from` to `to`, both inclusive UTC dates. */
export function dayWindows(from: string, to: string): TimeWindow[] {
  const out: TimeWindow[] = [];
  for (let t = parseDay(from); t <= parseDay(to); t += DAY_MS) out.push({ start: t, end: t + DAY_MS });
  return out;
}

/**
 * Splits a window into `parts` sub-windows (fewer when the window has fewer units) of whole hours, or of whole
 * minutes once the window is an hour or less, or of whole seconds once it is a minute or less (the finest a
 * window id and the APIs' date parameters carry); [w] when it is one second already. Busy days are split only as
 * far as needed: each part is probed again and split further only if it is still too big.
 *
 * Why splitting rather than resuming a window from its last page: a window's files are published whole and its
 * offsets shift whenever records arrive, so a page position saved for the next invocation would not mean the same
 * rows then. Small windows keep every window idempotent and bounded, and any volume completes across invocations,
 * unless a single second holds more rows than one invocation can page.
 */
export function splitWindow(w: TimeWindow, parts: number): TimeWindow[] {
  const length = w.end - w.start;
  const unit = [HOUR_MS, MINUTE_MS, SECOND_MS].find((u) => length >= 2 * u);
  if (unit === undefined || parts <= 1) return [w];
  const units = Math.floor(length / unit);
  const n = Math.min(parts, units);
  const out: TimeWindow[] = [];
  for (let i = 0; i < n; i++) {
    const start = w.start + Math.floor((units * i) / n) * unit;
    const end = i === n - 1 ? w.end : w.start + Math.floor((units * (i + 1)) / n) * unit;
    out.push({ start, end });
  }
  return out;
}
