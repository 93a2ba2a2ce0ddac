/**
 * How both SocketLabs generations ask for a time window. Requests start one second before the window: neither API
 * says whether `startDate`/`endDate` are inclusive, so we ask for [start − 1 s, end] and keep [start, end) ourselves.
 * Each instant then belongs to exactly one window whatever the API does at the edges.
 */
export const socketlabsRequestPadMs = 1000;

/** `yyyy-mm-dd hh:mm:ss` in UTC, the input format of the v1 guide and the v2 conventions. */
export function socketlabsDateParam(t: number): string {
  return new Date(t).toISOString().slice(0, 19).replace('T', ' ');
}
