import type { SourceDescriptor } from '../descriptor';
import { SOCKETLABS_RETENTION_DAYS, socketlabsCommand } from '../socketlabs-common/command';
import type { SocketLabsConfig } from '../socketlabs-common/config';
import { describeFailureCode } from '../socketlabs-common/failure-codes';
import { createV1Client } from './client';
import { SOCKETLABS_V1, socketlabsV1Datasets, type V1DatasetName, v1DatasetNames } from './datasets';
import { socketlabsV1Tables } from './tables';

/**
 * The SocketLabs Reporting API v1: one table per report, windowed by day, Basic auth with user and key. A generation
 * of the `socketlabs` command: chosen when SOCKETLABS_API_URL ends in /v1.
 */
export const socketlabsV1: SourceDescriptor<SocketLabsConfig> = {
  name: SOCKETLABS_V1,
  command: socketlabsCommand,
  serves: (config) => config.generation === 'v1',
  tables: socketlabsV1Tables,
  // Each report table counts one thing; the failures also detail bounces.
  digest: {
    totals: {
      socketlabs_queued: () => ['queued'],
      socketlabs_processed: () => ['processed'],
      socketlabs_complaints: () => ['complaints'],
      socketlabs_engagement: (dims) =>
        dims.event_type_name === 'open' ? ['opens'] : dims.event_type_name === 'click' ? ['clicks'] : [],
      socketlabs_failed: (dims) =>
        dims.failure_type_name === 'hard'
          ? ['hard_bounces']
          : dims.failure_type_name === 'soft'
            ? ['soft_bounces']
            : dims.failure_type_name === 'suppressed' || dims.event_type === 'suppressed'
              ? ['suppressed']
              : [],
    },
    bounces: ['socketlabs_failed'],
    describeFailureCode,
  },
  collection: {
    kind: 'windowed',
    retentionDays: SOCKETLABS_RETENTION_DAYS,
    datasetNames: v1DatasetNames,
    open: (config, request, ctx) => {
      const client = createV1Client({
        baseUrl: config.apiUrl,
        username: config.username,
        apiKey: config.apiKey,
        timeoutMs: config.timeoutMs,
        // One budget per key, shared by every collector in this process.
        call: ctx.caller(ctx.budget('v1', config.requestsPerSecond)),
      });
      const serverIds = request.serverIds?.length ? request.serverIds : config.serverIds;
      return {
        datasets: socketlabsV1Datasets(client, serverIds, request.datasets as V1DatasetName[]),
        requestsPerSecond: config.requestsPerSecond,
        maxRowsPerWindow: config.maxRowsPerWindow,
        reread: config.reread,
      };
    },
  },
};
