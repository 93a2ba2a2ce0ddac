/**
 * Secret redaction. Every message that may reach a log, an error or a file passes through a redactor built from the
 * run's secrets, so a key can only leak if it was never registered.
 */
export type Redactor = (text: string) => string;

const credentialParams = /([?&](?:password|pass|pwd|api_?key|apikey|token|secret|username|user)=)[^&#\s"']*/gi;
const userInfo = /(\bhttps?:\/\/)[^/\s:@]+:[^/\s@]+@/gi;

/** Builds a redactor that masks the given secret values and credential-looking URL parts. */
export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const values = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 3);
  // Longest first, so a secret that contains another is masked whole.
  values.sort((a, b) => b.length - a.length);
  const encoded = values.flatMap((v) => [v, encodeURIComponent(v), Buffer.from(v).toString('base64')]);
  return (text: string) => {
    let out = text.replace(credentialParams, '$1***').replace(userInfo, '$1***@');
    for (const v of encoded) out = out.split(v).join('***');
    return out;
  };
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
