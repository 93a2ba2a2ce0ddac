/**
 * A loopback HTTP simulator of the SocketLabs Reporting API v1 (JSON only): the default target of `npm start` and the
 * fixture of the integration tests. It serves the deterministic data of dataset.ts, enforces Basic auth and the
 * one-call-per-second limit, and injects the faults of faults.ts. This module holds the options, routing, auth, the
 * rate limit and the request loop; answers.ts and request.ts hold what each method answers and how it reads.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { truncateBody } from '../faults';
import { LoopbackServer } from '../loopback-server';
import { hashSeed, mixSeed, Rng } from '../random';
import { type Answer, createV1Answers, type PageContext } from './answers';
import { generateV1Data } from './dataset';
import {
  addExtraFields,
  type CannedResponse,
  decideFault,
  type FaultDecision,
  type FaultKind,
  type FaultOptions,
  faultOffsetMinutes,
  faultStage,
  maintenancePageResponse,
  recaseKeys,
  recaseMode,
  serverErrorResponse,
  tooManyRequestsResponse,
  validateFaultOptions,
} from './faults';
import {
  type V1DataOptions,
  type V1Dataset,
  type V1Method,
  v1DatasetMethods,
  v1Datasets,
  v1MethodDatasets,
} from './model';
import { HttpError, queryParams } from './request';

/** The data's options (tests that need extreme rates set `ratios`; no block is planted by default), and the API's. */
export interface V1SimulatorOptions extends Omit<V1DataOptions, 'seed'> {
  /** Data seed; also the fault seed unless `faults.seed` is set. Default 1. */
  readonly seed?: number;
  readonly username: string;
  readonly apiKey: string;
  /** Token refill rate per API key. Default 1, as the guide states. */
  readonly requestsPerSecond?: number;
  /** Token bucket capacity. Default 2. */
  readonly burst?: number;
  readonly faults?: FaultOptions;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Clock of the answers' timestamps and of accountData; the rate limiter always uses the real monotonic clock. */
  readonly now?: () => Date;
}

export interface V1SimulatorStats {
  requests: number;
  byMethod: Record<string, number>;
  rateLimited: number;
  faultsInjected: Record<string, number>;
  authFailures: number;
}

export interface V1Simulator {
  /** Base URL, e.g. `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  close(): Promise<void>;
  stats(): V1SimulatorStats;
  resetStats(): void;
  /** Canonical records of a (dataset, server), late ones included, in API order. */
  truth(dataset: V1Dataset, serverId: number): readonly Record<string, unknown>[];
  /** Adds a late record (DateTime required; stored as canonical UTC), visible to the next request and to truth. */
  insert(dataset: V1Dataset, serverId: number, record: Record<string, unknown>): void;
}

type Method = 'accountData' | V1Method;

const methodsByLowerName = new Map<string, Method>(
  (['accountData', ...v1Datasets.map((d) => v1DatasetMethods[d])] as Method[]).map((m) => [m.toLowerCase(), m]),
);

const JSON_TYPE = 'application/json; charset=utf-8';

/** Starts the simulator on 127.0.0.1 and resolves once it listens. */
export async function startV1Simulator(options: V1SimulatorOptions): Promise<V1Simulator> {
  const seed = options.seed ?? 1;
  const rps = options.requestsPerSecond ?? 1;
  const burst = options.burst ?? 2;
  if (!options.username || !options.apiKey) throw new Error('username and apiKey are required');
  if (!(rps > 0)) throw new Error('requestsPerSecond must be positive');
  if (!(burst >= 1)) throw new Error('burst must be at least 1');
  if (options.faults) validateFaultOptions(options.faults);
  const faults = options.faults;
  const faultSeed = faults?.seed ?? seed;
  const now = options.now ?? (() => new Date());
  const store = generateV1Data({ ...options, seed });
  const expectedAuth = `${options.username}:${options.apiKey}`;

  const freshStats = (): V1SimulatorStats => ({
    requests: 0,
    byMethod: {},
    rateLimited: 0,
    faultsInjected: {},
    authFailures: 0,
  });
  let stats = freshStats();
  let sequence = 0;
  let apiCalls = 0;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const loopback = new LoopbackServer();

  const countFault = (kind: FaultKind) => {
    stats.faultsInjected[kind] = (stats.faultsInjected[kind] ?? 0) + 1;
  };

  /** Takes a token from the key's bucket; returns null when allowed, else the whole seconds to wait. */
  const takeToken = (key: string): number | null => {
    const t = performance.now() / 1000;
    const bucket = buckets.get(key) ?? { tokens: burst, at: t };
    bucket.tokens = Math.min(burst, bucket.tokens + (t - bucket.at) * rps);
    bucket.at = t;
    buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    // Rounded, not ceiled: under the default 1/s the answer is 0 or 1, and clients must cope with a 0.
    return Math.round((1 - bucket.tokens) / rps);
  };

  const authenticate = (req: IncomingMessage): string | null => {
    const header = req.headers.authorization ?? '';
    const m = /^basic\s+(\S+)\s*$/i.exec(header);
    if (!m) return null;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    return decoded === expectedAuth ? options.apiKey : null;
  };

  const { answerAccount, answerMessages } = createV1Answers(store, now, () => apiCalls);

  /** Adds a late record before the last one just served, so every later offset shifts by one; false if it cannot. */
  const insertBetweenPages = (page: PageContext, seq: number, variant: number): boolean => {
    if (page.totalPages <= 1 || page.isLastPage || page.lastServedSec === null || page.messageId !== null) return false;
    // Strictly inside the queried range: the first second may be a neighbouring window's edge, already read.
    const lower =
      page.fromSec !== null
        ? Math.ceil(page.fromSec) + 1
        : store.secondAt(page.dataset, page.serverId, page.rangeStart);
    const upper = page.lastServedSec - 1;
    if (upper < lower) return false;
    const rng = new Rng(mixSeed(hashSeed(faultSeed, 'late'), variant));
    const sec = rng.int(lower, upper);
    const record = store.makeRecord(page.dataset, page.serverId, sec, variant);
    record.MessageId = `LATE-${seq}-${rng.hex(6)}`;
    if (page.mailingId !== null) record.MailingId = page.mailingId;
    store.insert(page.dataset, page.serverId, record);
    return true;
  };

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer) => {
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };
  const sendCanned = (res: ServerResponse, canned: CannedResponse) =>
    send(res, canned.status, { ...canned.headers }, canned.body);
  const sendError = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) =>
    send(res, status, { 'content-type': JSON_TYPE, ...headers }, JSON.stringify({ message }));

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/v1\/([A-Za-z]+)\/?$/.exec(url.pathname);
    const method = match ? methodsByLowerName.get(match[1]!.toLowerCase()) : undefined;
    const statKey = method ?? 'unknown';
    stats.byMethod[statKey] = (stats.byMethod[statKey] ?? 0) + 1;

    const key = authenticate(req);
    if (key === null) {
      stats.authFailures++;
      // Never echo the credentials back, not even the user name.
      return sendError(res, 401, 'Authentication failed: invalid username or API key.', {
        'www-authenticate': 'Basic realm="SocketLabs Reporting API"',
      });
    }
    const wait = takeToken(key);
    if (wait !== null) {
      stats.rateLimited++;
      return send(
        res,
        429,
        { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(wait) },
        'Too many requests: the Reporting API allows about one call per second per API key.',
      );
    }
    apiCalls++;
    if (!method) return sendError(res, 404, `No API method matches ${url.pathname.slice(0, 80)}`);
    if (req.method !== 'GET') return sendError(res, 405, 'Only GET is supported', { allow: 'GET' });

    const seq = sequence++;
    const fault: FaultDecision | null = faults ? decideFault(faults, faultSeed, seq) : null;
    const stage = fault ? faultStage(fault.kind) : null;
    if (fault && stage === 'replace') {
      countFault(fault.kind);
      if (fault.kind === 'hang') return loopback.hang(res);
      if (fault.kind === '5xx') return sendCanned(res, serverErrorResponse(fault.variant));
      if (fault.kind === '429') return sendCanned(res, tooManyRequestsResponse(fault.variant));
      return sendCanned(res, maintenancePageResponse());
    }

    const params = queryParams(url);
    let answer: Answer;
    let offsetOverride: number | null = null;
    if (fault?.kind === 'offsets') {
      const tzText = params.get('timezone') ?? '0';
      offsetOverride = faultOffsetMinutes(fault.variant, /^[+-]?\d+$/.test(tzText.trim()) ? Number(tzText) : 0);
    }
    try {
      answer =
        method === 'accountData'
          ? answerAccount(params, seq, offsetOverride ?? 0)
          : answerMessages(v1MethodDatasets[method], params, seq, offsetOverride);
    } catch (err) {
      if (err instanceof HttpError) return sendError(res, err.status, err.message);
      throw err;
    }

    let body: unknown = answer.body;
    if (fault?.kind === 'offsets') countFault('offsets');
    if (fault?.kind === 'recase') {
      countFault('recase');
      body = recaseKeys(body, recaseMode(fault.variant));
    }
    if (fault?.kind === 'extra-fields') {
      countFault('extra-fields');
      body = addExtraFields(answer.body, fault.variant);
    }
    const bytes = Buffer.from(JSON.stringify(body), 'utf8');
    if (fault?.kind === 'truncated') {
      countFault('truncated');
      // Half the variants announce the full length, half stream chunked: both must end in a client-side error.
      res.writeHead(200, {
        'content-type': JSON_TYPE,
        ...(fault.variant & 1 ? { 'content-length': String(bytes.length) } : {}),
      });
      res.write(truncateBody(bytes), () => res.destroy());
      return;
    }
    send(res, 200, { 'content-type': JSON_TYPE }, bytes);
    if (fault?.kind === 'insert-between-pages' && answer.page && insertBetweenPages(answer.page, seq, fault.variant)) {
      countFault('insert-between-pages');
    }
  };

  const origin = await loopback.listen((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      if (!res.headersSent) sendError(res, 500, `simulator error: ${(err as Error).message}`);
      else res.destroy();
    }
  }, options.port);

  return {
    url: `${origin}/v1`,
    close: () => loopback.close(),
    stats: () => ({
      ...stats,
      byMethod: { ...stats.byMethod },
      faultsInjected: { ...stats.faultsInjected },
    }),
    resetStats() {
      stats = freshStats();
    },
    truth: (dataset, serverId) => store.records(dataset, serverId),
    insert(dataset, serverId, record) {
      store.insert(dataset, serverId, record);
    },
  };
}
