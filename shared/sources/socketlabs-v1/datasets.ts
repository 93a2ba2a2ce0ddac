import type { Dataset } from '../../engine/collect';
import type { TableDef } from '../../lake/table';
import type { RecordMapping } from '../records';
import { socketlabsRequestPadMs } from '../socketlabs-common/window-request';
import { type V1Client, v1Paging } from './client';
import { mapAccount, mapComplaint, mapEngagement, mapFailed, mapProcessed, mapQueued } from './mapping';
import {
  socketlabsAccount,
  socketlabsComplaints,
  socketlabsEngagement,
  socketlabsFailed,
  socketlabsProcessed,
  socketlabsQueued,
} from './tables';

/** The v1 message reports: dataset name → API method, table and mapping. A changed method is a one-line change. */
export const v1Reports = [
  { name: 'failed', method: 'messagesFailed', table: socketlabsFailed, map: mapFailed },
  { name: 'queued', method: 'messagesQueued', table: socketlabsQueued, map: mapQueued },
  { name: 'processed', method: 'messagesProcessed', table: socketlabsProcessed, map: mapProcessed },
  { name: 'complaints', method: 'messagesFblReported', table: socketlabsComplaints, map: mapComplaint },
  { name: 'engagement', method: 'messagesOpenClick', table: socketlabsEngagement, map: mapEngagement },
] as const satisfies readonly {
  name: string;
  method: string;
  table: TableDef;
  map: (raw: unknown, ingestedAt: number) => RecordMapping;
}[];

export const v1DatasetNames = [...v1Reports.map((r) => r.name), 'account'] as const;
export type V1DatasetName = (typeof v1DatasetNames)[number];

export const SOCKETLABS_V1 = 'socketlabs-v1';

/** The engine's datasets for the chosen servers and dataset names. */
export function socketlabsV1Datasets(
  client: V1Client,
  serverIds: readonly number[],
  names: readonly V1DatasetName[],
): Dataset[] {
  const out: Dataset[] = [];
  for (const serverId of serverIds) {
    const partition = (day: string) => ({ dt: day, server_id: serverId });
    const base = { source: SOCKETLABS_V1, scope: String(serverId), partition };
    for (const report of v1Reports) {
      if (!names.includes(report.name)) continue;
      out.push({
        ...base,
        kind: 'windowed',
        dataset: report.name,
        table: report.table,
        pageSize: v1Paging.pageSize,
        requestPadMs: socketlabsRequestPadMs,
        mapRecord: report.map,
        fetchPage: (window, req, signal) => client.listPage(report.method, serverId, window, req, signal),
      });
    }
    if (names.includes('account')) {
      out.push({
        ...base,
        kind: 'snapshot',
        dataset: 'account',
        table: socketlabsAccount,
        mapRecord: mapAccount,
        fetchSnapshot: async (signal) => {
          const answer = await client.account(serverId, signal);
          return { items: [answer.object], takenAt: answer.timestamp };
        },
      });
    }
  }
  return out;
}
