import { describe, expect, it } from 'vitest';
import { ApiRequestError, AuthenticationError, RateLimitedError, TransientApiError } from '../../../shared/core/errors';
import { createRedactor, safeUrl } from '../../../shared/core/redact';
import { extractApiMessage, parseRetryAfter, requestJson } from '../../../shared/engine/http';

const secret = 'sEcReT-kEy-123';
const redact = createRedactor([secret]);

function respond(status: number, body: string, headers: Record<string, string> = {}) {
  return async () => new Response(body, { status, headers });
}

describe('requestJson classification', () => {
  const url = `https://api.example.test/v1/messagesFailed?serverId=1&password=${secret}`;
  const cases: [string, () => Promise<Response>, new (...a: never[]) => Error, RegExp][] = [
    ['401 → authentication', respond(401, 'Unauthorized'), AuthenticationError, /authentication failed/],
    ['403 → authentication', respond(403, '{"message":"forbidden"}'), AuthenticationError, /forbidden/],
    ['429 → rate limited', respond(429, 'slow down', { 'retry-after': '0' }), RateLimitedError, /429/],
    ['503 → transient', respond(503, '<html><h1>Maintenance</h1></html>'), TransientApiError, /Maintenance/],
    [
      '400 → request error with the API message',
      respond(400, '{"error":[{"errorType":"X","message":"bad date"}]}'),
      ApiRequestError,
      /bad date/,
    ],
    ['200 HTML → transient', respond(200, '<html>down</html>'), TransientApiError, /HTML/],
    ['200 cut JSON → transient', respond(200, '{"totalCount": 5, "collec'), TransientApiError, /truncated/],
    [
      'network reset → transient',
      async () => {
        throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
      },
      TransientApiError,
      /ECONNRESET/,
    ],
  ];
  it.each(cases)('%s', async (_name, fetchImpl, kind, message) => {
    const err = await requestJson({ url, timeoutMs: 1000 }, { fetch: fetchImpl, redact }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(kind);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain(secret);
    expect((err as Error).message).not.toContain('password');
  });

  it('times out a hanging answer as transient', async () => {
    const hang = (_url: string, init: RequestInit) =>
      new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const err = await requestJson({ url, timeoutMs: 50 }, { fetch: hang, redact }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientApiError);
    expect((err as Error).message).toMatch(/within 50 ms/);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });

  it('extracts API messages from JSON, lists and markup', () => {
    expect(extractApiMessage('{"error":[{"message":"a"},{"message":"b"}]}')).toBe('a; b');
    expect(extractApiMessage('<p>Server <b>busy</b></p>')).toBe('Server busy');
  });
});

describe('redaction', () => {
  it('masks secrets raw, URL-encoded and base64, and credential query params', () => {
    const r = createRedactor(['p@ss word!']);
    const basic = Buffer.from('p@ss word!').toString('base64');
    const text = `x p@ss word! ${encodeURIComponent('p@ss word!')} ${basic} https://h/api.php?username=bob&password=zzz`;
    const out = r(text);
    expect(out).not.toContain('p@ss word!');
    expect(out).not.toContain(basic);
    expect(out).not.toContain('zzz');
    expect(out).not.toContain('bob');
    expect(safeUrl('https://u:p@h.test/a/b?password=x')).toBe('https://h.test/a/b');
  });
});
