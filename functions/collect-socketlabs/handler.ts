import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { collectSocketLabs } from '../../shared/app/collect-socketlabs';
import { collectorDeps, openLake } from '../../shared/app/lake';
import { leaseHeldAsNull, thisProcess } from '../../shared/app/leases';
import { forgettingRefusedCredentials, loadSocketLabsRuntimeConfig, once } from '../../shared/app/secrets';
import { loadLakeConfig } from '../../shared/config';
import { systemClock } from '../../shared/core/clock';
import { trailingRange } from '../../shared/engine/plan';
import { RateBudgetRegistry } from '../../shared/engine/rate-budget';
import { createLogger } from '../../shared/log';
import { createMetrics } from '../metrics';
import { redactErrors } from '../redact-errors';

/**
 * Scheduled SocketLabs collection: the trailing days (or the range in the event, for backfills), stopping before
 * the Lambda deadline with its checkpoints saved; `more: true` asks the caller (a Step Functions loop) to invoke it
 * again with the same event. Built once per container: the lake and the rate budgets at load, the source's config
 * on the first invocation (its credentials may have to be read from Secrets Manager first).
 */
// The environment as the function was started with; only reading the secret it may name waits for an invocation.
const env = { ...process.env };
const lakeConfig = loadLakeConfig(env);
const store = openLake(lakeConfig);
const budgets = new RateBudgetRegistry();
const metrics = createMetrics(env);
const runtime = once(async () => {
  const config = await loadSocketLabsRuntimeConfig(env);
  // Lines pass the secret registry, which reading the config filled.
  const log = createLogger({ json: true });
  return { config, log, deps: collectorDeps(lakeConfig, await store) };
});

/** What a schedule or an operator may put in the event; everything else EventBridge sends is ignored. */
const eventSchema = z
  .object({
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    datasets: z.array(z.string()).optional(),
    serverIds: z.array(z.number().int().positive()).optional(),
  })
  .refine((e) => (e.from === undefined) === (e.to === undefined), 'give both from and to, or neither');

/** Time kept back from the Lambda deadline to finish the page in hand, publish and report. */
const RESERVE_MS = 60_000;

export const handler = middy(
  async (rawEvent: unknown, context: Context, { signal }: { signal: AbortSignal }) => {
    const event = eventSchema.parse(rawEvent ?? {});
    const { config, log, deps } = await runtime();
    const now = systemClock.now();
    const range = event.from && event.to ? { from: event.from, to: event.to } : trailingRange(now, config.trailingDays);
    const summary = await forgettingRefusedCredentials(runtime, () =>
      collectSocketLabs(
        config,
        { ...range, datasets: event.datasets, serverIds: event.serverIds },
        {
          ...deps,
          budgets,
          log,
          signal,
          deadline: now + context.getRemainingTimeInMillis(),
          reserveMs: RESERVE_MS,
          lease: { holder: thisProcess({ requestId: context.awsRequestId }) },
        },
      ),
    ).catch(leaseHeldAsNull(log));
    // Another run (the CLI, a backfill) holds the lease: not a failure; the state machine waits and invokes again.
    if (summary === null) return { busy: true, more: false };
    const report = {
      source: summary.source,
      from: summary.from,
      to: summary.to,
      until: summary.until,
      rows: summary.datasets.reduce((n, d) => n + d.rows, 0),
      quarantined: summary.datasets.reduce((n, d) => n + d.quarantined, 0),
      apiCalls: summary.counters.apiCalls,
      retries: summary.counters.retries,
      windowsLeft: summary.windowsLeft,
      windowsFailed: summary.windowsFailed,
      // Windows are left only when the deadline stopped the run; the same event continues where it stopped.
      more: summary.windowsLeft > 0,
      elapsedMs: summary.elapsedMs,
    };
    log.info('collection finished', report);
    // Rows that landed count even when some windows failed; the "no data landed" alarm watches this sum.
    metrics.count('RowsLanded', report.rows, { Source: 'socketlabs', Account: metrics.account });
    // Failed windows make the invocation fail, so retries, the DLQ and the error alarm see it.
    if (summary.windowsFailed > 0)
      throw new Error(`${summary.windowsFailed} windows failed: ${JSON.stringify(report)}`);
    return report;
  },
  // Abort in-flight requests 10 s before Lambda would kill us; the engine itself stops starting windows much earlier.
  { timeoutEarlyInMillis: 10_000 },
).use(redactErrors());
