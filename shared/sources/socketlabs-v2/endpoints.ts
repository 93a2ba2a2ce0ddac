import type { PagingStrategy } from '../../engine/paging';

/**
 * The v2 endpoints inboxlake reads, as data: a changed path, page size or sort field is a one-line change here.
 * Paths take `{serverId}`. Limits are per API key: 100 requests / 60 s overall, 30 / 60 s for `*\/reports/message*`
 * (SocketLabs API conventions, "Rate Limiting").
 */
export interface V2Endpoint {
  readonly path: string;
  readonly route: 'json' | 'csv';
  /** v2 pages by `pageNumber`/`pageSize`; the size differs per route (CSV downloads take far larger pages). */
  readonly paging: PagingStrategy;
  readonly sortField: string;
  /** Name of the stricter limit the path falls under, besides the overall one. */
  readonly limit: 'overall' | 'message-reports';
}

export const v2Endpoints = {
  messagesCsv: {
    path: '/servers/{serverId}/reports/messages/detail/download',
    route: 'csv',
    paging: { kind: 'page-number', pageSize: 500_000 },
    sortField: 'statusDate',
    limit: 'message-reports',
  },
  messagesJson: {
    path: '/servers/{serverId}/reports/messages/detail',
    route: 'json',
    paging: { kind: 'page-number', pageSize: 100 },
    sortField: 'statusDate',
    limit: 'message-reports',
  },
  suppressionsCsv: {
    path: '/servers/{serverId}/suppressions/download',
    route: 'csv',
    paging: { kind: 'page-number', pageSize: 500_000 },
    sortField: 'suppressionLastUpdate',
    limit: 'overall',
  },
  suppressionsJson: {
    path: '/servers/{serverId}/suppressions/search',
    route: 'json',
    paging: { kind: 'page-number', pageSize: 100 },
    sortField: 'emailAddress',
    limit: 'overall',
  },
} as const satisfies Record<string, V2Endpoint>;

/** Requests per 60 s for each limit. */
export const v2Limits = { overall: 100, 'message-reports': 30 } as const;

/**
 * v2's limits are hard sliding windows: a request that goes out a few ms late, followed by one on time, can put
 * one too many inside a window. Budgeting 3 % under the limit absorbs that jitter at a cost of 3 % throughput.
 */
const SAFETY = 0.97;

/** Per-second budgets for the limits, scaled (tests and benchmarks run the simulator's windows faster). */
export function v2Rates(scale: number): Record<keyof typeof v2Limits, number> {
  const perSecond = (perMinute: number) => (perMinute / 60) * scale * SAFETY;
  return { overall: perSecond(v2Limits.overall), 'message-reports': perSecond(v2Limits['message-reports']) };
}
