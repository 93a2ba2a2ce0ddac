/**
 * The lazily generated record store behind the simulators: one series of records per UTC day, ordered by second.
 * A day only gets its sorted seconds when something first reads it, and a generated record is rebuilt from its own
 * seed every time it is read, so a day of a million records costs four bytes per record until someone materialises
 * it. Late records (inserts) are kept apart and merged into the order on read.
 */
import { mixSeed, Rng, weightedTable } from './random';

const DAY = 86_400;

/**
 * Builds one record from its own generator. `index` is the record's generation index within its day, or null for a
 * record made on request (`makeRecord`) that has no place in the timeline.
 */
export type RecordFactory<R> = (rng: Rng, epochSec: number, index: number | null) => R;

interface InsertedRecord<R> {
  readonly secOfDay: number;
  readonly record: R;
}

interface Day<R> {
  readonly dayNum: number;
  readonly generated: number;
  /** Seconds of the day of the generated records, ascending; built on first read. */
  secs: Uint32Array | null;
  /** Late records, ascending by second, in arrival order within a second. */
  inserts: InsertedRecord<R>[];
  /** Merged order when there are inserts: >= 0 a generated index, < 0 the insert at -(v + 1). */
  order: Int32Array | null;
}

// Mail follows office hours: the night is quiet, late morning and early afternoon are the peaks.
const hourTable = weightedTable<number>(
  [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 8, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((w, h) => [h, w] as const),
);

function lowerBound(arr: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The records of one series sorted by second; ties keep generation order, then arrival order of late records.
 * Positions are zero-based over the whole series.
 */
export class DayTimeline<R extends object> {
  private readonly days: Day<R>[];
  /** offsets[i]: records before day i; the last entry is the total. */
  private offsets: number[] = [0];

  /** `counts[i]` records are generated on day `firstDay + i` (days since the Unix epoch). */
  constructor(
    readonly seed: number,
    firstDay: number,
    counts: readonly number[],
    private readonly build: RecordFactory<R>,
  ) {
    this.days = counts.map((generated, i) => ({
      dayNum: firstDay + i,
      generated,
      secs: null,
      inserts: [],
      order: null,
    }));
    this.reindex();
  }

  /** Number of records, late ones included. */
  get total(): number {
    return this.offsets[this.offsets.length - 1]!;
  }

  /** Number of generated (not late) records on a day. */
  generatedCount(dayNum: number): number {
    const day = this.days[this.dayIndex(dayNum)];
    return day && day.dayNum === dayNum ? day.generated : 0;
  }

  /** Positions [start, end) of the records within [fromSec, toSec], both inclusive; null = open. */
  range(fromSec: number | null, toSec: number | null): { start: number; end: number } {
    const start = fromSec === null ? 0 : this.lowerBound(Math.ceil(fromSec));
    const end = toSec === null ? this.total : this.lowerBound(Math.floor(toSec) + 1);
    return { start, end: Math.max(start, end) };
  }

  /** Position of the first record at or after epochSec. */
  lowerBound(epochSec: number): number {
    const dayNum = Math.floor(epochSec / DAY);
    const i = this.dayIndex(dayNum);
    const day = this.days[i];
    if (!day) return this.total;
    if (day.dayNum > dayNum) return this.offsets[i]!;
    const s = epochSec - dayNum * DAY;
    let k = 0;
    while (k < day.inserts.length && day.inserts[k]!.secOfDay < s) k++;
    return this.offsets[i]! + lowerBound(this.secs(day), s) + k;
  }

  /** The record at a position (a fresh copy of a late one). */
  recordAt(position: number): R {
    const { day, local } = this.locate(position);
    const idx = day.inserts.length ? this.order(day)[local]! : local;
    if (idx < 0) return { ...day.inserts[-idx - 1]!.record };
    const sec = day.dayNum * DAY + this.secs(day)[idx]!;
    return this.build(new Rng(mixSeed(mixSeed(this.seed, day.dayNum), idx)), sec, idx);
  }

  /** Epoch seconds of the record at a position, without building the record. */
  secondAt(position: number): number {
    const { day, local } = this.locate(position);
    const idx = day.inserts.length ? this.order(day)[local]! : local;
    const s = idx < 0 ? day.inserts[-idx - 1]!.secOfDay : this.secs(day)[idx]!;
    return day.dayNum * DAY + s;
  }

  /** Records at positions [start, end), clipped to the timeline. */
  slice(start: number, end: number): R[] {
    const out: R[] = [];
    for (let p = Math.max(0, start); p < Math.min(end, this.total); p++) out.push(this.recordAt(p));
    return out;
  }

  /** A new record at the given second from a generator of its own `variant`; it is not stored. */
  makeRecord(epochSec: number, variant: number): R {
    return this.build(new Rng(mixSeed(mixSeed(this.seed, 0x1a7e), variant)), epochSec, null);
  }

  /** Adds a late record at whole epoch seconds; it sorts after every record already there in its second. */
  insert(record: R, epochSec: number): void {
    const dayNum = Math.floor(epochSec / DAY);
    const i = this.dayIndex(dayNum);
    let day = this.days[i];
    if (!day || day.dayNum !== dayNum) {
      day = { dayNum, generated: 0, secs: null, inserts: [], order: null };
      this.days.splice(i, 0, day);
    }
    const secOfDay = epochSec - dayNum * DAY;
    let k = day.inserts.length;
    while (k > 0 && day.inserts[k - 1]!.secOfDay > secOfDay) k--;
    day.inserts.splice(k, 0, { secOfDay, record });
    day.order = null;
    this.reindex();
  }

  private reindex(): void {
    const offsets = [0];
    let total = 0;
    for (const day of this.days) {
      total += day.generated + day.inserts.length;
      offsets.push(total);
    }
    this.offsets = offsets;
  }

  /** Index of the first day whose dayNum is >= the given one. */
  private dayIndex(dayNum: number): number {
    let lo = 0;
    let hi = this.days.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.days[mid]!.dayNum < dayNum) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private secs(day: Day<R>): Uint32Array {
    if (day.secs) return day.secs;
    const n = day.generated;
    const rng = new Rng(mixSeed(mixSeed(this.seed, 0x5ec5), day.dayNum));
    const secs = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      // Bursts: a sender's batch lands many messages in one second, so ties are common enough to break naive paging.
      secs[i] = i > 0 && rng.chance(0.08) ? secs[i - 1]! : rng.pickWeighted(hourTable) * 3600 + rng.int(0, 3599);
    }
    // The day's two edges are where an off-by-one in a date filter shows, so they get records often.
    if (n >= 2 && rng.chance(0.4)) secs[0] = 0;
    if (n >= 2 && rng.chance(0.4)) secs[1] = DAY - 1;
    secs.sort();
    day.secs = secs;
    return secs;
  }

  private order(day: Day<R>): Int32Array {
    if (day.order) return day.order;
    const secs = this.secs(day);
    const order = new Int32Array(secs.length + day.inserts.length);
    let g = 0;
    let k = 0;
    for (let o = 0; o < order.length; o++) {
      // Ties go to generated records first: a late record sorts after everything already there in its second.
      if (k >= day.inserts.length || (g < secs.length && secs[g]! <= day.inserts[k]!.secOfDay)) order[o] = g++;
      else order[o] = -(k++ + 1);
    }
    day.order = order;
    return order;
  }

  private locate(position: number): { day: Day<R>; local: number } {
    if (!(position >= 0 && position < this.total)) throw new RangeError(`position ${position} out of range`);
    // Last day whose offset is <= position; empty days share their offset with the next one and are skipped.
    let lo = 0;
    let hi = this.days.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid + 1]! <= position) lo = mid + 1;
      else hi = mid;
    }
    return { day: this.days[lo]!, local: position - this.offsets[lo]! };
  }
}
