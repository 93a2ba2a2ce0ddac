import { ApiRequestError, AuthenticationError, TransientApiError } from '../../core/errors';
import { excerpt } from '../../core/redact';
import type { ApiCaller } from '../../engine/api-caller';
import type { HttpRequest } from '../../engine/http';

export interface SendSageClientOptions {
  /** e.g. `https://monitor.drh.net/api.php` */
  readonly apiUrl: string;
  readonly username: string;
  readonly password: string;
  readonly timeoutMs: number;
  readonly call: ApiCaller;
}

/**
 * SendSage Monitor: one endpoint, the method and the credentials as parameters. The API accepts GET or POST; we POST
 * a form so the password never sits in a URL (logs, proxies), and redact it everywhere anyway.
 */
export function createSendSageClient(opts: SendSageClientOptions) {
  return {
    /** Calls a method and returns its JSON body, classified: failures the API reports on HTTP 200 become errors. */
    call(method: string, params: Record<string, string | number>, signal: AbortSignal): Promise<unknown> {
      const body = new URLSearchParams({ method, output: 'json', username: opts.username, password: opts.password });
      for (const [k, v] of Object.entries(params)) body.set(k, String(v));
      const req: HttpRequest = {
        url: opts.apiUrl,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        timeoutMs: opts.timeoutMs,
      };
      return opts.call(req, (json) => checkSuccess(method, json), signal);
    },
  };
}

export type SendSageClient = ReturnType<typeof createSendSageClient>;

/**
 * `{"success":0,"error":"…"}` arrives with HTTP 200. A login failure stops the run; "not found" fails that item;
 * anything else ("temporarily unavailable") is worth a retry.
 */
function checkSuccess(method: string, json: unknown): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  const entries = Object.entries(json);
  const success = entries.find(([k]) => k.toLowerCase() === 'success')?.[1];
  if (success === undefined || Number(success) !== 0) return json;
  const error = excerpt(String(entries.find(([k]) => k.toLowerCase() === 'error')?.[1] ?? 'no error text'));
  if (/login|password|username|credential|auth/i.test(error)) {
    throw new AuthenticationError(
      `authentication failed: SendSage ${method} answered "${error}"; check SENDSAGE_USERNAME and SENDSAGE_PASSWORD`,
    );
  }
  if (/not found|no such|unknown|invalid (campaign|message|preview)/i.test(error)) {
    throw new ApiRequestError(`SendSage ${method}: ${error}`, 404);
  }
  throw new TransientApiError(`SendSage ${method} answered success 0: ${error}`);
}
