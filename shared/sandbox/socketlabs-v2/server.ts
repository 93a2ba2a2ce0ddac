/**
 * A loopback HTTP simulator of the SocketLabs API v2 reporting and suppression endpoints: offset pagination with
 * `{ data, total }` JSON answers, CSV downloads answered 206/200 with Content-Range, `filters=`, Bearer or Basic auth,
 * the documented per-key rate limits (100/60 s overall, 30/60 s for `*\/reports/message*`), the plan's reporting
 * history limit, and the faults of the v1 simulator plus CSV-specific ones. It serves the data of dataset.ts.
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
import type { BlockIncident } from '../block-incident';
import {
  decideFault,
  type FaultDecision,
  type FaultOptions,
  renameKeysDeep,
  truncateBody,
  validateFaultOptions,
} from '../faults';
import { LoopbackServer } from '../loopback-server';
import { hashSeed, mixSeed, Rng } from '../random';
import { maintenancePageResponse } from '../socketlabs-v1/faults';
import {
  formatV2DateTime,
  generateV2Data,
  parseV2DateTime,
  type V2EventMix,
  type V2FieldType,
  type V2Item,
  type V2Profile,
  type V2Store,
  v2MessageFields,
  v2MessageFieldTypes,
  v2SuppressionFields,
  v2SuppressionFieldTypes,
} from './dataset';

export type V2FaultKind =
  | '5xx'
  | 'truncated'
  | 'csv-cut-mid-row'
  | 'hang'
  | 'recase'
  | 'extra-fields'
  | '429'
  | 'insert-between-pages'
  | 'suppressions-change-between-pages'
  | 'non-json';

/** Every fault kind, e.g. for "inject anything" runs. */
export const v2FaultKinds: readonly V2FaultKind[] = [
  '5xx',
  'truncated',
  'csv-cut-mid-row',
  'hang',
  'recase',
  'extra-fields',
  '429',
  'insert-between-pages',
  'suppressions-change-between-pages',
  'non-json',
];

/** Same shape as the v1 simulator's FaultOptions, with the v2 kinds. */
export type V2FaultOptions = FaultOptions<V2FaultKind>;

export interface V2RateLimits {
  /** Requests per key per window, any endpoint. Default 100. */
  readonly overallPerMinute?: number;
  /** Requests per key per window to `*\/reports/message*`, which also count against the overall limit. Default 30. */
  readonly messageReportsPerMinute?: number;
  /** Divides the 60 s window: 100 makes it 0.6 s so benches run a hundred times faster. Default 1. */
  readonly timeScale?: number;
}

export interface V2SimulatorOptions {
  /** Data seed; also the fault seed unless `faults.seed` is set. Default 1. */
  readonly seed?: number;
  readonly serverIds: readonly number[];
  /** First UTC date with data, inclusive (`YYYY-MM-DD`). */
  readonly from: string;
  /** Last UTC date with data, inclusive (`YYYY-MM-DD`). */
  readonly to: string;
  readonly profile?: V2Profile;
  /** Weights of the kinds of status event (see `defaultV2EventMix`); tests that need extreme rates set them here. */
  readonly events?: Partial<V2EventMix>;
  /** A block planted in the data (see block-incident.ts); none by default. */
  readonly incident?: BlockIncident;
  readonly apiKey: string;
  readonly limits?: V2RateLimits;
  /** Plan reporting history in days, for every server or per server id. Default 90. */
  readonly historyDays?: number | Readonly<Record<number, number>>;
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

export type V2FaultDecision = FaultDecision<V2FaultKind>;

/** Checks fault options, throwing on an out-of-range probability or an unknown kind. */
export function validateV2FaultOptions(options: V2FaultOptions): void {
  validateFaultOptions(options, v2FaultKinds);
}

/** The fault (or none) for the n-th request that passed auth and the rate limits; pure in (options, seed, sequence). */
export function decideV2Fault(options: V2FaultOptions, seed: number, sequence: number): V2FaultDecision | null {
  // A salt of its own keeps v2's fault sequence independent of v1's for the same seed.
  return decideFault(options, seed, sequence, 'v2-faults');
}

// ---------------------------------------------------------------------------------------------------------------------
// Request parsing

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
const JSON_TYPE = 'application/json; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8';
const JSON_MAX_PAGE = 100;
const CSV_MAX_PAGE = 500_000;
const DAY = 86_400;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

const errorBody = (errorType: string, message: string) => JSON.stringify({ error: [{ errorType, message }] });

/** Query parameters by lower-cased name, first value wins; `filters` keeps every occurrence. */
function queryParams(url: URL): { params: Map<string, string>; filters: string[] } {
  const params = new Map<string, string>();
  const filters: string[] = [];
  for (const [name, value] of url.searchParams) {
    const key = name.toLowerCase();
    if (key === 'filters') filters.push(value);
    else if (!params.has(key)) params.set(key, value);
  }
  return { params, filters };
}

const dateRe = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch seconds of `yyyy-mm-dd[ HH:MM:SS][K]` (UTC unless an offset is given) and whether it had a time part. */
function parseDate(text: string): { sec: number; hasTime: boolean } | null {
  const m = dateRe.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7).map((v) => v ?? '0') as string[];
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== Number(y) ||
    back.getUTCMonth() !== Number(mo) - 1 ||
    back.getUTCDate() !== Number(d) ||
    back.getUTCHours() !== Number(h) ||
    back.getUTCMinutes() !== Number(mi) ||
    back.getUTCSeconds() !== Number(s)
  ) {
    return null;
  }
  let offsetSec = 0;
  const zone = m[7];
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offsetSec =
      (digits.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 3600 + Number(digits.slice(3, 5)) * 60);
  }
  return { sec: ms / 1000 - offsetSec, hasTime: m[4] !== undefined };
}

function parseDateParam(name: string, text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const parsed = parseDate(text);
  if (!parsed) throw new ApiError(400, 'InvalidDateFormat', `${name} must be formatted as yyyy-mm-dd HH:MM:SS`);
  return parsed.sec;
}

function parseIntParam(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined || text.trim() === '') return fallback;
  if (!/^[+-]?\d+$/.test(text.trim())) throw new ApiError(400, 'InvalidParameter', `${name} must be an integer`);
  const n = Number(text.trim());
  if (n < min || n > max) throw new ApiError(400, 'InvalidParameter', `${name} must be between ${min} and ${max}`);
  return n;
}

type Predicate = (item: V2Item) => boolean;

const allowedPredicates: Record<V2FieldType, readonly string[]> = {
  string: ['eq', 'neq', 'like', 'nlike', 'start', 'end'],
  number: ['eq', 'neq', 'gt', 'lt', 'gte', 'lte'],
  date: ['eq', 'gt', 'lt', 'gte', 'lte'],
  enum: ['eq', 'neq'],
};

const textOf = (v: unknown) => (v === null || v === undefined ? '' : String(v)).toLowerCase();

function compileClause(field: string, type: V2FieldType, predicate: string, raw: string): Predicate {
  if (type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) {
      throw new ApiError(400, 'InvalidFilter', `filter value for ${field} must be a number`);
    }
    const cmp: Record<string, (x: number) => boolean> = {
      eq: (x) => x === n,
      neq: (x) => x !== n,
      gt: (x) => x > n,
      lt: (x) => x < n,
      gte: (x) => x >= n,
      lte: (x) => x <= n,
    };
    const test = cmp[predicate]!;
    return (item) => {
      const v = item[field];
      if (typeof v !== 'number') return predicate === 'neq';
      return test(v);
    };
  }
  if (type === 'date') {
    const parsed = parseDate(raw);
    if (!parsed) throw new ApiError(400, 'InvalidFilter', `filter value for ${field} must be a date`);
    // A date-only value stands for its whole day: eq matches the day, gt starts after it, lte ends with it.
    const lo = parsed.sec;
    const hi = parsed.hasTime ? lo + 1 : lo + DAY;
    const cmp: Record<string, (t: number) => boolean> = {
      eq: (t) => t >= lo && t < hi,
      gt: (t) => t >= hi,
      lt: (t) => t < lo,
      gte: (t) => t >= lo,
      lte: (t) => t < hi,
    };
    const test = cmp[predicate]!;
    return (item) => {
      const t = parseV2DateTime(item[field]);
      return t !== null && test(t);
    };
  }
  const value = raw.toLowerCase();
  const cmp: Record<string, (s: string) => boolean> = {
    eq: (s) => s === value,
    neq: (s) => s !== value,
    like: (s) => s.includes(value),
    nlike: (s) => !s.includes(value),
    start: (s) => s.startsWith(value),
    end: (s) => s.endsWith(value),
  };
  const test = cmp[predicate]!;
  return (item) => test(textOf(item[field]));
}

/** Compiles `field=predicate:value` clauses (joined by `&`) against a field table; null when there are none. */
function compileFilters(texts: readonly string[], types: Readonly<Record<string, V2FieldType>>): Predicate | null {
  const byLower = new Map(Object.keys(types).map((f) => [f.toLowerCase(), f]));
  const clauses: Predicate[] = [];
  for (const text of texts) {
    for (const part of text.split('&')) {
      if (part.trim() === '') continue;
      const m = /^([^=]+)=([A-Za-z]+):(.*)$/s.exec(part);
      if (!m) throw new ApiError(400, 'InvalidFilter', `filter '${part.slice(0, 60)}' is not field=predicate:value`);
      const field = byLower.get(m[1]!.trim().toLowerCase());
      if (!field) throw new ApiError(400, 'InvalidFilter', `unknown filter field '${m[1]!.slice(0, 40)}'`);
      const type = types[field]!;
      const predicate = m[2]!.toLowerCase();
      if (!allowedPredicates[type].includes(predicate)) {
        throw new ApiError(400, 'InvalidFilter', `predicate '${predicate}' is not supported for ${field}`);
      }
      clauses.push(compileClause(field, type, predicate, m[3]!));
    }
  }
  if (clauses.length === 0) return null;
  return (item) => clauses.every((c) => c(item));
}

interface Sort {
  readonly field: string;
  readonly asc: boolean;
}

function parseSort(params: Map<string, string>, types: Readonly<Record<string, V2FieldType>>, fallback: Sort): Sort {
  const fieldText = params.get('sortfield')?.trim();
  const dirText = params.get('sortdirection')?.trim().toLowerCase();
  let field = fallback.field;
  if (fieldText) {
    const found = Object.keys(types).find((f) => f.toLowerCase() === fieldText.toLowerCase());
    if (!found) throw new ApiError(400, 'InvalidSortField', `cannot sort by '${fieldText.slice(0, 40)}'`);
    field = found;
  }
  let asc = fallback.asc;
  if (dirText) {
    if (dirText !== 'asc' && dirText !== 'dsc') {
      throw new ApiError(400, 'InvalidSortDirection', "sortDirection must be 'asc' or 'dsc'");
    }
    asc = dirText === 'asc';
  }
  return { field, asc };
}

/** Orders values the way the sorts do: nulls first, numbers numerically, text case-insensitively, then exactly. */
function compareValues(a: unknown, b: unknown): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an === bn ? 0 : an ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const as = String(a);
  const bs = String(b);
  const al = as.toLowerCase();
  const bl = bs.toLowerCase();
  if (al !== bl) return al < bl ? -1 : 1;
  return as < bs ? -1 : as > bs ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------------
// Answers

/** The rows of one answer: `total` matches, of which positions [start, start + count) are served. */
interface Rows {
  readonly total: number;
  readonly start: number;
  readonly count: number;
  row(i: number): V2Item;
}

/** What a served message page must remember for an `insert-between-pages` fault. */
interface PageContext {
  readonly serverId: number;
  readonly fromSec: number;
  readonly toSec: number | null;
  readonly asc: boolean;
  readonly isLastPage: boolean;
  /** statusDate (epoch seconds) of the first match in the requested order, i.e. the range's own edge. */
  readonly edgeSec: number;
  readonly template: V2Item;
  readonly lastServedSec: number;
  readonly filter: Predicate | null;
}

/** What a served suppression page must remember for a `suppressions-change-between-pages` fault. */
interface SuppressionPageContext {
  readonly serverId: number;
  readonly isLastPage: boolean;
}

interface JsonAnswer {
  readonly kind: 'json';
  readonly rows: Rows;
  readonly page: PageContext | null;
  readonly suppressionPage?: SuppressionPageContext;
}

interface CsvAnswer {
  readonly kind: 'csv';
  readonly columns: readonly string[];
  readonly rows: Rows;
  readonly filename: string;
  readonly page: PageContext | null;
  readonly suppressionPage?: SuppressionPageContext;
}

type Answer = JsonAnswer | CsvAnswer;

/** Positions in requested order: either a formula over a statusDate range or an explicit list. */
interface Selection {
  readonly total: number;
  at(i: number): number;
}

const csvNeedsQuotes = /[",\r\n]|^\s|\s$/;

/** One CSV field: RFC 4180 quoting, nulls as empty fields, objects as JSON. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return csvNeedsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

type RecaseMode = 'lower' | 'upper' | 'pascal';

function recaseKey(key: string, mode: RecaseMode): string {
  if (mode === 'lower') return key.toLowerCase();
  if (mode === 'upper') return key.toUpperCase();
  return key.charAt(0).toUpperCase() + key.slice(1);
}

function recaseKeys(value: unknown, mode: RecaseMode): unknown {
  return renameKeysDeep(value, (key) => recaseKey(key, mode));
}

/** Which key case a `recase` fault uses: never the documented camelCase. */
function recaseMode(variant: number): RecaseMode {
  return (['lower', 'upper', 'pascal'] as const)[variant % 3]!;
}

function extraItemFields(i: number, variant: number): Record<string, unknown> {
  const rng = new Rng(mixSeed(variant, i));
  return {
    newField: 'x',
    tracking: { opens: rng.int(0, 5), clicks: rng.int(0, 3), source: 'api-v2' },
    ...(i % 2 === 0 ? { tags: ['vip', 'Ünïcödé'], score: rng.int(0, 1000) / 1000 } : {}),
  };
}

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
  const store: V2Store = generateV2Data({
    seed,
    serverIds: options.serverIds,
    from: options.from,
    to: options.to,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.historyDays !== undefined ? { historyDays: options.historyDays } : {}),
    ...(options.events ? { events: options.events } : {}),
    ...(options.incident ? { incident: options.incident } : {}),
  });

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

  // ---- rate limits: a sliding log of accepted request times per key and window

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

  const authenticate = (req: IncomingMessage): string | null => {
    const header = req.headers.authorization ?? '';
    const bearer = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer) return bearer[1] === options.apiKey ? options.apiKey : null;
    const basic = /^basic\s+(\S+)\s*$/i.exec(header);
    if (!basic) return null;
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // Any user name, the key as the password.
    return colon >= 0 && decoded.slice(colon + 1) === options.apiKey ? options.apiKey : null;
  };

  const resolveServer = (text: string): number => {
    let decoded = '';
    try {
      decoded = decodeURIComponent(text);
    } catch {
      // A malformed escape is just another non-numeric id.
    }
    if (!/^\d+$/.test(decoded)) throw new ApiError(400, 'InvalidParameter', 'serverId must be an integer');
    const serverId = Number(decoded);
    if (!store.hasServer(serverId)) {
      throw new ApiError(403, 'ServerAccessDenied', `The API key has no access to server ${serverId}`);
    }
    return serverId;
  };

  /** The statusDate window of a report request, checked against the server's plan history. */
  const dateWindow = (serverId: number, params: Map<string, string>): { fromSec: number; toSec: number | null } => {
    const start = parseDateParam('startDate', params.get('startdate'));
    const end = parseDateParam('endDate', params.get('enddate'));
    const days = store.historyDays(serverId);
    const earliest = (Math.floor(now().getTime() / 86_400_000) - days) * DAY;
    const outside = () =>
      new ApiError(
        400,
        'DateRangeOutsidePlanLimit',
        `The requested date range is outside the ${days} days of reporting history allowed by your plan (earliest ${formatV2DateTime(earliest)}).`,
      );
    if (start !== null && start < earliest) throw outside();
    if (end !== null && end < earliest) throw outside();
    const fromSec = start ?? earliest;
    if (end !== null && end < fromSec) throw new ApiError(400, 'InvalidDateRange', 'endDate is before startDate');
    return { fromSec, toSec: end };
  };

  // ---- selections over the message timeline, cached so paging a filtered or re-sorted range scans it only once

  const selectionCache = new Map<string, { version: number; positions: Int32Array | number[] }>();
  const listSelection = (positions: ArrayLike<number>): Selection => ({
    total: positions.length,
    at: (i) => positions[i]!,
  });

  const selectMessages = (
    serverId: number,
    fromSec: number,
    toSec: number | null,
    filter: Predicate | null,
    sort: Sort,
    cacheKey: string,
  ): Selection => {
    const { start, end } = store.range(serverId, fromSec, toSec);
    if (filter === null && sort.field === 'statusDate') {
      return { total: end - start, at: sort.asc ? (i) => start + i : (i) => end - 1 - i };
    }
    const key = `${serverId}|${fromSec}|${toSec}|${sort.field}|${sort.asc}|${cacheKey}`;
    const cached = selectionCache.get(key);
    if (cached && cached.version === store.version) return listSelection(cached.positions);
    const positions: number[] = [];
    const keys: unknown[] = [];
    for (let p = start; p < end; p++) {
      const item = store.itemAt(serverId, p);
      if (filter && !filter(item)) continue;
      positions.push(p);
      if (sort.field !== 'statusDate') keys.push(item[sort.field]);
    }
    let ordered: number[];
    if (sort.field === 'statusDate') ordered = sort.asc ? positions : positions.reverse();
    else {
      const idx = positions.map((_, i) => i);
      // Ties keep timeline order in both directions, so a page boundary never depends on the sort algorithm.
      idx.sort((a, b) => (sort.asc ? 1 : -1) * compareValues(keys[a], keys[b]) || a - b);
      ordered = idx.map((i) => positions[i]!);
    }
    if (selectionCache.size >= 32) selectionCache.delete(selectionCache.keys().next().value!);
    selectionCache.set(key, { version: store.version, positions: Int32Array.from(ordered) });
    return listSelection(ordered);
  };

  const pageOf = (params: Map<string, string>, maxPage: number) => {
    const pageSize = parseIntParam('pageSize', params.get('pagesize'), maxPage, 1, maxPage);
    const pageNumber = parseIntParam('pageNumber', params.get('pagenumber'), 0, 0, 1_000_000_000);
    return { pageSize, pageNumber };
  };

  const rowsOf = (total: number, pageSize: number, pageNumber: number, row: (i: number) => V2Item): Rows => {
    const start = Math.min(total, pageNumber * pageSize);
    const count = Math.min(pageSize, total - start);
    return { total, start, count, row: (i) => row(start + i) };
  };

  const answerMessages = (serverId: number, params: Map<string, string>, filters: string[], csv: boolean): Answer => {
    const { fromSec, toSec } = dateWindow(serverId, params);
    const filter = compileFilters(filters, v2MessageFieldTypes);
    const sort = parseSort(params, v2MessageFieldTypes, { field: 'statusDate', asc: true });
    const { pageSize, pageNumber } = pageOf(params, csv ? CSV_MAX_PAGE : JSON_MAX_PAGE);
    const sel = selectMessages(serverId, fromSec, toSec, filter, sort, `filters:${filters.join('\u0000')}`);
    const rows = rowsOf(sel.total, pageSize, pageNumber, (i) => store.itemAt(serverId, sel.at(i)));
    let page: PageContext | null = null;
    if (sort.field === 'statusDate' && rows.count > 0) {
      page = {
        serverId,
        fromSec,
        toSec,
        asc: sort.asc,
        isLastPage: rows.start + rows.count >= rows.total,
        edgeSec: store.secondAt(serverId, sel.at(0)),
        template: rows.row(0),
        lastServedSec: store.secondAt(serverId, sel.at(rows.start + rows.count - 1)),
        filter,
      };
    }
    if (csv) {
      return { kind: 'csv', columns: v2MessageFields, rows, filename: `messages-detail-${serverId}.csv`, page };
    }
    return { kind: 'json', rows, page };
  };

  const recipientFieldTypes: Readonly<Record<string, V2FieldType>> = {
    from: 'string',
    to: 'string',
    subject: 'string',
    status: 'enum',
    statusDate: 'date',
    queuedTime: 'date',
  };
  const recipientStatuses = new Set(['Delivered', 'Failed', 'Deferred', 'Suppressed']);

  const answerRecipientSearch = (serverId: number, params: Map<string, string>): Answer => {
    const address = params.get('toemailaddress')?.trim();
    if (!address) throw new ApiError(400, 'InvalidParameter', 'toEmailAddress is required');
    const { fromSec, toSec } = dateWindow(serverId, params);
    const sort = parseSort(params, recipientFieldTypes, { field: 'queuedTime', asc: false });
    const { pageSize, pageNumber } = pageOf(params, JSON_MAX_PAGE);
    const wanted = address.toLowerCase();
    // One row per delivery outcome (not per queue or engagement event) of messages to that address.
    const filter: Predicate = (item) => recipientStatuses.has(String(item.status)) && textOf(item.to) === wanted;
    const sel = selectMessages(serverId, fromSec, toSec, filter, sort, `recipient:${wanted}`);
    const rows = rowsOf(sel.total, pageSize, pageNumber, (i) => {
      const item = store.itemAt(serverId, sel.at(i));
      return { from: item.from, to: item.to, subject: item.subject, status: item.status, statusDate: item.statusDate };
    });
    return { kind: 'json', rows, page: null };
  };

  const answerSuppressions = (serverId: number, params: Map<string, string>, filters: string[], csv: boolean) => {
    const filter = compileFilters(filters, v2SuppressionFieldTypes);
    const fallback: Sort = csv ? { field: 'suppressionLastUpdate', asc: false } : { field: 'emailAddress', asc: true };
    const sort = parseSort(params, v2SuppressionFieldTypes, fallback);
    const { pageSize, pageNumber } = pageOf(params, csv ? CSV_MAX_PAGE : JSON_MAX_PAGE);
    const list = store.suppressions(serverId).filter((s) => !filter || filter(s));
    const idx = list.map((_, i) => i);
    idx.sort((a, b) => (sort.asc ? 1 : -1) * compareValues(list[a]![sort.field], list[b]![sort.field]) || a - b);
    const rows = rowsOf(list.length, pageSize, pageNumber, (i) => list[idx[i]!]!);
    const suppressionPage = { serverId, isLastPage: rows.start + rows.count >= rows.total };
    const answer: Answer = csv
      ? {
          kind: 'csv',
          columns: v2SuppressionFields,
          rows,
          filename: `suppressions-${serverId}.csv`,
          page: null,
          suppressionPage,
        }
      : { kind: 'json', rows, page: null, suppressionPage };
    return answer;
  };

  /** Adds a late copy of a served item before the last one served, shifting every later page; false if it cannot. */
  const insertBetweenPages = (page: PageContext, seq: number, variant: number): boolean => {
    if (page.isLastPage) return false;
    // Strictly inside the queried range: its edge second may be a neighbouring window's edge, already read.
    let lower: number;
    let upper: number;
    if (page.asc) {
      lower = Math.max(page.fromSec + 1, page.edgeSec);
      upper = page.lastServedSec - 1;
    } else {
      lower = page.lastServedSec + 1;
      upper = Math.min(page.toSec === null ? page.edgeSec : page.toSec - 1, page.edgeSec);
    }
    if (upper < lower) return false;
    const rng = new Rng(mixSeed(hashSeed(faultSeed, 'v2-late'), variant));
    const sec = rng.int(lower, upper);
    const late: V2Item = {
      ...page.template,
      messageId: `LATE-${seq}-${rng.hex(6)}`,
      statusDate: formatV2DateTime(sec),
    };
    const shift = sec - (parseV2DateTime(page.template.statusDate) ?? sec);
    for (const key of ['queuedTime', 'deliveryTime']) {
      const t = parseV2DateTime(late[key]);
      if (t !== null) late[key] = formatV2DateTime(t + shift);
    }
    if (page.filter && !page.filter(late)) return false;
    store.insert(page.serverId, late);
    return true;
  };

  // ---- sending

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer) => {
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };
  const sendError = (
    res: ServerResponse,
    status: number,
    errorType: string,
    message: string,
    headers: Record<string, string> = {},
  ) => send(res, status, { 'content-type': JSON_TYPE, ...headers }, errorBody(errorType, message));

  const retryHeaders = (waitMs: number): Record<string, string> => ({
    'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))),
    // Whole seconds are far too coarse once the windows are scaled down; benches may read the precise wait.
    ...(timeScale !== 1 ? { 'retry-after-ms': String(Math.max(1, Math.ceil(waitMs))) } : {}),
  });

  const sendServerError = (res: ServerResponse, variant: number) => {
    const rng = new Rng(variant);
    const status = rng.pick([500, 502, 503, 504]);
    if (rng.chance(0.5)) {
      return sendError(res, status, 'InternalServerError', 'An unexpected error occurred. Please try again later.');
    }
    const title = `${status} ${status === 500 ? 'Internal Server Error' : status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Temporarily Unavailable' : 'Gateway Time-out'}`;
    send(
      res,
      status,
      { 'content-type': 'text/html; charset=utf-8' },
      `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
    );
  };

  const jsonBody = (answer: JsonAnswer, fault: V2FaultDecision | null): unknown => {
    const data: V2Item[] = [];
    for (let i = 0; i < answer.rows.count; i++) data.push(answer.rows.row(i));
    let body: Record<string, unknown> = { data, total: answer.rows.total };
    if (fault?.kind === 'extra-fields') {
      body = {
        ...body,
        data: data.map((item, i) => ({ ...item, ...extraItemFields(i, fault.variant) })),
        newField: 'x',
        apiVersion: '2.1-beta',
        links: { next: null, self: null },
      };
    }
    return fault?.kind === 'recase' ? recaseKeys(body, recaseMode(fault.variant)) : body;
  };

  const waitWritable = (res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });

  /** Streams a CSV page in chunks; a cutting fault ends the response early and destroys the socket. */
  const streamCsv = async (res: ServerResponse, answer: CsvAnswer, fault: V2FaultDecision | null) => {
    const { rows } = answer;
    let header = [...answer.columns];
    let values = (item: V2Item, _i: number): unknown[] => answer.columns.map((c) => item[c]);
    if (fault?.kind === 'extra-fields') {
      // One unknown column in the middle and two at the end: clients must map columns by header name.
      header = [...header.slice(0, 2), 'newField', ...header.slice(2), 'tags', 'score'];
      values = (item, i) => {
        const extra = extraItemFields(i, fault.variant);
        const base = answer.columns.map((c) => item[c]);
        return [
          ...base.slice(0, 2),
          extra.newField,
          ...base.slice(2),
          (extra.tags as string[] | undefined)?.join(';'),
          extra.score,
        ];
      };
    }
    if (fault?.kind === 'recase') header = header.map((h) => recaseKey(h, recaseMode(fault.variant)));

    const isLast = rows.start + rows.count >= rows.total;
    const range =
      rows.count > 0 ? `rows ${rows.start}-${rows.start + rows.count - 1}/${rows.total}` : `rows */${rows.total}`;
    res.writeHead(isLast ? 200 : 206, {
      'content-type': CSV_TYPE,
      'content-range': range,
      'content-disposition': `attachment; filename="${answer.filename}"`,
    });
    const headerLine = `${header.map(csvField).join(',')}\r\n`;
    let cutRow = -1;
    if (fault?.kind === 'csv-cut-mid-row') cutRow = rows.count > 0 ? fault.variant % rows.count : -1;
    if (fault?.kind === 'truncated') cutRow = Math.floor(rows.count / 2);
    const cutMidRow = fault?.kind === 'csv-cut-mid-row';

    const end = (chunk: string, destroy: boolean) =>
      new Promise<void>((resolve) => {
        if (!destroy) {
          res.end(chunk, () => resolve());
          return;
        }
        res.write(chunk, () => {
          res.destroy();
          resolve();
        });
      });

    if (cutMidRow && cutRow < 0) return end(headerLine.slice(0, Math.max(1, Math.floor(headerLine.length / 2))), true);
    let chunk = headerLine;
    for (let i = 0; i < rows.count; i++) {
      if (res.destroyed) return;
      const line = `${values(rows.row(i), i).map(csvField).join(',')}\r\n`;
      if (i === cutRow) {
        // truncated stops at a row boundary, csv-cut-mid-row inside the row (never at its end).
        return end(cutMidRow ? chunk + line.slice(0, Math.max(1, Math.floor((line.length - 2) / 2))) : chunk, true);
      }
      chunk += line;
      if (chunk.length >= 65_536) {
        const ok = res.write(chunk);
        chunk = '';
        if (!ok) await waitWritable(res);
      }
    }
    if (fault?.kind === 'truncated' && rows.count === 0) return end(chunk, true);
    return end(chunk, false);
  };

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

    const key = authenticate(req);
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
      return sendError(res, 429, 'TooManyRequests', 'Rate limit exceeded. Please retry later.', retryHeaders(wait));
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
      insertBetweenPages(answer.page, seq, active.variant)
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
