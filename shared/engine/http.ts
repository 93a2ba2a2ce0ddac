import {
  ApiRequestError,
  AuthenticationError,
  DeadlineError,
  RateLimitedError,
  StreamCutError,
  TransientApiError,
} from '../core/errors';
import { type Redactor, safeUrl } from '../core/redact';

/** The part of fetch the engine uses, so tests and the Lambda can pass their own. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface HttpRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | URLSearchParams;
  /** Per-request limit; a hanging answer is a transient failure. */
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface HttpContext {
  readonly fetch: FetchLike;
  readonly redact: Redactor;
  readonly signal?: AbortSignal;
}

/** Statuses worth retrying besides 5xx (429 is handled on its own, with Retry-After). */
const transientStatuses = new Set([408, 425]);

/** Sends one request and returns its whole body, or throws a classified, redacted error. */
export async function sendRequest(req: HttpRequest, ctx: HttpContext): Promise<HttpResponse> {
  const where = `${req.method ?? 'GET'} ${safeUrl(req.url)}`;
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  let status: number;
  let headers: Headers;
  let text: string;
  try {
    const res = await ctx.fetch(req.url, {
      method: req.method ?? 'GET',
      headers: req.headers,
      body: req.body,
      signal,
      redirect: 'error',
    });
    status = res.status;
    headers = res.headers;
    text = await res.text();
  } catch (cause) {
    if (ctx.signal?.aborted) throw new DeadlineError(`${where}: run aborted (deadline reached)`);
    if (timeout.aborted) throw new TransientApiError(`${where}: no complete answer within ${req.timeoutMs} ms`);
    const detail = ctx.redact(describeNetworkError(cause));
    throw new TransientApiError(`${where}: connection failed or answer cut short (${detail})`);
  }
  if (status >= 200 && status < 300) return { status, headers, text };
  throwForStatus(where, status, headers, text, ctx.redact);
}

/** Throws the classified, redacted error for a non-2xx answer: auth, rate limit, transient or request error. */
function throwForStatus(where: string, status: number, headers: Headers, text: string, redact: Redactor): never {
  // The whole body is redacted before anything is taken from it: a message shortened first could cut a secret in
  // half, and half a secret no longer matches.
  const body = redact(text);
  const apiMessage = extractApiMessage(body);
  const message = `${where} answered ${status}${apiMessage ? `: ${apiMessage}` : ''}`;
  if (status === 401 || status === 403) {
    throw new AuthenticationError(`authentication failed (${message}); check the API credentials`);
  }
  if (status === 429) throw new RateLimitedError(message, parseRetryAfter(headers.get('retry-after')));
  if (status >= 500 || transientStatuses.has(status)) throw new TransientApiError(message);
  throw new ApiRequestError(message, status, body);
}

/** Sends a request and parses its JSON body; a cut or non-JSON body is transient (the API was mid-failure). */
export async function requestJson(req: HttpRequest, ctx: HttpContext): Promise<unknown> {
  const res = await sendRequest(req, ctx);
  try {
    return JSON.parse(res.text);
  } catch {
    const kind = /^\s*</.test(res.text) ? 'an HTML page' : 'a truncated or non-JSON body';
    throw new TransientApiError(`${req.method ?? 'GET'} ${safeUrl(req.url)} answered ${res.status} with ${kind}`);
  }
}

/** Retry-After in ms: delta-seconds (including 0) or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The API's own words from an error body: JSON `message`/`error`, or the text without markup, shortened. */
export function extractApiMessage(body: string): string {
  const trimmed = body.trim();
  if (trimmed === '') return '';
  try {
    const parsed: unknown = JSON.parse(trimmed);
    const found = findMessage(parsed);
    if (found) return shorten(found);
  } catch {
    // not JSON: fall through to text
  }
  return shorten(
    trimmed
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

function findMessage(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const parts = value.map(findMessage).filter((m): m is string => !!m);
    return parts.length ? parts.join('; ') : null;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    for (const key of ['message', 'error', 'errors', 'detail', 'title']) {
      const hit = entries.find(([k]) => k.toLowerCase() === key);
      const found = hit ? findMessage(hit[1]) : null;
      if (found) return found;
    }
  }
  return null;
}

function shorten(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function describeNetworkError(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
    return `${cause.message}${inner}`;
  }
  return String(cause);
}

export interface StreamResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body's bytes; a connection that dies or idles past the limit ends it with StreamCutError. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Drops an answer that will not be read, closing its connection. */
  cancel(): Promise<void>;
}

/**
 * Sends a request whose answer is read as a stream (large CSV downloads). Error statuses are classified exactly as
 * in sendRequest; for a success the body is handed over unread, guarded by an idle timeout instead of a total one,
 * since a 500,000-row page legitimately takes longer than any sensible request timeout.
 */
export async function openStream(req: HttpRequest, ctx: HttpContext): Promise<StreamResponse> {
  const where = `${req.method ?? 'GET'} ${safeUrl(req.url)}`;
  const idle = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, idle.signal]) : idle.signal;
  let timer = setTimeout(() => idle.abort(), req.timeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), req.timeoutMs);
  };
  let res: Response;
  try {
    res = await ctx.fetch(req.url, {
      method: req.method ?? 'GET',
      headers: req.headers,
      body: req.body,
      signal,
      redirect: 'error',
    });
  } catch (cause) {
    clearTimeout(timer);
    if (ctx.signal?.aborted) throw new DeadlineError(`${where}: run aborted (deadline reached)`);
    if (idle.signal.aborted) throw new TransientApiError(`${where}: no answer within ${req.timeoutMs} ms`);
    throw new TransientApiError(`${where}: connection failed (${ctx.redact(describeNetworkError(cause))})`);
  }
  if (res.status < 200 || res.status >= 300) {
    clearTimeout(timer);
    // Error bodies are small; an unreadable one still gets classified by its status.
    throwForStatus(where, res.status, res.headers, await res.text().catch(() => ''), ctx.redact);
  }
  const stream = res.body;
  async function* body(): AsyncIterable<Uint8Array> {
    try {
      if (!stream) return;
      for await (const chunk of stream) {
        touch();
        yield chunk;
      }
    } catch (cause) {
      if (ctx.signal?.aborted) throw new DeadlineError(`${where}: run aborted (deadline reached)`);
      const why = idle.signal.aborted ? `no data for ${req.timeoutMs} ms` : ctx.redact(describeNetworkError(cause));
      throw new StreamCutError(`${where}: the answer was cut short (${why})`);
    } finally {
      clearTimeout(timer);
    }
  }
  const cancel = async () => {
    clearTimeout(timer);
    await stream?.cancel().catch(() => undefined);
  };
  return { status: res.status, headers: res.headers, body: body(), cancel };
}
