/**
 * How the SendSage API (a PHP script) writes and reads values: json_encode's escaping, serialize() for
 * `output=php`, the `{ success: 0, error }` error object, intval of parameters, and `*_unix` fields that are
 * sometimes strings. Apart because both the method answers and the HTTP loop speak it.
 */

/** JSON as PHP's json_encode writes it by default: slashes escaped, every non-ASCII code unit as `\uXXXX`. */
export function phpJson(value: unknown): string {
  // Outside strings JSON has neither `/` nor non-ASCII, so rewriting the whole text only touches string contents.
  return JSON.stringify(value).replace(/[/\u0080-\uffff]/g, (ch) =>
    ch === '/' ? '\\/' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A flat PHP `serialize()` of a string/int map, for answering `output=php`. */
export function phpSerialize(value: Record<string, string | number>): string {
  const str = (s: string) => `s:${Buffer.byteLength(s, 'utf8')}:"${s}";`;
  const entries = Object.entries(value).map(([k, v]) => str(k) + (typeof v === 'number' ? `i:${v};` : str(v)));
  return `a:${entries.length}:{${entries.join('')}}`;
}

export const apiError = (error: string) => ({ success: 0, error });

/** PHP's intval of a parameter: leading integer, 0 when there is none. */
export function intval(text: string | undefined): number {
  const m = /^\s*[+-]?\d+/.exec(text ?? '');
  return m ? Number(m[0]) : 0;
}

export const unix = (sec: number, asString: boolean): number | string => (asString ? String(sec) : sec);
