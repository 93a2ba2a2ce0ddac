/**
 * A loopback HTTP simulator of the SendSage Monitor API: one `/api.php` endpoint taking `method`, `output`,
 * `username` and `password` (and the method's own parameters) from the query string or a form-encoded POST body,
 * answering HTTP 200 for everything the API itself decides, errors included. It serves the data of dataset.ts as
 * the API shows it at the simulator's clock, so tests still running finish when the clock moves on. This module holds
 * the options, the HTTP loop and login; methods.ts answers, faults.ts and php-encoding.ts shape the answers.
 *
 * Quirks of the document reproduced on purpose:
 * - Dates as `2012-06-01 T 12:45:40-0600` (a few with `-06:00`) in US Central time, next to `*_unix` epoch seconds
 *   that are sometimes strings; counts in isp_stats as strings, percentages as numbers.
 * - delivery_test_list, delivery_test_get_email_list and preview_list answer bare arrays; delivery_test_get_info and
 *   campaignGetStats answer an object with `success: 1` (campaignGetStats names the X-CampaignID `customerid`) and
 *   neither carries the campaign_id or date; preview_get_info answers `{ applications }` without `success`.
 * - JSON is written the way PHP's json_encode writes it: `/` escaped as `\/`, non-ASCII as `\uXXXX`.
 * - Every error, login failures included, is HTTP 200 `{"success":0,"error":"..."}`.
 *
 * Behaviour the document does not pin down, chosen here and NOT to be relied on by clients:
 * - Parameters are read like PHP's $_REQUEST: names are case-sensitive, a repeated name keeps its last value, POST
 *   body values override query values, and a non-form POST body is ignored.
 * - Integers are read like PHP's intval: `12abc` is 12, `abc` is 0; `days` missing or empty means 14.
 * - `date` without a zone is read in US Central time; ties in the nearest-date lookup go to the later test.
 * - `output=php` answers the error as serialized PHP; any other output but `json` answers a JSON error.
 * - A message that never arrived (location missing) has `content: null` and empty time_collected fields.
 * - The email list has one row per seed plus one per duplicate copy (`duplicate: true`, its own message_id), in
 *   panel order; count_duplicate counts seeds with a duplicate copy, and count_total counts seeds, not copies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { truncateBody, validateFaultOptions } from '../faults';
import { LoopbackServer } from '../loopback-server';
import { generateSendSageData } from './dataset';
import {
  addExtraFields,
  decideSendSageFault,
  maintenancePage,
  phpWarning,
  recase,
  type SendSageFaultKind,
  type SendSageFaultOptions,
  sendSageFaultKinds,
  serverErrorPage,
} from './faults';
import { createSendSageMethods } from './methods';
import type { SendSageData, SendSageDataOptions } from './model';
import { apiError, phpJson, phpSerialize } from './php-encoding';
import { type SendSageTruth, sendSageTruth } from './truth';

/** The data's options (tests that plant a bad test set `inboxShift`), and the API's. */
export interface SendSageSimulatorOptions extends Omit<SendSageDataOptions, 'seed'> {
  /** Data seed; also the fault seed unless `faults.seed` is set. Default 1. */
  readonly seed?: number;
  readonly username: string;
  readonly password: string;
  /** The simulator's clock: what has been sent, what is still running, and what `days` counts back from. */
  readonly now?: () => Date;
  readonly faults?: SendSageFaultOptions;
  /** Default 0: any free port. */
  readonly port?: number;
}

export interface SendSageSimulatorStats {
  requests: number;
  /** By the `method` parameter; `(none)` without one, `(not found)` for other paths. */
  byMethod: Record<string, number>;
  faultsInjected: Record<string, number>;
  authFailures: number;
  /** Requests that carried `username` or `password` in the URL query, where proxies and access logs keep them. */
  credentialsInQuery: number;
}

export interface SendSageSimulator {
  /** The endpoint, e.g. `http://127.0.0.1:PORT/api.php`. */
  readonly url: string;
  close(): Promise<void>;
  stats(): SendSageSimulatorStats;
  resetStats(): void;
  /** Canonical records of everything visible at `at` (default: the simulator's clock). */
  truth(at?: Date): SendSageTruth;
  /** The generated data behind the answers, in its final state. */
  readonly data: SendSageData;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=UTF-8';
const MAX_BODY = 1 << 20;

/** Starts the simulator on 127.0.0.1 and resolves once it listens. */
export async function startSendSageSimulator(options: SendSageSimulatorOptions): Promise<SendSageSimulator> {
  const seed = options.seed ?? 1;
  if (!options.username || !options.password) throw new Error('username and password are required');
  if (options.faults) validateFaultOptions(options.faults, sendSageFaultKinds);
  const faults = options.faults;
  const faultSeed = faults?.seed ?? seed;
  const now = options.now ?? (() => new Date());
  const data = generateSendSageData({ ...options, seed });

  const freshStats = (): SendSageSimulatorStats => ({
    requests: 0,
    byMethod: {},
    faultsInjected: {},
    authFailures: 0,
    credentialsInQuery: 0,
  });
  let stats = freshStats();
  let sequence = 0;
  const loopback = new LoopbackServer();
  const countFault = (kind: SendSageFaultKind) => {
    stats.faultsInjected[kind] = (stats.faultsInjected[kind] ?? 0) + 1;
  };
  const answer = createSendSageMethods(data, now);

  // ---- HTTP

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<string | null>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY) chunks.push(chunk);
      });
      req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const countMethod = (name: string) => {
    stats.byMethod[name] = (stats.byMethod[name] ?? 0) + 1;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.searchParams.has('username') || url.searchParams.has('password')) stats.credentialsInQuery++;
    if (url.pathname !== '/api.php') {
      countMethod('(not found)');
      return send(res, 404, HTML_TYPE, '<html><body><h1>404 Not Found</h1></body></html>\n');
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      countMethod('(bad verb)');
      res.setHeader('allow', 'GET, POST');
      return send(res, 405, HTML_TYPE, '<html><body><h1>405 Method Not Allowed</h1></body></html>\n');
    }
    const params = new Map<string, string>();
    for (const [k, v] of url.searchParams) params.set(k, v);
    if (req.method === 'POST') {
      const body = await readBody(req);
      if (body === null)
        return send(res, 413, HTML_TYPE, '<html><body><h1>413 Request Entity Too Large</h1></body></html>\n');
      const type = String(req.headers['content-type'] ?? '').toLowerCase();
      if (type.startsWith('application/x-www-form-urlencoded')) {
        for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
      }
    }
    const method = params.get('method');
    countMethod(method === undefined || method === '' ? '(none)' : method);

    const output = params.get('output');
    if (output === 'php') {
      return send(res, 200, HTML_TYPE, phpSerialize({ success: 0, error: 'Output format php is not available' }));
    }
    if (output !== 'json') return send(res, 200, JSON_TYPE, phpJson(apiError('Invalid output format')));
    if (params.get('username') !== options.username || params.get('password') !== options.password) {
      stats.authFailures++;
      return send(res, 200, JSON_TYPE, phpJson(apiError('Login failed: invalid username or password')));
    }

    const seq = sequence++;
    const fault = faults ? decideSendSageFault(faults, faultSeed, seq) : null;
    if (fault?.kind === 'hang') {
      countFault('hang');
      return loopback.hang(res);
    }
    if (fault?.kind === '5xx') {
      countFault('5xx');
      const page = serverErrorPage(fault.variant);
      return send(res, page.status, HTML_TYPE, page.body);
    }
    if (fault?.kind === 'success0') {
      countFault('success0');
      return send(res, 200, JSON_TYPE, phpJson(apiError('Database temporarily unavailable')));
    }

    const result = answer(method, params);
    if (fault?.kind === 'non-json') {
      countFault('non-json');
      const body = fault.variant & 1 ? phpWarning + phpJson(result.body) : maintenancePage;
      return send(res, 200, HTML_TYPE, body);
    }
    // Faults that rewrite an answer have nothing to act on in an error; they are dropped uncounted.
    const active = fault && result.ok ? fault : null;
    let body = result.body;
    if (active?.kind === 'recase') body = recase(body, (['upper', 'title', 'camel'] as const)[active.variant % 3]!);
    if (active?.kind === 'extra-fields') body = addExtraFields(body, active.variant);
    if (active) countFault(active.kind);
    const bytes = Buffer.from(phpJson(body), 'utf8');
    if (active?.kind === 'truncated') {
      // Half the variants announce the full length, half stream chunked: both must end in a client-side error.
      res.writeHead(200, {
        'content-type': JSON_TYPE,
        ...(active.variant & 1 ? { 'content-length': String(bytes.length) } : {}),
      });
      res.write(truncateBody(bytes), () => res.destroy());
      return;
    }
    send(res, 200, JSON_TYPE, bytes);
  };

  const origin = await loopback.listen((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, HTML_TYPE, `simulator error: ${(err as Error).message}`);
      else res.destroy();
    });
  }, options.port);

  return {
    url: `${origin}/api.php`,
    close: () => loopback.close(),
    stats: () => ({ ...stats, byMethod: { ...stats.byMethod }, faultsInjected: { ...stats.faultsInjected } }),
    resetStats() {
      stats = freshStats();
    },
    truth: (at) => sendSageTruth(data, Math.floor((at ?? now()).getTime() / 1000)),
    data,
  };
}
