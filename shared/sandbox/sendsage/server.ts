/**
 * A loopback HTTP simulator of the SendSage Monitor API: one `/api.php` endpoint taking `method`, `output`,
 * `username` and `password` (and the method's own parameters) from the query string or a form-encoded POST body,
 * answering HTTP 200 for everything the API itself decides, errors included. It serves the data of dataset.ts as
 * the API shows it at the simulator's clock, so tests still running finish when the clock moves on.
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
import {
  decideFault,
  type FaultDecision,
  type FaultOptions,
  renameKeysDeep,
  truncateBody,
  validateFaultOptions,
} from '../faults';
import { LoopbackServer } from '../loopback-server';
import { Rng } from '../random';
import { sendSageCampaignView } from './campaign-view';
import { generateSendSageData } from './dataset';
import { formatSendSageDate, parseSendSageDate } from './dates';
import { sendSageMessageContent } from './message-content';
import {
  type SendSageCampaign,
  type SendSageData,
  type SendSageIsp,
  type SendSagePreview,
  sendSagePreviewViews,
} from './model';
import { type SendSageTruth, sendSageTruth } from './truth';

export type SendSageFaultKind = '5xx' | 'truncated' | 'hang' | 'recase' | 'extra-fields' | 'success0' | 'non-json';

/** Every fault kind, e.g. for "inject anything" runs. */
export const sendSageFaultKinds: readonly SendSageFaultKind[] = [
  '5xx',
  'truncated',
  'hang',
  'recase',
  'extra-fields',
  'success0',
  'non-json',
];

export type SendSageFaultOptions = FaultOptions<SendSageFaultKind>;
export type SendSageFaultDecision = FaultDecision<SendSageFaultKind>;

/** The fault (or none) for the n-th request that passed the login; pure in (options, seed, sequence). */
export function decideSendSageFault(
  options: SendSageFaultOptions,
  seed: number,
  sequence: number,
): SendSageFaultDecision | null {
  return decideFault(options, seed, sequence, 'sendsage-faults');
}

export interface SendSageSimulatorOptions {
  /** Data seed; also the fault seed unless `faults.seed` is set. Default 1. */
  readonly seed?: number;
  /** First UTC date with tests, inclusive (`YYYY-MM-DD`). */
  readonly from: string;
  /** Last UTC date with tests, inclusive (`YYYY-MM-DD`). */
  readonly to: string;
  readonly username: string;
  readonly password: string;
  /** Default 3. */
  readonly campaignsPerDay?: number;
  readonly isps?: readonly SendSageIsp[];
  /** Shifts tests' inbox placement by send time (see SendSageDataOptions.inboxShift). Default: none. */
  readonly inboxShift?: (sentSec: number) => number;
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

// ---------------------------------------------------------------------------------------------------------------------
// Encoding

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=UTF-8';
const MAX_BODY = 1 << 20;

/** JSON as PHP's json_encode writes it by default: slashes escaped, every non-ASCII code unit as `\uXXXX`. */
export function phpJson(value: unknown): string {
  // Outside strings JSON has neither `/` nor non-ASCII, so rewriting the whole text only touches string contents.
  return JSON.stringify(value).replace(/[/\u0080-\uffff]/g, (ch) =>
    ch === '/' ? '\\/' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A flat PHP `serialize()` of a string/int map, for answering `output=php`. */
function phpSerialize(value: Record<string, string | number>): string {
  const str = (s: string) => `s:${Buffer.byteLength(s, 'utf8')}:"${s}";`;
  const entries = Object.entries(value).map(([k, v]) => str(k) + (typeof v === 'number' ? `i:${v};` : str(v)));
  return `a:${entries.length}:{${entries.join('')}}`;
}

const apiError = (error: string) => ({ success: 0, error });

/** PHP's intval of a parameter: leading integer, 0 when there is none. */
function intval(text: string | undefined): number {
  const m = /^\s*[+-]?\d+/.exec(text ?? '');
  return m ? Number(m[0]) : 0;
}

const unix = (sec: number, asString: boolean): number | string => (asString ? String(sec) : sec);

type RecaseMode = 'upper' | 'title' | 'camel';

function recaseKey(key: string, mode: RecaseMode): string {
  if (mode === 'upper') return key.toUpperCase();
  if (mode === 'title') return key.replace(/(^|_)([a-z])/g, (_, sep: string, ch: string) => sep + ch.toUpperCase());
  return key.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

/** Re-cases every key except preview application ids, which are data that only look like keys. */
function recase(body: unknown, mode: RecaseMode): unknown {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'applications' in body) {
    const apps = (body as { applications: Record<string, unknown> }).applications;
    return {
      [recaseKey('applications', mode)]: Object.fromEntries(
        Object.entries(apps).map(([id, app]) => [id, renameKeysDeep(app, (k) => recaseKey(k, mode))]),
      ),
    };
  }
  return renameKeysDeep(body, (k) => recaseKey(k, mode));
}

/** Adds fields the client does not know to the answer object (or to each item of a bare array). */
function addExtraFields(body: unknown, variant: number): unknown {
  const rng = new Rng(variant);
  const extra = (i: number) => ({
    api_version: '2.4.1',
    ...(i % 2 === 0 ? { tags: ['beta', 'Ünïcödé'], _debug_ms: rng.int(1, 900) / 10 } : {}),
    region: rng.pick(['us-east', 'eu-west']),
  });
  if (Array.isArray(body)) {
    return body.map((item: unknown, i) =>
      item !== null && typeof item === 'object' ? { ...item, ...extra(i) } : item,
    );
  }
  if (body !== null && typeof body === 'object') {
    const out: Record<string, unknown> = { ...body, ...extra(0) };
    if (out.spamassassin !== null && typeof out.spamassassin === 'object') {
      out.spamassassin = { ...out.spamassassin, engine_host: 'hobbes.drh.net', bayes: rng.int(0, 99) / 100 };
    }
    return out;
  }
  return body;
}

function serverErrorPage(variant: number): { status: number; body: string } {
  const rng = new Rng(variant);
  const status = rng.pick([500, 502, 503, 504]);
  const titles: Record<number, string> = {
    500: '500 Internal Server Error',
    502: '502 Proxy Error',
    503: '503 Service Unavailable',
    504: '504 Gateway Timeout',
  };
  const title = titles[status]!;
  return {
    status,
    body: `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${title}</title>\n</head><body>\n<h1>${title.slice(4)}</h1>\n<p>The server encountered an internal error or misconfiguration and was unable to complete your request.</p>\n<hr>\n<address>Apache/2.2.15 (CentOS) Server at monitor.drh.net Port 443</address>\n</body></html>\n`,
  };
}

// A PHP notice printed before the JSON is the classic way such an API stops answering JSON.
const phpWarning =
  '<br />\n<b>Warning</b>:  mysql_connect(): Too many connections in <b>/var/www/monitor/api.php</b> on line <b>42</b><br />\n';

const maintenancePage =
  '<!DOCTYPE html>\n<html><head><title>SendSage Monitor - Maintenance</title></head><body><h1>Down for maintenance</h1><p>SendSage Monitor is being upgraded and will be back shortly.</p></body></html>\n';

// ---------------------------------------------------------------------------------------------------------------------
// Simulator

interface Answer {
  readonly ok: boolean;
  readonly body: unknown;
}

const success = (body: unknown): Answer => ({ ok: true, body });
const failure = (error: string): Answer => ({ ok: false, body: apiError(error) });

/** Starts the simulator on 127.0.0.1 and resolves once it listens. */
export async function startSendSageSimulator(options: SendSageSimulatorOptions): Promise<SendSageSimulator> {
  const seed = options.seed ?? 1;
  if (!options.username || !options.password) throw new Error('username and password are required');
  if (options.faults) validateFaultOptions(options.faults, sendSageFaultKinds);
  const faults = options.faults;
  const faultSeed = faults?.seed ?? seed;
  const now = options.now ?? (() => new Date());
  const data = generateSendSageData({
    seed,
    from: options.from,
    to: options.to,
    ...(options.campaignsPerDay !== undefined ? { campaignsPerDay: options.campaignsPerDay } : {}),
    ...(options.isps ? { isps: options.isps } : {}),
    ...(options.inboxShift ? { inboxShift: options.inboxShift } : {}),
  });
  const byId = new Map(data.campaigns.map((c) => [c.campaignId, c]));
  const byMessage = new Map<number, SendSageCampaign>();
  for (const c of data.campaigns) for (const row of c.seeds) byMessage.set(row.messageId, c);
  const previewsById = new Map(data.previews.map((p) => [p.previewId, p]));

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
  const nowSec = () => Math.floor(now().getTime() / 1000);

  // ---- lookups

  const visibleCampaigns = (t: number) => data.campaigns.filter((c) => c.sentSec <= t);

  /** campaign_id wins; otherwise the test with that X-CampaignID nearest `date`, or the latest without one. */
  const findCampaign = (params: Map<string, string>, t: number, customerKey: string): SendSageCampaign | Answer => {
    const idText = customerKey === 'customer_defined_campaign_id' ? params.get('campaign_id') : undefined;
    if (idText !== undefined && idText !== '') {
      const c = byId.get(intval(idText));
      return c && c.sentSec <= t ? c : failure('Campaign not found');
    }
    const customerId = params.get(customerKey);
    if (customerId === undefined || customerId === '') {
      return failure(
        customerKey === 'customerid'
          ? 'Missing parameter: customerid'
          : 'Missing parameter: campaign_id or customer_defined_campaign_id',
      );
    }
    const matches = visibleCampaigns(t).filter((c) => c.customerDefinedCampaignId === customerId);
    if (matches.length === 0) return failure('Campaign not found');
    const dateText = params.get('date');
    if (dateText === undefined || dateText === '') return matches[matches.length - 1]!;
    const target = parseSendSageDate(dateText);
    if (target === null) return failure('Invalid date');
    let best = matches[0]!;
    for (const c of matches) {
      if (Math.abs(c.sentSec - target) <= Math.abs(best.sentSec - target)) best = c;
    }
    return best;
  };

  const isAnswer = (v: SendSageCampaign | Answer): v is Answer => 'ok' in v;

  const daysWindow = (params: Map<string, string>) => {
    const text = params.get('days');
    return text === undefined || text === '' ? 14 : intval(text);
  };

  // ---- answers

  const listItem = (c: SendSageCampaign | SendSagePreview, idKey: 'campaign_id' | 'preview_id') => ({
    [idKey]: 'campaignId' in c ? c.campaignId : c.previewId,
    date: formatSendSageDate(c.sentSec, c.colonOffset),
    date_unix: unix(c.sentSec, c.dateUnixAsString),
    from_address: c.fromAddress,
    from_name: c.fromName,
    from_domain: c.fromDomain,
    subject: c.subject,
    ...('campaignId' in c ? { customer_defined_campaign_id: c.customerDefinedCampaignId } : {}),
  });

  const testList = (params: Map<string, string>, t: number): Answer => {
    const since = t - daysWindow(params) * 86_400;
    const items = visibleCampaigns(t)
      .filter((c) => c.sentSec >= since)
      .reverse()
      .map((c) => listItem(c, 'campaign_id'));
    return success(items);
  };

  const testInfo = (c: SendSageCampaign, t: number, customerKey: string): Answer => {
    const view = sendSageCampaignView(c, data.isps, t);
    const spam = c.spam;
    const scored = view.spamProcessed;
    return success({
      success: 1,
      from_address: c.fromAddress,
      from_domain: c.fromDomain,
      from_name: c.fromName,
      subject: c.subject,
      [customerKey]: c.customerDefinedCampaignId,
      pct_inbox: view.pctInbox,
      pct_bulk: view.pctBulk,
      pct_missing: view.pctMissing,
      isp_stats: view.isps.map((i) => ({
        domain: i.domain,
        name: i.name,
        category: i.category,
        count_inbox: String(i.countInbox),
        count_bulk: String(i.countBulk),
        count_missing: String(i.countMissing),
        count_duplicate: String(i.countDuplicate),
        count_total: String(i.countTotal),
        pct_inbox: i.pctInbox,
        pct_bulk: i.pctBulk,
        pct_missing: i.pctMissing,
      })),
      spamassassin: {
        message_id: spam.messageId,
        time_processed: scored ? spam.processedSec : null,
        result: scored ? (Number(spam.score) >= Number(spam.required) ? 'Yes' : 'No') : '',
        score: scored ? spam.score : '',
        required: spam.required,
        version: scored ? spam.version : '',
        rules_matched: scored ? spam.rules.map((r) => ({ ...r })) : [],
        _status: view.status,
      },
    });
  };

  const emailList = (c: SendSageCampaign, t: number): Answer => {
    const view = sendSageCampaignView(c, data.isps, t);
    return success(
      view.rows.map((v) => ({
        message_id: v.row.messageId,
        isp: v.row.isp,
        address: v.row.address,
        username: v.row.username,
        domain: v.row.domain,
        from_address: c.fromAddress,
        time_collected: v.collectedSec === null ? '' : formatSendSageDate(v.collectedSec, v.row.colonOffset),
        time_collected_unix: v.collectedSec === null ? '' : unix(v.collectedSec, v.row.unixAsString),
        subject: c.subject,
        location: v.location,
        duplicate: v.row.duplicate,
      })),
    );
  };

  const messageGet = (params: Map<string, string>, t: number): Answer => {
    const text = params.get('message_id');
    if (text === undefined || text === '') return failure('Missing parameter: message_id');
    const messageId = intval(text);
    const c = byMessage.get(messageId);
    if (!c || c.sentSec > t) return failure('Message not found');
    const v = sendSageCampaignView(c, data.isps, t).rows.find((r) => r.row.messageId === messageId);
    // A duplicate copy does not exist before it is collected.
    if (!v) return failure('Message not found');
    const collected = v.collectedSec;
    return success({
      campaign_id: c.campaignId,
      message_id: v.row.messageId,
      seed_id: v.row.seedId,
      location: v.location,
      duplicate: v.row.duplicate,
      time_collected: collected === null ? '' : formatSendSageDate(collected, v.row.colonOffset),
      time_collected_unix: collected === null ? '' : unix(collected, v.row.unixAsString),
      from_address: c.fromAddress,
      from_name: c.fromName,
      subject: c.subject,
      content: collected === null ? null : sendSageMessageContent(data, c, v.row),
    });
  };

  const previewList = (params: Map<string, string>, t: number): Answer => {
    const since = t - daysWindow(params) * 86_400;
    const items = data.previews
      .filter((p) => p.sentSec <= t && p.sentSec >= since)
      .reverse()
      .map((p) => listItem(p, 'preview_id'));
    return success(items);
  };

  const previewInfo = (params: Map<string, string>, t: number): Answer => {
    const text = params.get('preview_id');
    if (text === undefined || text === '') return failure('Missing parameter: preview_id');
    const p = previewsById.get(intval(text));
    if (!p || p.sentSec > t) return failure('Preview not found');
    const applications: Record<string, unknown> = {};
    for (const app of p.applications) {
      const entry: Record<string, unknown> = { platform: app.platform, name: app.name };
      for (const view of sendSagePreviewViews) entry[view] = { ...app.views[view] };
      applications[app.appId] = entry;
    }
    return success({ applications });
  };

  const answer = (method: string | undefined, params: Map<string, string>): Answer => {
    const t = nowSec();
    switch (method) {
      case undefined:
      case '':
        return failure('No method specified');
      case 'delivery_test_list':
        return testList(params, t);
      case 'delivery_test_get_info': {
        const c = findCampaign(params, t, 'customer_defined_campaign_id');
        return isAnswer(c) ? c : testInfo(c, t, 'customer_defined_campaign_id');
      }
      case 'campaignGetStats': {
        const c = findCampaign(params, t, 'customerid');
        return isAnswer(c) ? c : testInfo(c, t, 'customerid');
      }
      case 'delivery_test_get_email_list': {
        const c = findCampaign(params, t, 'customer_defined_campaign_id');
        return isAnswer(c) ? c : emailList(c, t);
      }
      case 'delivery_message_get':
        return messageGet(params, t);
      case 'delivery_seedlist_get':
        return success({ seeds: [...data.seedlist] });
      case 'preview_list':
        return previewList(params, t);
      case 'preview_get_info':
        return previewInfo(params, t);
      default:
        return failure('Unknown method');
    }
  };

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
