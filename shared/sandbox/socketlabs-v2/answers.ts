/**
 * What each v2 endpoint family answers, before rendering: the served rows of message detail (JSON or download),
 * recipient search and suppressions, the server and date-window checks against the plan history, and the cached
 * selections over the message timeline. Apart from the server so that routing, auth, rate limits and faults stay
 * around it and this reads as the endpoints' own logic.
 */
import type { V2Store } from './dataset';
import { formatV2DateTime } from './dates';
import { compileFilters, type Predicate, textOf } from './filters';
import {
  type V2FieldType,
  type V2Item,
  v2MessageFields,
  v2MessageFieldTypes,
  v2SuppressionFields,
  v2SuppressionFieldTypes,
} from './model';
import { ApiError, compareValues, parseDateParam, parseIntParam, parseSort, type Sort } from './request';

const JSON_MAX_PAGE = 100;
const CSV_MAX_PAGE = 500_000;
const DAY = 86_400;

/** The rows of one answer: `total` matches, of which positions [start, start + count) are served. */
export interface Rows {
  readonly total: number;
  readonly start: number;
  readonly count: number;
  row(i: number): V2Item;
}

/** What a served message page must remember for an `insert-between-pages` fault. */
export interface PageContext {
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
export interface SuppressionPageContext {
  readonly serverId: number;
  readonly isLastPage: boolean;
}

export interface JsonAnswer {
  readonly kind: 'json';
  readonly rows: Rows;
  readonly page: PageContext | null;
  readonly suppressionPage?: SuppressionPageContext;
}

export interface CsvAnswer {
  readonly kind: 'csv';
  readonly columns: readonly string[];
  readonly rows: Rows;
  readonly filename: string;
  readonly page: PageContext | null;
  readonly suppressionPage?: SuppressionPageContext;
}

export type Answer = JsonAnswer | CsvAnswer;

/** Positions in requested order: either a formula over a statusDate range or an explicit list. */
interface Selection {
  readonly total: number;
  at(i: number): number;
}

/** The endpoint families over one store; `now` is the clock of the plan history limit. */
export function createV2Answers(store: V2Store, now: () => Date) {
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

  return { resolveServer, answerMessages, answerRecipientSearch, answerSuppressions };
}
