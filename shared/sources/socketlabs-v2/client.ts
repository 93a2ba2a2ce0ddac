import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiRequestError, OutsideHistoryError, TransientApiError } from '../../core/errors';
import { safeUrl } from '../../core/redact';
import type { TimeWindow } from '../../core/windows';
import type { ApiCaller } from '../../engine/api-caller';
import { readSpool, spoolCsv } from '../../engine/csv-pages';
import type { HttpRequest, StreamResponse } from '../../engine/http';
import { type Page, type PageRequest, pagingParams } from '../../engine/paging';
import type { RateBudget } from '../../engine/rate-budget';
import { describeZodError } from '../records';
import { socketlabsDateParam, socketlabsRequestPadMs } from '../socketlabs-common/window-request';
import { parseRowsContentRange } from './content-range';
import type { V2Endpoint } from './endpoints';
import { apiErrorBody, listEnvelope } from './schemas';

export interface V2ClientOptions {
  /** e.g. `https://api.socketlabs.com/v2` */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly call: ApiCaller;
  /** The budget for each limit name (overall alone, or overall + message reports). */
  readonly budgets: Readonly<Record<V2Endpoint['limit'], RateBudget>>;
  /** Local folder for CSV pages being downloaded (the run's scratch space). */
  readonly spoolDir: string;
}

/**
 * Rows handed from a CSV page to the engine at a time. Small enough that a batch's records and
 * rows die young: at 5,000 they outlived V8's young generation, and a 1 M-row day peaked ~120 MB higher.
 */
const CSV_BATCH = 1_000;

/**
 * The most CSV bytes a download page may have before it is cut and retried: a generous 16 KiB a row announced (real
 * rows are a few hundred bytes) plus the header, and never more than 512 MiB, so the spool (the CSV as it arrived) and
 * the window's files fit the collector's 2 GiB of /tmp.
 */
const csvPageByteLimit = (rows: number) => Math.min(512 * 1024 * 1024, 64 * 1024 + rows * 16 * 1024);

/** The SocketLabs API v2: Bearer auth, `{data, total}` JSON pages, 206/Content-Range CSV downloads. */
export function createV2Client(opts: V2ClientOptions) {
  const request = (endpoint: V2Endpoint, serverId: number, params: Record<string, string>): HttpRequest => {
    const url = new URL(`${opts.baseUrl.replace(/\/+$/, '')}${endpoint.path.replace('{serverId}', String(serverId))}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const accept = endpoint.route === 'csv' ? 'text/csv' : 'application/json';
    return {
      url: url.toString(),
      headers: { authorization: `Bearer ${opts.apiKey}`, accept },
      timeoutMs: opts.timeoutMs,
    };
  };
  /**
   * Per server, where the plan's reporting history begins, once a refusal has shown it: a history that begins at a
   * UTC midnight refuses the padded start of that day's window (one second before it), though the day itself is
   * allowed. The pad is clamped there; records before it cannot be asked for anyway.
   */
  const historyStart = new Map<number, number>();
  const requestStart = (serverId: number, window: TimeWindow) => {
    const floor = historyStart.get(serverId);
    return floor !== undefined && floor <= window.start
      ? Math.max(window.start - socketlabsRequestPadMs, floor)
      : window.start - socketlabsRequestPadMs;
  };
  const params = (endpoint: V2Endpoint, serverId: number, req: PageRequest, window: TimeWindow | null) => ({
    ...pagingParams(endpoint.paging, req),
    sortField: endpoint.sortField,
    sortDirection: 'asc',
    ...(window
      ? { startDate: socketlabsDateParam(requestStart(serverId, window)), endDate: socketlabsDateParam(window.end) }
      : {}),
  });

  /**
   * Sends a windowed request; when the plan refuses it and only its padded start could be the reason, asks once more
   * from the window's own start. If that is accepted, the history begins there, which is remembered for the server.
   */
  const withinHistory = async <T>(serverId: number, window: TimeWindow | null, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      const clamped = window !== null && historyStart.get(serverId) === window.start;
      if (!(error instanceof OutsideHistoryError) || window === null || clamped) throw error;
      const known = historyStart.get(serverId);
      historyStart.set(serverId, window.start);
      try {
        return await send();
      } catch (retryError) {
        // Refused without the pad too: the whole window is outside the history, as the first answer said.
        if (known === undefined) historyStart.delete(serverId);
        else historyStart.set(serverId, known);
        throw retryError;
      }
    }
  };

  /** Turns a plan-limit refusal into OutsideHistoryError; other errors pass unchanged. */
  const recognise = (error: unknown): never => {
    if (error instanceof ApiRequestError) {
      const parsed = apiErrorBody.safeParse(safeJson(error.body));
      const types = parsed.success ? parsed.data.map((e) => `${e.errorType ?? ''} ${e.message ?? ''}`).join(' ') : '';
      if (/outside.*plan|plan.*limit|reporting history/i.test(types)) throw new OutsideHistoryError(error.message);
    }
    throw error;
  };

  return {
    /** One JSON page of an endpoint for a server (and window, for reports). */
    async jsonPage(
      endpoint: V2Endpoint,
      serverId: number,
      window: TimeWindow | null,
      req: PageRequest,
      signal: AbortSignal,
    ) {
      return withinHistory(serverId, window, () => {
        const http = request(endpoint, serverId, params(endpoint, serverId, req, window));
        const parse = (json: unknown): Page<unknown> => {
          const env = listEnvelope.safeParse(json);
          if (!env.success) {
            throw new TransientApiError(
              `${safeUrl(http.url)}: unexpected answer envelope (${describeZodError(env.error)})`,
            );
          }
          return { items: env.data.data, total: env.data.total };
        };
        return opts.call(http, parse, signal, opts.budgets[endpoint.limit]).catch(recognise);
      });
    },
    /** One CSV download page: spooled to local disk while it downloads and checked whole, then read in batches. */
    async csvPage(
      endpoint: V2Endpoint,
      serverId: number,
      window: TimeWindow | null,
      req: PageRequest,
      signal: AbortSignal,
    ) {
      const path = join(opts.spoolDir, `page-${randomUUID()}.csv`);
      const spooled = await withinHistory(serverId, window, () => {
        const http = request(endpoint, serverId, params(endpoint, serverId, req, window));
        const where = safeUrl(http.url);
        const spool = async (res: StreamResponse) => {
          const range = parseRowsContentRange(res.headers.get('content-range'));
          if (!range) {
            await res.cancel();
            throw new TransientApiError(`${where} answered ${res.status} without a readable Content-Range`);
          }
          const rows = await spoolCsv(res.body, {
            expectedRows: range.count,
            where,
            path,
            maxBytes: csvPageByteLimit(range.count),
          });
          return { range, rows, where };
        };
        return opts.call.stream(http, spool, signal, opts.budgets[endpoint.limit]).catch(recognise);
      });
      const { range, rows, where } = spooled;
      const cancel = () => rm(path, { force: true });
      return {
        items: [],
        total: range.total,
        stream: { count: range.count, batches: readSpool(path, { batchSize: CSV_BATCH, rows, where }), cancel },
      } satisfies Page<unknown>;
    },
  };
}

export type V2Client = ReturnType<typeof createV2Client>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
