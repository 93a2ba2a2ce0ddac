import type { SendSageConfig } from '../config';
import { monotonicDeadline } from '../core/clock';
import { createRedactor } from '../core/redact';
import { DAY_MS, utcDay } from '../core/windows';
import { type CallCounters, createApiCaller, newCallCounters } from '../engine/api-caller';
import { collectItems, type ItemReport } from '../engine/collect-items';
import { defaultRetryPolicy } from '../engine/retry';
import { dtOutsideProjectionWarning } from '../lake/projection';
import { createSendSageClient } from '../sources/sendsage/client';
import {
  SENDSAGE,
  sendsageCampaignDataset,
  sendsagePreviewDataset,
  sendsageSeedlistDataset,
} from '../sources/sendsage/datasets';
import type { CollectorDeps } from './lake';
import { collectLeased } from './leases';
import { withRunScratch } from './scratch';

export interface SendSageRequest {
  /** Days of tests and previews to list (the list calls' `days`). */
  readonly days: number;
}

export interface SendSageDeps extends CollectorDeps {
  readonly onItem?: (dataset: string, key: string, rows: number) => void;
}

export interface SendSageSummary {
  readonly source: string;
  readonly days: number;
  readonly datasets: readonly ItemReport[];
  readonly counters: CallCounters;
  readonly elapsedMs: number;
  readonly itemsFailed: number;
  readonly itemsLeft: number;
}

/** Collects SendSage delivery tests, previews and the seed list into the lake; behind the CLI and the Lambda. */
export async function collectSendSage(
  config: SendSageConfig,
  request: SendSageRequest,
  deps: SendSageDeps,
): Promise<SendSageSummary> {
  const started = deps.clock.now();
  // The password travels in a form body, never a URL; it is still masked wherever text could carry it.
  const redact = createRedactor([config.password]);
  const counters = newCallCounters();
  const deadline = monotonicDeadline(deps.clock, deps.deadline);
  const call = createApiCaller({
    fetch: deps.fetch,
    budget: deps.budgets.budgetFor(`sendsage:${config.username}`, {
      perSecond: config.requestsPerSecond,
      clock: deps.clock,
    }),
    retry: deps.retry ?? defaultRetryPolicy,
    clock: deps.clock,
    redact,
    timeoutMs: config.timeoutMs,
    deadline,
    counters,
    onRetry: (message, attempt, delayMs) => deps.log.warn(redact(`retry ${attempt} in ${delayMs} ms: ${message}`)),
  });
  const client = createSendSageClient({
    apiUrl: config.apiUrl,
    username: config.username,
    password: config.password,
    timeoutMs: config.timeoutMs,
    call,
  });
  const options = { days: request.days, messages: config.messages, now: () => deps.clock.now() };
  if (deps.dtProjectionStart) {
    // Tests are partitioned by send day; the list calls reach back `days` days from today.
    const today = Math.floor(started / DAY_MS) * DAY_MS;
    const from = utcDay(today - request.days * DAY_MS);
    const outside = dtOutsideProjectionWarning(from, utcDay(today), deps.dtProjectionStart, started);
    if (outside) deps.log.warn(outside);
  }
  return withRunScratch(deps.tmpDir, async (scratch) => {
    // The seed list first: it is one call, and a login failure then stops the run before anything is written.
    const datasets = [
      sendsageSeedlistDataset(client, options),
      sendsageCampaignDataset(client, options),
      sendsagePreviewDataset(client, options),
    ];
    // Held for the whole run: a second run would otherwise write and record the same items at the same time.
    const reports = await collectLeased(datasets, deps, async (signal) => {
      const reports: ItemReport[] = [];
      for (const ds of datasets) {
        reports.push(
          await collectItems(ds, {
            store: deps.store,
            formats: deps.formats,
            writers: deps.writers,
            tmpDir: scratch,
            clock: deps.clock,
            signal,
            deadline,
            reserveMs: deps.reserveMs ?? 0,
            concurrency: config.concurrency,
            onItem: deps.onItem,
            warn: (message) => deps.log.warn(message),
          }),
        );
      }
      return reports;
    });
    return {
      source: SENDSAGE,
      days: request.days,
      datasets: reports,
      counters,
      elapsedMs: deps.clock.now() - started,
      itemsFailed: reports.reduce((n, r) => n + r.failed.length, 0),
      itemsLeft: reports.reduce((n, r) => n + r.left, 0),
    };
  });
}
