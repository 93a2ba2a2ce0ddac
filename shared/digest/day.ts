import { ConfigError } from '../core/errors';
import { DAY_MS, parseDay } from '../core/windows';

// Building a DateTimeFormat costs far more than using one, and a digest asks for thousands of instants.
const formats = new Map<string, Intl.DateTimeFormat>();
function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** Minutes the zone is ahead of UTC at an instant (Intl knows the IANA rules, including DST). */
function offsetMinutes(timeZone: string, at: number): number {
  const parts = formatFor(timeZone).formatToParts(new Date(at));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((local - Math.floor(at / 1000) * 1000) / 60_000);
}

/** UTC instant of a local wall-clock midnight in a zone. */
function localMidnight(day: string, timeZone: string): number {
  const guess = parseDay(day);
  // Twice: the offset at the guess can differ from the offset at the answer across a DST change.
  const first = guess - offsetMinutes(timeZone, guess) * 60_000;
  return guess - offsetMinutes(timeZone, first) * 60_000;
}

/** The UTC window [start, end) of a calendar day in an IANA zone (23 or 25 hours long on DST changes). */
export function zonedDay(day: string, timeZone: string): { start: number; end: number } {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new ConfigError(`unknown time zone '${timeZone}'; use an IANA name such as Europe/Berlin`);
  }
  return { start: localMidnight(day, timeZone), end: localMidnight(addDays(day, 1), timeZone) };
}

/** `YYYY-MM-DD` plus n days. */
export function addDays(day: string, n: number): string {
  return new Date(parseDay(day) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The local calendar date of an instant in a zone. */
export function localDate(at: number, timeZone: string): string {
  return new Date(at + offsetMinutes(timeZone, at) * 60_000).toISOString().slice(0, 10);
}

/** The day before today in a zone: what a morning digest is about. */
export function yesterdayIn(timeZone: string, now = Date.now()): string {
  return addDays(localDate(now, timeZone), -1);
}
