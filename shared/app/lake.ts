import { S3Client } from '@aws-sdk/client-s3';
import { allTables } from '../catalog';
import type { LakeConfig } from '../config';
import { type Clock, systemClock } from '../core/clock';
import type { FetchLike } from '../engine/http';
import type { RateBudgetRegistry } from '../engine/rate-budget';
import type { RetryPolicy } from '../engine/retry';
import { createCsvWriter } from '../lake/csv-writer';
import type { LakeFormat, TableFileWriterFactory } from '../lake/file-writer';
import { lakeFolders } from '../lake/layout';
import { LocalFolderStore, removeStaleTempFiles } from '../lake/local-store';
import type { ObjectStore } from '../lake/object-store';
import { openObjectStore } from '../lake/open-store';
import { createParquetWriter } from '../lake/parquet-writer';
import type { LakeTarget } from '../lake/window-writer';
import type { Logger } from '../log';
import type { LeaseSettings } from './leases';

export const fileWriters: Readonly<Record<LakeFormat, TableFileWriterFactory>> = {
  parquet: createParquetWriter,
  csv: createCsvWriter,
};

/** Opens the configured lake (local folder or S3) and clears temp files killed runs left (not a live run's). */
export async function openLake(config: LakeConfig): Promise<ObjectStore> {
  const store = openObjectStore(
    config.location,
    () =>
      new S3Client({
        region: config.region,
        ...(config.s3Endpoint
          ? {
              endpoint: config.s3Endpoint,
              forcePathStyle: true,
              // S3-compatible test servers do not speak aws-chunked uploads (see LOCAL-STACK.md).
              requestChecksumCalculation: 'WHEN_REQUIRED',
              responseChecksumValidation: 'WHEN_REQUIRED',
            }
          : {}),
      }),
  );
  if (store instanceof LocalFolderStore) await removeStaleTempFiles(store.root, lakeFolders(allTables));
  return store;
}

/** What every collection (SocketLabs, SendSage) runs with, whichever door (CLI, Lambda, test) builds it. */
export interface CollectorDeps extends LakeTarget {
  readonly fetch: FetchLike;
  readonly clock: Clock;
  readonly budgets: RateBudgetRegistry;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /** Epoch ms; default: no deadline (CLI). */
  readonly deadline?: number;
  /** Time kept before the deadline (Lambda: enough to finish a page and report). */
  readonly reserveMs?: number;
  readonly retry?: RetryPolicy;
  /** Where Athena's dt projection starts (lake/projection.ts): a run writing earlier days warns. */
  readonly dtProjectionStart?: string;
  /** How the run takes its leases (holder, wait); default: this process, fail at once when another run holds one. */
  readonly lease?: LeaseSettings;
}

/** The collaborators every collection takes in production: the lake and its writers, scratch space, fetch, clock. */
export function collectorDeps(config: LakeConfig, store: ObjectStore) {
  return {
    store,
    formats: config.formats,
    writers: fileWriters,
    tmpDir: config.tmpDir,
    dtProjectionStart: config.dtProjectionStart,
    fetch: (url: string, init: RequestInit) => fetch(url, init),
    clock: systemClock,
  };
}
