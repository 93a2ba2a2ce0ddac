import { ApiRequestError } from '../../core/errors';
import type { TimeWindow } from '../../core/windows';
import type { Dataset } from '../../engine/collect';
import { type Page, type PageRequest, paginate } from '../../engine/paging';
import { socketlabsRequestPadMs } from '../socketlabs-common/window-request';
import type { V2Client } from './client';
import { type V2Endpoint, v2Endpoints } from './endpoints';
import { mapMessage, mapSuppression } from './mapping';
import { socketlabsMessages, socketlabsSuppressions } from './tables';

export const SOCKETLABS_V2 = 'socketlabs-v2';
export const v2DatasetNames = ['messages', 'suppressions'] as const;
export type V2DatasetName = (typeof v2DatasetNames)[number];

/** Rows a CSV-route window may hold: four 500,000-row pages, so a 1 M-message day plus its edge records is one window. */
const CSV_WINDOW_ROWS = 2_000_000;
/** Pages read for one suppression snapshot, at most (500,000 rows each on the CSV route). */
const MAX_SNAPSHOT_PAGES = 200;

/**
 * The CSV download route where the API has it, JSON pages otherwise: the first 404/405 from the download path
 * switches this (dataset, server) to JSON for the rest of the run.
 */
function routeChooser(client: V2Client, csv: V2Endpoint, json: V2Endpoint) {
  let current: V2Endpoint = csv;
  return {
    endpoint: () => current,
    async page(
      serverId: number,
      window: TimeWindow | null,
      req: PageRequest,
      signal: AbortSignal,
    ): Promise<Page<unknown>> {
      if (current === csv) {
        try {
          return await client.csvPage(csv, serverId, window, req, signal);
        } catch (error) {
          if (!(error instanceof ApiRequestError && (error.status === 404 || error.status === 405))) throw error;
          current = json;
        }
      }
      return client.jsonPage(json, serverId, window, req, signal);
    },
  };
}

/** The engine's datasets for the chosen servers and dataset names. */
export function socketlabsV2Datasets(
  client: V2Client,
  serverIds: readonly number[],
  names: readonly V2DatasetName[],
  rates: Readonly<Record<V2Endpoint['limit'], number>>,
  now: () => number,
  csvPageSize: number = v2Endpoints.messagesCsv.paging.pageSize,
): Dataset[] {
  const csvPaging = { kind: 'page-number', pageSize: csvPageSize } as const;
  const messagesCsv = { ...v2Endpoints.messagesCsv, paging: csvPaging };
  const suppressionsCsv = { ...v2Endpoints.suppressionsCsv, paging: csvPaging };
  const out: Dataset[] = [];
  for (const serverId of serverIds) {
    const partition = (day: string) => ({ dt: day, server_id: serverId });
    const base = { source: SOCKETLABS_V2, scope: String(serverId), partition };
    if (names.includes('messages')) {
      const route = routeChooser(client, messagesCsv, v2Endpoints.messagesJson);
      out.push({
        ...base,
        kind: 'windowed',
        dataset: 'messages',
        table: socketlabsMessages,
        get pageSize() {
          return route.endpoint().paging.pageSize;
        },
        get maxRowsPerWindow() {
          return route.endpoint().route === 'csv' ? CSV_WINDOW_ROWS : undefined;
        },
        requestsPerSecond: rates['message-reports'],
        requestPadMs: socketlabsRequestPadMs,
        mapRecord: mapMessage,
        fetchPage: (window, req, signal) => route.page(serverId, window, req, signal),
        route: () => route.endpoint().route,
      });
    }
    if (names.includes('suppressions')) {
      const route = routeChooser(client, suppressionsCsv, v2Endpoints.suppressionsJson);
      out.push({
        ...base,
        kind: 'snapshot',
        dataset: 'suppressions',
        table: socketlabsSuppressions,
        mapRecord: mapSuppression,
        route: () => route.endpoint().route,
        fetchSnapshot: async (signal) => {
          // CSV and JSON lists carry no snapshot time of their own: the time we asked is the snapshot's.
          const takenAt = now();
          const items: unknown[] = [];
          const fetchPage = (req: PageRequest) => route.page(serverId, null, req, signal);
          // The first page also settles the route (CSV, or JSON where there are no downloads), so the page size.
          const first = await fetchPage({ offset: 0, size: route.endpoint().paging.pageSize, pageNumber: 0 });
          const pageSize = route.endpoint().paging.pageSize;
          // The list changes while it is read (an address added or removed shifts every later page): paged like a
          // report window, a total that moves between pages throws TotalChangedError and the engine reads it again.
          // The whole list is one snapshot, held in memory (suppression lists are far smaller than reports).
          for await (const page of paginate({ pageSize, maxPages: MAX_SNAPSHOT_PAGES, fetchPage, firstPage: first })) {
            if (!page.stream) items.push(...page.items);
            else for await (const batch of page.stream.batches) items.push(...batch);
          }
          return { items, takenAt };
        },
      });
    }
  }
  return out;
}
