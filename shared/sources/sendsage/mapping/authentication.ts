/**
 * A seed message's content (headers, a blank line, the body) → the authentication results the ISP recorded, the raw
 * headers and the capped body.
 */

/** Most a `body` value may take in UTF-8 bytes, marker included; rows stay small enough for Parquet pages. */
export const bodyCapBytes = 64 * 1024;

/** What parseAuthentication reads from a message's content. */
export interface ParsedMessage {
  readonly spf: string | null;
  readonly dkim: string | null;
  readonly dmarc: string | null;
  readonly domainkeys: string | null;
  /** Every Authentication-Results value, unfolded, one per line, topmost first; null when there is none. */
  readonly authenticationResults: string | null;
  /** Every Received-SPF value, unfolded, one per line, topmost first; null when there is none. */
  readonly receivedSpf: string | null;
  /** The header block as sent. */
  readonly headers: string | null;
  /** Content after the first blank line, capped at bodyCapBytes; null when the content has no blank line. */
  readonly body: string | null;
  readonly contentBytes: number | null;
}

/** One header: name as sent, value with folds joined by a single space. */
function headerFields(block: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const line of block.split(/\r?\n/)) {
    const last = out.at(-1);
    if (/^[ \t]/.test(line)) {
      if (last) last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const m = /^([!-9;-~]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (m) out.push({ name: m[1]!, value: m[2]!.trim() });
  }
  return out;
}

/** Removes RFC 5322 comments (nested parentheses) and quoted strings, which may contain `dkim=pass`-like text. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let n = 0; n < value.length; n++) {
    const c = value[n]!;
    if (c === '\\' && (depth > 0 || quoted)) {
      n++;
      continue;
    }
    if (quoted) {
      if (c === '"') quoted = false;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) {
      if (c === '"') quoted = true;
      else out += c;
    }
  }
  return out;
}

// `method=result` (RFC 8601, optionally `method/version=result`), at the start or after a space or semicolon, so
// `header.d=` and `smtp.mailfrom=` properties are never mistaken for methods.
const methodResult = /(?:^|[\s;])([a-z][a-z0-9_-]*)(?:\/\d+)?[ \t]*=[ \t]*([a-z][a-z0-9_-]*)/gi;

/** Results per method in one Authentication-Results value, in order. */
function resultsOf(value: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of withoutComments(value).matchAll(methodResult)) {
    const method = m[1]!.toLowerCase();
    const list = out.get(method) ?? [];
    list.push(m[2]!.toLowerCase());
    out.set(method, list);
  }
  return out;
}

/** The organisational part (last two labels) of an Authentication-Results authserv-id. */
function authservDomain(value: string): string {
  const id = /^\s*([^\s;]+)/.exec(withoutComments(value))?.[1]?.toLowerCase() ?? '';
  return id.split('.').slice(-2).join('.');
}

/**
 * A method's result from the topmost Authentication-Results header that reports it (headers are prepended, so the
 * topmost is the receiving ISP's own); within it, pass if any result passed (one good signature is enough), else
 * the first. Only headers from the topmost one's organisation count: a sender can put any Authentication-Results
 * into the message it sends (RFC 8601 §5), and a stage of the ISP's own may report a method the top one did not.
 */
function methodOutcome(values: readonly string[], method: string): string | null {
  const trusted = values.length ? authservDomain(values[0]!) : '';
  for (const value of values) {
    if (authservDomain(value) !== trusted) continue;
    const list = resultsOf(value).get(method);
    if (list?.length) return list.includes('pass') ? 'pass' : list[0]!;
  }
  return null;
}

/** Caps text at `max` UTF-8 bytes, marker included, cutting on a character boundary. */
export function capUtf8(text: string, max = bodyCapBytes): string {
  const total = Buffer.byteLength(text, 'utf8');
  if (total <= max) return text;
  const bytes = Buffer.from(text, 'utf8');
  // The marker names how much was cut, which depends on where the cut falls; the cut only moves earlier, so this ends.
  let cut = max;
  for (;;) {
    const marker = `…[truncated ${total - cut} bytes]`;
    let next = Math.max(0, max - Buffer.byteLength(marker, 'utf8'));
    while (next > 0 && (bytes[next]! & 0xc0) === 0x80) next--;
    if (next >= cut) return bytes.subarray(0, cut).toString('utf8') + marker;
    cut = next;
  }
}

/**
 * Reads a message's content (headers, a blank line, the body): the SPF, DKIM, DMARC and DomainKeys results from the
 * Authentication-Results headers (Received-SPF for SPF when they have none), the raw headers, the capped body and
 * the content's size. Null content gives nulls throughout.
 */
export function parseAuthentication(content: string | null): ParsedMessage {
  if (content === null) {
    return {
      spf: null,
      dkim: null,
      dmarc: null,
      domainkeys: null,
      authenticationResults: null,
      receivedSpf: null,
      headers: null,
      body: null,
      contentBytes: null,
    };
  }
  const split = /^\r?\n/.exec(content) ?? /\r?\n\r?\n/.exec(content);
  const headers = split ? content.slice(0, split.index) : content;
  const body = split ? content.slice(split.index + split[0].length) : null;
  const fields = headerFields(headers);
  const valuesOf = (name: string) => fields.filter((f) => f.name.toLowerCase() === name).map((f) => f.value);
  const authResults = valuesOf('authentication-results');
  const receivedSpf = valuesOf('received-spf');
  const spfHeader = receivedSpf.map((v) => /^([a-z]+)/i.exec(v)?.[1]?.toLowerCase() ?? null).find((v) => v !== null);
  return {
    spf: methodOutcome(authResults, 'spf') ?? spfHeader ?? null,
    dkim: methodOutcome(authResults, 'dkim'),
    dmarc: methodOutcome(authResults, 'dmarc'),
    domainkeys: methodOutcome(authResults, 'domainkeys'),
    authenticationResults: authResults.length ? authResults.join('\n') : null,
    receivedSpf: receivedSpf.length ? receivedSpf.join('\n') : null,
    headers,
    body: body === null ? null : capUtf8(body),
    contentBytes: Buffer.byteLength(content, 'utf8'),
  };
}
