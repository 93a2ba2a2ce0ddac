/**
 * Who may call the v2 simulator and how often: Bearer or Basic authentication with the API key, and the per-key rate
 * limits kept as a sliding log of accepted request times per window. Apart from routing and answers, which it gates.
 */
import type { IncomingMessage } from 'node:http';

/** The key a request authenticates with (Bearer, or Basic with the key as password), or null. */
export function authenticate(req: IncomingMessage, apiKey: string): string | null {
  const header = req.headers.authorization ?? '';
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1] === apiKey ? apiKey : null;
  const basic = /^basic\s+(\S+)\s*$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Any user name, the key as the password.
  return colon >= 0 && decoded.slice(colon + 1) === apiKey ? apiKey : null;
}

/**
 * The rate limiter of one simulator: a sliding log of accepted request times per key and window. The returned
 * function records a request when both windows have room, otherwise returns the milliseconds until they will.
 */
export function createRateLimiter(
  overallLimit: number,
  messageLimit: number,
  windowMs: number,
): (key: string, isMessageReport: boolean) => number {
  const overallHits = new Map<string, number[]>();
  const messageHits = new Map<string, number[]>();
  const waitFor = (log: Map<string, number[]>, key: string, limit: number, t: number): number => {
    const hits = log.get(key) ?? [];
    while (hits.length > 0 && hits[0]! <= t - windowMs) hits.shift();
    log.set(key, hits);
    return hits.length < limit ? 0 : hits[hits.length - limit]! + windowMs - t;
  };
  /** Records the request when both windows have room; otherwise returns the milliseconds until they will. */
  const admit = (key: string, isMessageReport: boolean): number => {
    const t = performance.now();
    const wait = Math.max(
      waitFor(overallHits, key, overallLimit, t),
      isMessageReport ? waitFor(messageHits, key, messageLimit, t) : 0,
    );
    if (wait > 0) return wait;
    overallHits.get(key)!.push(t);
    if (isMessageReport) messageHits.get(key)!.push(t);
    return 0;
  };
  return admit;
}
