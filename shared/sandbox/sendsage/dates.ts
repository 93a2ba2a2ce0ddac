/**
 * Dates as the SendSage API writes and reads them: US Central time with its DST switch, its spaced ISO form, and
 * RFC 5322 dates for message headers. Apart because both the server (request parameters, answers) and the message
 * contents use them, and neither needs the generator.
 */

/** US Central time (DST included), the zone the API's dates are in: -0600 in winter, -0500 in summer. */
export function sendSageOffsetMinutes(epochSec: number): number {
  const year = new Date(epochSec * 1000).getUTCFullYear();
  const sunday = (month: number, nth: number) => {
    const dow = new Date(Date.UTC(year, month, 1)).getUTCDay();
    return 1 + ((7 - dow) % 7) + (nth - 1) * 7;
  };
  // 02:00 local on the second Sunday of March (08:00 UTC) to 02:00 local on the first Sunday of November (07:00 UTC).
  const start = Date.UTC(year, 2, sunday(2, 2), 8) / 1000;
  const end = Date.UTC(year, 10, sunday(10, 1), 7) / 1000;
  return epochSec >= start && epochSec < end ? -300 : -360;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `2012-06-01 T 12:45:40-0600` (or `-06:00` with `colon`), in the API's zone. */
export function formatSendSageDate(epochSec: number, colon = false): string {
  const offset = sendSageOffsetMinutes(epochSec);
  const local = new Date((epochSec + offset * 60) * 1000);
  const abs = Math.abs(offset);
  const zone = `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}${colon ? ':' : ''}${pad2(abs % 60)}`;
  return (
    `${local.getUTCFullYear()}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())} T ` +
    `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())}${zone}`
  );
}

const dayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An RFC 5322 date (`Mon, 05 Sep 2011 00:01:26 -0500`) in the API's zone, for message headers. */
export function formatRfc5322(epochSec: number): string {
  const offset = sendSageOffsetMinutes(epochSec);
  const d = new Date((epochSec + offset * 60) * 1000);
  const abs = Math.abs(offset);
  return (
    `${dayNames[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${monthNames[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ` +
    `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`
  );
}

const requestDateRe =
  /^(\d{4})-(\d{2})-(\d{2})(?:\s*[Tt ]\s*(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Epoch seconds of a request's `date`: epoch seconds, or ISO 8601 with or without the API's spaces around `T`;
 * a date or time without a zone is read in the API's zone. Null when it is neither.
 */
export function parseSendSageDate(text: string): number | null {
  const t = text.trim();
  if (/^\d{1,12}$/.test(t)) return Number(t);
  const m = requestDateRe.exec(t);
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7).map((v) => v ?? '0') as string[];
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  const back = new Date(wall * 1000);
  if (
    back.getUTCMonth() !== Number(mo) - 1 ||
    back.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return null;
  }
  const zone = m[7];
  if (zone === undefined) {
    // The offset depends on the instant; one correction step is exact except inside the DST switch hour.
    const guess = wall - sendSageOffsetMinutes(wall) * 60;
    return wall - sendSageOffsetMinutes(guess) * 60;
  }
  if (zone === 'Z' || zone === 'z') return wall;
  const digits = zone.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || '0');
  return wall - (digits.startsWith('-') ? -1 : 1) * minutes * 60;
}
