/**
 * What each v1 method answers, before faults and encoding: accountData and the message datasets (date range in the
 * request's zone, index/count paging, id filters, DateTime offsets), with the server and type checks they share.
 * Apart from the server, which keeps routing, auth, the rate limit and faults around it.
 */
import { accountData } from './account-data';
import type { V1Store } from './dataset';
import { formatV1DateTime, parseV1DateTime } from './dates';
import type { V1Dataset, V1Record } from './model';
import { HttpError, parseInputDate, parseIntParam } from './request';

const MAX_COUNT = 500;

/** What a successful message answer needs to remember for an `insert-between-pages` fault. */
export interface PageContext {
  readonly dataset: V1Dataset;
  readonly serverId: number;
  readonly fromSec: number | null;
  readonly rangeStart: number;
  readonly totalPages: number;
  /** Whether the answer held the last rows: an insert after it is a late record, not one between pages. */
  readonly isLastPage: boolean;
  readonly lastServedSec: number | null;
  readonly mailingId: string | null;
  readonly messageId: string | null;
}

export interface Answer {
  readonly body: Record<string, unknown>;
  readonly page: PageContext | null;
}

/**
 * The method answers over one store; `now` is the simulator's clock and `apiCalls` the count of calls accepted so
 * far, which accountData reports.
 */
export function createV1Answers(store: V1Store, now: () => Date, apiCalls: () => number) {
  const timestamp = (seq: number): string =>
    // The API prints 7 fractional digits (.NET ticks); JS has milliseconds, so the last four are made up.
    `${now().toISOString().slice(0, 23)}${String((seq * 7919) % 10_000).padStart(4, '0')}Z`;

  const resolveServer = (params: Map<string, string>, required: boolean): number => {
    const text = params.get('serverid');
    if (text === undefined || text === '') {
      if (required) throw new HttpError(400, 'serverId is required');
      return store.serverIds[0]!;
    }
    if (!/^\d+$/.test(text.trim())) throw new HttpError(400, 'serverId must be an integer');
    const serverId = Number(text.trim());
    if (!store.hasServer(serverId)) throw new HttpError(403, `Access to server ${serverId} is denied`);
    return serverId;
  };

  const checkType = (params: Map<string, string>) => {
    const type = params.get('type');
    // The guide requires `type`; a missing one is answered as JSON, the format every example of ours uses.
    if (type !== undefined && type.trim().toLowerCase() !== 'json') {
      throw new HttpError(400, `type '${type.slice(0, 20)}' is not supported here: only json is simulated`);
    }
  };

  const answerAccount = (params: Map<string, string>, seq: number, offset: number): Answer => {
    checkType(params);
    const serverId = resolveServer(params, false);
    const object = accountData(serverId, now(), { apiAccessCount: apiCalls() });
    if (offset !== 0) {
      for (const key of ['CurrentBillingPeriodStart', 'CurrentBillingPeriodEnd']) {
        const sec = parseV1DateTime(object[key]);
        if (sec !== null) object[key] = formatV1DateTime(sec, offset);
      }
    }
    return { body: { timestamp: timestamp(seq), object }, page: null };
  };

  const answerMessages = (
    dataset: V1Dataset,
    params: Map<string, string>,
    seq: number,
    offsetOverride: number | null,
  ): Answer => {
    checkType(params);
    const serverId = resolveServer(params, true);
    const tz = parseIntParam('timeZone', params.get('timezone'), 0, -14 * 60, 14 * 60);
    const start = params.get('startdate');
    const end = params.get('enddate');
    // Both bounds are inclusive: a record stamped exactly at endDate is returned. The guide does not say either way,
    // so the client must not rely on this (it should overlap or deduplicate its windows instead).
    const fromSec = start ? parseInputDate('startDate', start, tz) : null;
    const toSec = end ? parseInputDate('endDate', end, tz) : null;
    const index = parseIntParam('index', params.get('index'), 0, 0, Number.MAX_SAFE_INTEGER);
    const count = parseIntParam('count', params.get('count'), MAX_COUNT, 1, MAX_COUNT);
    const mailingId = params.get('mailingid') || null;
    const messageId = params.get('messageid') || null;

    const range = store.range(dataset, serverId, fromSec, toSec);
    let total: number;
    let items: V1Record[];
    if (mailingId === null && messageId === null) {
      total = range.end - range.start;
      items = store.slice(dataset, serverId, range.start + index, Math.min(range.end, range.start + index + count));
    } else {
      // Id filters have no index to search, so they scan the date range; fine for the sizes tests filter on.
      const matches: V1Record[] = [];
      for (let p = range.start; p < range.end; p++) {
        const r = store.recordAt(dataset, serverId, p);
        if ((mailingId === null || r.MailingId === mailingId) && (messageId === null || r.MessageId === messageId)) {
          matches.push(r);
        }
      }
      total = matches.length;
      items = matches.slice(index, index + count);
    }
    const offset = offsetOverride ?? tz;
    const lastItem = items.at(-1);
    const lastServedSec = lastItem ? parseV1DateTime(lastItem.DateTime) : null;
    const collection =
      offset === 0
        ? items
        : items.map((record) => {
            const sec = parseV1DateTime(record.DateTime);
            return sec === null ? record : { ...record, DateTime: formatV1DateTime(sec, offset) };
          });
    const totalPages = Math.ceil(total / count);
    return {
      body: { timestamp: timestamp(seq), totalCount: total, totalPages, count: collection.length, collection },
      page: {
        dataset,
        serverId,
        fromSec,
        rangeStart: range.start,
        totalPages,
        isLastPage: index + items.length >= total,
        lastServedSec,
        mailingId,
        messageId,
      },
    };
  };

  return { answerAccount, answerMessages };
}
