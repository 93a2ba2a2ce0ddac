import { createHash } from 'node:crypto';
import type { SocketLabsConfig } from '../config';
import { monotonicDeadline } from '../core/clock';
import { ConfigError } from '../core/errors';
import { createRedactor } from '../core/redact';
import { DAY_MS } from '../core/windows';
import { type CallCounters, createApiCaller, newCallCounters } from '../engine/api-caller';
import { type CollectEvent, collectDataset, type Dataset, type DatasetReport } from '../engine/collect';
import { planDays } from '../engine/plan';
import { combineBudgets, type RateBudget } from '../engine/rate-budget';
import { defaultRetryPolicy } from '../engine/retry';
import { dtOutsideProjectionWarning } from '../lake/projection';
import { createV1Client } from '../sources/socketlabs-v1/client';
import { SOCKETLABS_V1, socketlabsV1Datasets, v1DatasetNames } from '../sources/socketlabs-v1/datasets';
import { createV2Client } from '../sources/socketlabs-v2/client';
import { SOCKETLABS_V2, socketlabsV2Datasets, v2DatasetNames } from '../sources/socketlabs-v2/datasets';
import { v2Rates } from '../sources/socketlabs-v2/endpoints';
import type { CollectorDeps } from './lake';
import { collectLeased } from './leases';
import { withRunScratch } from './scratch';

/**
 * SocketLabs kept 90 days (v1 guide, "Data Retention and Availability"); v2 plans may keep fewer, which the API
 * answers with an error that skips those days (OutsideHistoryError).
 */
export const RETENTION_DAYS = 90;

export interface CollectRequest {
  /** Inclusive UTC dates. */
  readonly from: string;
  readonly to: string;
  readonly datasets?: readonly string[];
  readonly serverIds?: readonly number[];
}

export interface CollectDeps extends CollectorDeps {
  readonly onEvent?: (event: CollectEvent) => void;
}

export interface CollectSummary {
  readonly source: string;
  readonly from: string;
  readonly to: string;
  /** Where the collected windows end (ISO): midnight after `to`, or today's last closed hour. */
  readonly until: string;
  readonly datasets: readonly DatasetReport[];
  readonly counters: CallCounters;
  readonly elapsedMs: number;
  readonly warnings: readonly string[];
  /** Windows the deadline left for the next run. */
  readonly windowsLeft: number;
  /** Windows that failed after every retry (the run should report failure; the next run retries them). */
  readonly windowsFailed: number;
}

/** Collects SocketLabs reports for a date range into the lake; the same code behind the CLI and the Lambda. */
export async function collectSocketLabs(
  config: SocketLabsConfig,
  request: CollectRequest,
  deps: CollectDeps,
): Promise<CollectSummary> {
  // The run's own scratch folder (window files, CSV spools), removed when the run ends however it ends.
  return withRunScratch(deps.tmpDir, (scratch) => collect(config, request, { ...deps, tmpDir: scratch }));
}

async function collect(config: SocketLabsConfig, request: CollectRequest, deps: CollectDeps): Promise<CollectSummary> {
  const started = deps.clock.now();
  const redact = createRedactor([config.apiKey]);
  const serverIds = request.serverIds?.length ? request.serverIds : config.serverIds;
  const plan = planDays({ from: request.from, to: request.to, now: started, retentionDays: RETENTION_DAYS });
  for (const w of plan.warnings) deps.log.warn(w);
  const outside =
    deps.dtProjectionStart && plan.windows.length
      ? dtOutsideProjectionWarning(plan.from, plan.to, deps.dtProjectionStart, started)
      : null;
  if (outside) deps.log.warn(outside);

  const counters = newCallCounters();
  const deadline = monotonicDeadline(deps.clock, deps.deadline);
  const key = keyTag(config.apiKey);
  const budget = (name: string, perSecond: number) =>
    deps.budgets.budgetFor(`socketlabs:${key}:${name}`, { perSecond, clock: deps.clock });
  const caller = (defaultBudget: RateBudget) =>
    createApiCaller({
      fetch: deps.fetch,
      budget: defaultBudget,
      retry: deps.retry ?? defaultRetryPolicy,
      clock: deps.clock,
      redact,
      timeoutMs: config.timeoutMs,
      deadline,
      counters,
      onRetry: (message, attempt, delayMs) => deps.log.warn(`retry ${attempt} in ${delayMs} ms: ${message}`),
    });

  let datasets: Dataset[];
  let source: string;
  let requestsPerSecond: number;
  if (config.generation === 'v1') {
    // One budget per key, shared by every collector in this process.
    const call = caller(budget('v1', config.requestsPerSecond));
    const client = createV1Client({
      baseUrl: config.apiUrl,
      username: config.username,
      apiKey: config.apiKey,
      timeoutMs: config.timeoutMs,
      call,
    });
    datasets = socketlabsV1Datasets(client, serverIds, select(request.datasets, v1DatasetNames));
    source = SOCKETLABS_V1;
    requestsPerSecond = config.requestsPerSecond;
  } else {
    const rates = v2Rates(config.rateScale);
    const overall = budget('v2', rates.overall);
    // A message-report request counts against both limits, so it waits for both budgets.
    const budgets = {
      overall,
      'message-reports': combineBudgets([overall, budget('v2:reports/message', rates['message-reports'])]),
    };
    const client = createV2Client({
      baseUrl: config.apiUrl,
      apiKey: config.apiKey,
      timeoutMs: config.timeoutMs,
      call: caller(overall),
      budgets,
      spoolDir: deps.tmpDir,
    });
    const names = select(request.datasets, v2DatasetNames);
    datasets = socketlabsV2Datasets(client, serverIds, names, rates, () => deps.clock.now(), config.csvPageSize);
    source = SOCKETLABS_V2;
    requestsPerSecond = rates.overall;
  }

  // Held for the whole run: a second run on the same lake would otherwise publish and checkpoint the same windows.
  const reports = await collectLeased(datasets, deps, async (signal) => {
    const reports: DatasetReport[] = [];
    for (const ds of datasets) {
      reports.push(
        await collectDataset(ds, plan.windows, {
          store: deps.store,
          formats: deps.formats,
          writers: deps.writers,
          tmpDir: deps.tmpDir,
          clock: deps.clock,
          signal,
          deadline,
          reserveMs: deps.reserveMs ?? 0,
          maxRowsPerWindow: config.maxRowsPerWindow,
          maxRereads: 3,
          settleMs: config.trailingDays * DAY_MS,
          requestsPerSecond,
          onEvent: deps.onEvent,
          warn: (message) => deps.log.warn(message),
        }),
      );
    }
    return reports;
  });
  return {
    source,
    from: plan.from,
    to: plan.to,
    until: new Date(plan.until).toISOString(),
    datasets: reports,
    counters,
    elapsedMs: deps.clock.now() - started,
    warnings: plan.warnings,
    windowsLeft: reports.reduce((n, r) => n + r.left.length, 0),
    windowsFailed: reports.reduce((n, r) => n + r.failed.length, 0),
  };
}

/** The requested dataset names, checked against a generation's list (all of them when none are requested). */
function select<N extends string>(requested: readonly string[] | undefined, known: readonly N[]): N[] {
  if (!requested?.length) return [...known];
  const unknown = requested.filter((d) => !(known as readonly string[]).includes(d));
  if (unknown.length) throw new ConfigError(`unknown dataset(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return requested as N[];
}

/** A non-reversible tag of a key, so budgets are shared per key without the key itself as a map key. */
function keyTag(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}
