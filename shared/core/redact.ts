/**
 * Secret redaction. The process keeps one registry of secrets, filled where configuration and secrets are read
 * (config.ts registers every credential it parses, with each form it takes on the wire). What leaves the process —
 * the CLI's output, log lines, errors thrown out of a Lambda handler — passes through `redactSecrets`, so a key can
 * only leak if it was never read through the config.
 */
export type Redactor = (text: string) => string;

const credentialParams = /([?&](?:password|pass|pwd|api_?key|apikey|token|secret|username|user)=)[^&#\s"']*/gi;
const userInfo = /(\bhttps?:\/\/)[^/\s:@]+:[^/\s@]+@/gi;

/** Shorter values would mask ordinary text; no real credential is that short. */
const MIN_SECRET_LENGTH = 3;

/** Every registered form, longest first, so a form that contains another is masked whole. */
let registered: string[] = [];

/** The forms a value takes in text: as is, URL-encoded, form-encoded, base64 and JSON-escaped. */
function formsOf(value: string): string[] {
  return [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    Buffer.from(value).toString('base64'),
    Buffer.from(value).toString('base64url'),
    JSON.stringify(value).slice(1, -1),
  ];
}

/**
 * Registers a secret for the rest of the process, with its encodings and, when it is paired with a user name, the
 * forms of `user:secret` (the Basic token is its base64).
 */
export function registerSecret(secret: string | undefined, user?: string): void {
  if (secret === undefined || secret.length < MIN_SECRET_LENGTH) return;
  const forms = formsOf(secret);
  if (user !== undefined) forms.push(...formsOf(`${user}:${secret}`));
  const merged = new Set([...registered, ...forms.filter((f) => f.length >= MIN_SECRET_LENGTH)]);
  registered = [...merged].sort((a, b) => b.length - a.length);
}

/** Masks every registered secret and credential-looking URL parts. */
export function redactSecrets(text: string): string {
  let out = text.replace(credentialParams, '$1***').replace(userInfo, '$1***@');
  for (const form of registered) if (out.includes(form)) out = out.split(form).join('***');
  return out;
}

/** A redactor over the registry and, besides, values not registered (e.g. a secret's text being validated). */
export function createRedactor(extra: readonly (string | undefined)[] = []): Redactor {
  const values = extra
    .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
    .flatMap(formsOf)
    .sort((a, b) => b.length - a.length);
  return (text: string) => {
    // The registry first: it holds the longer forms (user:secret), which would not match once their secret is masked.
    let out = redactSecrets(text);
    for (const v of values) out = out.split(v).join('***');
    return out;
  };
}

/**
 * Redacts a thrown value in place for the way out of the process: an Error's message, stack and string properties
 * (an API error keeps the raw body), down its cause chain and into an AggregateError's errors. The error keeps its
 * class, so callers can still tell an AuthenticationError from the rest.
 */
export function redactError<T>(error: T): T {
  const seen = new WeakSet<object>();
  const visit = (value: unknown): void => {
    if (!(value instanceof Error) || seen.has(value)) return;
    seen.add(value);
    const fields = value as unknown as Record<string, unknown>;
    for (const key of new Set(['message', 'stack', ...Object.keys(value)])) {
      const field = fields[key];
      if (typeof field === 'string') {
        try {
          fields[key] = redactSecrets(field);
        } catch {
          // a read-only property: nothing we could write over, and nothing we print besides message and stack
        }
      } else {
        visit(field);
      }
    }
    visit(value.cause);
    if (value instanceof AggregateError) for (const inner of value.errors) visit(inner);
  };
  if (typeof error === 'string') return redactSecrets(error) as T;
  visit(error);
  return error;
}

/** An API's words shortened for a message, redacted before the cut: a secret cut in half no longer matches. */
export function excerpt(text: string, max = 300): string {
  const clean = redactSecrets(text);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** A URL safe to show: no user info, no query string. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
