/**
 * Request parsing of the v1 simulator: its HTTP error, query parameters by lower-cased name, input dates in the
 * request's time zone and bounded integers. Apart from the answers so that each method reads its parameters alike.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Query parameters by lower-cased name (the guide spells them serverId and serverid alike); first value wins. */
export function queryParams(url: URL): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    const key = name.toLowerCase();
    if (!params.has(key)) params.set(key, value);
  }
  return params;
}

const inputDateRe = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/;

/** Epoch seconds of a `yyyy-mm-dd[ hh:mm:ss]` given in the request's time zone. */
export function parseInputDate(name: string, text: string, tzMinutes: number): number {
  const m = inputDateRe.exec(text.trim());
  if (!m) throw new HttpError(400, `${name} must be formatted as yyyy-mm-dd hh:mm:ss or yyyy-mm-dd`);
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1).map((v) => v ?? '0') as string[];
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(ms);
  if (
    back.getUTCMonth() !== Number(mo) - 1 ||
    back.getUTCDate() !== Number(d) ||
    back.getUTCHours() !== Number(h) ||
    back.getUTCMinutes() !== Number(mi) ||
    back.getUTCSeconds() !== Number(s)
  ) {
    throw new HttpError(400, `${name} is not a valid date/time`);
  }
  return ms / 1000 - tzMinutes * 60;
}

export function parseIntParam(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined || text === '') return fallback;
  if (!/^[+-]?\d+$/.test(text.trim())) throw new HttpError(400, `${name} must be an integer`);
  const n = Number(text.trim());
  if (n < min || n > max) throw new HttpError(400, `${name} must be between ${min} and ${max}`);
  return n;
}
