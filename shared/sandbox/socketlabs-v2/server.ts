/**
 * A loopback HTTP simulator of the SocketLabs API v2 reporting and suppression endpoints: offset pagination with
 * `{ data, total }` JSON answers, CSV downloads answered 206/200 with Content-Range, `filters=`, Bearer or Basic auth,
 * the documented per-key rate limits (100/60 s overall, 30/60 s for `*\/reports/message*`), the plan's reporting
 * history limit, and the faults of the v1 simulator plus CSV-specific ones. It serves the data of dataset.ts.
 * This module holds the options, routing and the request loop; access.ts, answers.ts, responses.ts, csv-download.ts
 * and faults.ts hold the rest.
 *
 * Behaviour the public documentation does not pin down, chosen here and NOT to be relied on by clients:
 * - startDate and endDate are both inclusive, to the second, on statusDate; a date-only bound means 00:00:00.
 * - A missing startDate means the first instant the plan allows; a missing endDate means no upper bound.
 * - Default order is statusDate ascending, ties in a fixed order; `dsc` is the exact reverse of that order.
 * - String filters compare case-insensitively; unknown query parameters are ignored (an unencoded `&` inside
 *   `filters` therefore silently drops the filters after it, as a real ASP.NET binder would).
 * - pageSize outside 1..100 (1..500000 for downloads) is a 400, not clamped.
 * - A download page past the end (or of an empty result) answers 200 with only the header row and `rows *\/N`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { truncateBody } from '../faults';
import { LoopbackServer } from '../loopback-server';
import { maintenancePageResponse } from '../socketlabs-v1/faults';
import { authenticate, createRateLimiter } from './access';
import { type Answer, createV2Answers } from './answers';
import { streamCsv } from './csv-download';
import { generateV2Data, type V2Store } from './dataset';
import {
  decideV2Fault,
  insertBetweenPages,
  type V2FaultKind,
  type V2FaultOptions,
  validateV2FaultOptions,
} from './faults';
import type { V2DataOptions, V2Item } from './model';
import { ApiError, queryParams } from './request';
import { JSON_TYPE, jsonBody, retryHeaders, send, sendError, sendServerError } from './responses';

export interface V2RateLimits {
  /** Requests per key per window, any endpoint. Default 100. */
  readonly overallPerMinute?: number;
  /** Requests per key per window to `*\/reports/message*`, which also count against the overall limit. Default 30. */
  readonly messageReportsPerMinute?: number;
  /** Divides the 60 s window: 100 makes it 0.6 s so benches run a hundred times faster. Default 1. */
  readonly timeScale?: number;
}

/** The data's options (tests that need extreme rates set `events`; no block is planted by default), and the API's. */
export interface V2SimulatorOptions extends Omit<V2DataOptions, 'seed'> {
  /** Data seed; also the fault seed unless `faults.seed` is set. Default 1. */
  readonly seed?: number;
  readonly apiKey: string;
  readonly limits?: V2RateLimits;
  readonly faults?: V2FaultOptions;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Clock of the plan history limit; the rate limiter always uses the real monotonic clock. */
  readonly now?: () => Date;
}

export interface V2SimulatorStats {
  requests: number;
  byRoute: Record<string, number>;
  rateLimited: number;
  faultsInjected: Record<string, number>;
  authFailures: number;
}

export interface V2Simulator {
  /** Base URL, e.g. `http://127.0.0.1:PORT/v2`. */
  readonly url: string;
  close(): Promise<void>;
  stats(): V2SimulatorStats;
  resetStats(): void;
  /** Canonical message-detail items of a server, late ones included, in default (statusDate asc) order. */
  truth(serverId: number): readonly V2Item[];
  /** The suppression list of a server, by suppressionLastUpdate ascending. */
  suppressions(serverId: number): readonly V2Item[];
  /** Adds a late item (statusDate required), visible to the next request and to truth; returns the stored copy. */
  insert(serverId: number, item: V2Item): V2Item;
}

type RouteName =
  | 'messages/detail'
  | 'messages/detail/download'
  | 'recipient-search'
  | 'suppressions/search'
  | 'suppressions/download';

const routes: readonly { re: RegExp; name: RouteName }[] = [
  { re: /^\/v2\/servers\/([^/]+)\/reports\/messages\/detail\/download\/?$/i, name: 'messages/detail/download' },
  { re: /^\/v2\/servers\/([^/]+)\/reports\/messages\/detail\/?$/i, name: 'messages/detail' },
  { re: /^\/v2\/servers\/([^/]+)\/reports\/recipient-search\/?$/i, name: 'recipient-search' },
  { re: /^\/v2\/servers\/([^/]+)\/suppressions\/search\/?$/i, name: 'suppressions/search' },
  { re: /^\/v2\/servers\/([^/]+)\/suppressions\/download\/?$/i, name: 'suppressions/download' },
];

const messageReportRe = /\/reports\/message/i;

/** Starts the simulator on 127.0.0.1 and resolves once it listens. */
export async function startV2Simulator(options: V2SimulatorOptions): Promise<V2Simulator> {
  const seed = options.seed ?? 1;
  if (!options.apiKey) throw new Error('apiKey is required');
  const overallLimit = options.limits?.overallPerMinute ?? 100;
  const messageLimit = options.limits?.messageReportsPerMinute ?? 30;
  const timeScale = options.limits?.timeScale ?? 1;
  if (!(overallLimit >= 1 && messageLimit >= 1)) throw new Error('rate limits must be at least 1');
  if (!(timeScale > 0)) throw new Error('timeScale must be positive');
  const windowMs = 60_000 / timeScale;
  if (options.faults) validateV2FaultOptions(options.faults);
  const faults = options.faults;
  const faultSeed = faults?.seed ?? seed;
  const now = options.now ?? (() => new Date());
  const store: V2Store = generateV2Data({ ...options, seed });

  const freshStats = (): V2SimulatorStats => ({
    requests: 0,
    byRoute: {},
    rateLimited: 0,
    faultsInjected: {},
    authFailures: 0,
  });
  let stats = freshStats();
  let sequence = 0;
  const loopback = new LoopbackServer();
  const countFault = (kind: V2FaultKind) => {
    stats.faultsInjected[kind] = (stats.faultsInjected[kind] ?? 0) + 1;
  };

  const admit = createRateLimiter(overallLimit, messageLimit, windowMs);
  const { resolveServer, answerMessages, answerRecipientSearch, answerSuppressions } = createV2Answers(store, now);

  // ---- request handling

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let route: RouteName | null = null;
    let serverText = '';
    for (const r of routes) {
      const m = r.re.exec(url.pathname);
      if (m) {
        route = r.name;
        serverText = m[1]!;
        break;
      }
    }
    const statKey = route ?? 'unknown';
    stats.byRoute[statKey] = (stats.byRoute[statKey] ?? 0) + 1;

    const key = authenticate(req, options.apiKey);
    if (key === null) {
      stats.authFailures++;
      // Never echo the credentials back.
      return sendError(res, 401, 'Unauthorized', 'Authorization has been denied for this request.', {
        'www-authenticate': 'Bearer realm="SocketLabs API"',
      });
    }
    const wait = admit(key, messageReportRe.test(url.pathname));
    if (wait > 0) {
      stats.rateLimited++;
      return sendError(
        res,
        429,
        'TooManyRequests',
        'Rate limit exceeded. Please retry later.',
        retryHeaders(wait, timeScale),
      );
    }
    if (!route) return sendError(res, 404, 'NotFound', `No endpoint matches ${url.pathname.slice(0, 80)}`);
    if (req.method !== 'GET') return sendError(res, 405, 'MethodNotAllowed', 'Only GET is supported', { allow: 'GET' });

    const seq = sequence++;
    const fault = faults ? decideV2Fault(faults, faultSeed, seq) : null;
    if (fault?.kind === 'hang') {
      countFault('hang');
      return loopback.hang(res);
    }
    if (fault?.kind === '5xx') {
      countFault('5xx');
      return sendServerError(res, fault.variant);
    }
    if (fault?.kind === '429') {
      countFault('429');
      return sendError(res, 429, 'TooManyRequests', 'Rate limit exceeded. Please retry later.', {
        'retry-after': String(fault.variant & 1),
      });
    }
    if (fault?.kind === 'non-json') {
      countFault('non-json');
      const page = maintenancePageResponse();
      return send(res, page.status, { ...page.headers }, page.body);
    }

    const { params, filters } = queryParams(url);
    let answer: Answer;
    try {
      const serverId = resolveServer(serverText);
      switch (route) {
        case 'messages/detail':
          answer = answerMessages(serverId, params, filters, false);
          break;
        case 'messages/detail/download':
          answer = answerMessages(serverId, params, filters, true);
          break;
        case 'recipient-search':
          answer = answerRecipientSearch(serverId, params);
          break;
        case 'suppressions/search':
          answer = answerSuppressions(serverId, params, filters, false);
          break;
        case 'suppressions/download':
          answer = answerSuppressions(serverId, params, filters, true);
          break;
      }
    } catch (err) {
      if (err instanceof ApiError) return sendError(res, err.status, err.errorType, err.message);
      throw err;
    }

    // Faults that only make sense for the other format are dropped, uncounted, like v1's on a failed answer.
    const applies =
      fault !== null &&
      (fault.kind === 'csv-cut-mid-row'
        ? answer.kind === 'csv'
        : fault.kind === 'insert-between-pages'
          ? answer.page !== null
          : fault.kind === 'suppressions-change-between-pages'
            ? answer.suppressionPage?.isLastPage === false
            : true);
    const active = applies ? fault : null;
    if (active && active.kind !== 'insert-between-pages') countFault(active.kind);

    if (answer.kind === 'json') {
      const bytes = Buffer.from(JSON.stringify(jsonBody(answer, active)), 'utf8');
      if (active?.kind === 'truncated') {
        // Half the variants announce the full length, half stream chunked: both must end in a client-side error.
        res.writeHead(200, {
          'content-type': JSON_TYPE,
          ...(active.variant & 1 ? { 'content-length': String(bytes.length) } : {}),
        });
        res.write(truncateBody(bytes), () => res.destroy());
        return;
      }
      send(res, 200, { 'content-type': JSON_TYPE }, bytes);
    } else {
      await streamCsv(res, answer, active);
    }
    if (
      active?.kind === 'insert-between-pages' &&
      answer.page &&
      insertBetweenPages(store, faultSeed, answer.page, seq, active.variant)
    ) {
      countFault('insert-between-pages');
    }
    // After the page went out: the next page of the same list is read from the changed list.
    if (active?.kind === 'suppressions-change-between-pages' && answer.suppressionPage) {
      store.changeSuppressions(answer.suppressionPage.serverId, active.variant);
    }
  };

  const origin = await loopback.listen((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'InternalServerError', `simulator error: ${(err as Error).message}`);
      else res.destroy();
    });
  }, options.port);

  return {
    url: `${origin}/v2`,
    close: () => loopback.close(),
    stats: () => ({
      ...stats,
      byRoute: { ...stats.byRoute },
      faultsInjected: { ...stats.faultsInjected },
    }),
    resetStats() {
      stats = freshStats();
    },
    truth: (serverId) => store.items(serverId),
    suppressions: (serverId) => store.suppressions(serverId),
    insert: (serverId, item) => store.insert(serverId, item),
  };
}
