import { TransientApiError } from '../../core/errors';
import type { TimeWindow } from '../../core/windows';
import type { ApiCaller } from '../../engine/api-caller';
import type { HttpRequest } from '../../engine/http';
import { type Page, type PageRequest, type PagingStrategy, pagingParams } from '../../engine/paging';
import { describeZodError, normalizeRecord } from '../records';
import { socketlabsDateParam, socketlabsRequestPadMs } from '../socketlabs-common/window-request';
import { accountEnvelope, listEnvelope } from './schemas';

export interface V1ClientOptions {
  /** e.g. `https://api.socketlabs.com/v1` */
  readonly baseUrl: string;
  readonly username: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly call: ApiCaller;
}

/** v1 pages by `index` (rows) and `count` (≤ 500). */
export const v1Paging: PagingStrategy = { kind: 'index-count', pageSize: 500 };

/** The v1 Reporting API: Basic auth (username + API key), JSON answers, keys in any case. */
export function createV1Client(opts: V1ClientOptions) {
  const auth = `Basic ${Buffer.from(`${opts.username}:${opts.apiKey}`).toString('base64')}`;
  const request = (method: string, params: Record<string, string>): HttpRequest => {
    const url = new URL(`${opts.baseUrl.replace(/\/+$/, '')}/${method}`);
    for (const [k, v] of Object.entries({ ...params, type: 'json' })) url.searchParams.set(k, v);
    return {
      url: url.toString(),
      headers: { authorization: auth, accept: 'application/json' },
      timeoutMs: opts.timeoutMs,
    };
  };

  return {
    /** One page of a message report for a server and window. */
    listPage(method: string, serverId: number, window: TimeWindow, req: PageRequest, signal: AbortSignal) {
      const params = {
        serverId: String(serverId),
        startDate: socketlabsDateParam(window.start - socketlabsRequestPadMs),
        endDate: socketlabsDateParam(window.end),
        timeZone: '0',
        ...pagingParams(v1Paging, req),
      };
      return opts.call(request(method, params), parseListPage(method), signal);
    },
    /** The accountData object of a server and the answer's timestamp. */
    account(serverId: number, signal: AbortSignal) {
      return opts.call(request('accountData', { serverId: String(serverId) }), parseAccount, signal);
    },
  };
}

export type V1Client = ReturnType<typeof createV1Client>;

const listKeys = new Set(['totalcount', 'collection']);

/** A list answer whose envelope does not validate is treated as a glitch worth a retry, not as data. */
function parseListPage(method: string) {
  return (json: unknown): Page<unknown> => {
    const env = normalizeRecord(json, listKeys);
    const parsed = env ? listEnvelope.safeParse(env.known) : null;
    if (!parsed?.success) {
      const why = parsed ? describeZodError(parsed.error) : 'not an object';
      throw new TransientApiError(`${method}: unexpected answer envelope (${why})`);
    }
    return { items: parsed.data.collection, total: parsed.data.totalcount };
  };
}

const accountKeys = new Set(['timestamp', 'object']);

function parseAccount(json: unknown): { timestamp: number; object: unknown } {
  const env = normalizeRecord(json, accountKeys);
  const parsed = env ? accountEnvelope.safeParse(env.known) : null;
  if (!parsed?.success) {
    throw new TransientApiError(
      `accountData: unexpected answer envelope (${parsed ? describeZodError(parsed.error) : 'not an object'})`,
    );
  }
  return parsed.data;
}
