import { combineBudgets } from '../../engine/rate-budget';
import type { DigestCounter, RollupDims, SourceDescriptor } from '../descriptor';
import { SOCKETLABS_RETENTION_DAYS, socketlabsCommand } from '../socketlabs-common/command';
import type { SocketLabsConfig } from '../socketlabs-common/config';
import { describeFailureCode } from '../socketlabs-common/failure-codes';
import { createV2Client } from './client';
import { SOCKETLABS_V2, socketlabsV2Datasets, type V2DatasetName, v2DatasetNames } from './datasets';
import { v2Rates } from './endpoints';
import { socketlabsV2Tables } from './tables';

const byEvent: Readonly<Record<string, DigestCounter>> = {
  queued: 'queued',
  delivered: 'processed',
  complaint: 'complaints',
  open: 'opens',
  click: 'clicks',
};

/** One messages row counts by its failure type and by its event type, so both generations give the same figures. */
function messageCounters(dims: RollupDims): DigestCounter[] {
  const out: DigestCounter[] = [];
  const type = dims.failure_type_name;
  if (type === 'hard') out.push('hard_bounces');
  else if (type === 'soft') out.push('soft_bounces');
  else if (type === 'suppressed' || dims.event_type === 'suppressed') out.push('suppressed');
  const event = typeof dims.event_type === 'string' ? byEvent[dims.event_type] : undefined;
  if (event) out.push(event);
  return out;
}

/**
 * The SocketLabs API v2: every message event in one table (CSV downloads or JSON pages), suppression snapshots,
 * Bearer key. A generation of the `socketlabs` command: chosen when SOCKETLABS_API_URL ends in /v2.
 */
export const socketlabsV2: SourceDescriptor<SocketLabsConfig> = {
  name: SOCKETLABS_V2,
  command: socketlabsCommand,
  serves: (config) => config.generation === 'v2',
  tables: socketlabsV2Tables,
  digest: {
    totals: { socketlabs_messages: messageCounters },
    bounces: ['socketlabs_messages'],
    describeFailureCode,
  },
  collection: {
    kind: 'windowed',
    retentionDays: SOCKETLABS_RETENTION_DAYS,
    datasetNames: v2DatasetNames,
    open: (config, request, ctx) => {
      const rates = v2Rates(config.rateScale);
      const overall = ctx.budget('v2', rates.overall);
      // A message-report request counts against both limits, so it waits for both budgets.
      const budgets = {
        overall,
        'message-reports': combineBudgets([overall, ctx.budget('v2:reports/message', rates['message-reports'])]),
      };
      const client = createV2Client({
        baseUrl: config.apiUrl,
        apiKey: config.apiKey,
        timeoutMs: config.timeoutMs,
        call: ctx.caller(overall),
        budgets,
        spoolDir: ctx.tmpDir,
      });
      const serverIds = request.serverIds?.length ? request.serverIds : config.serverIds;
      const names = request.datasets as V2DatasetName[];
      return {
        datasets: socketlabsV2Datasets(client, serverIds, names, rates, () => ctx.clock.now(), config.csvPageSize),
        requestsPerSecond: rates.overall,
        maxRowsPerWindow: config.maxRowsPerWindow,
        reread: config.reread,
      };
    },
  },
};
