import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { collectSendSage } from '../../shared/app/collect-sendsage';
import { collectorDeps, openLake } from '../../shared/app/lake';
import { leaseHeldAsNull, thisProcess } from '../../shared/app/leases';
import { forgettingRefusedCredentials, loadSendSageRuntimeConfig, once } from '../../shared/app/secrets';
import { loadLakeConfig } from '../../shared/config';
import { systemClock } from '../../shared/core/clock';
import { RateBudgetRegistry } from '../../shared/engine/rate-budget';
import { createLogger } from '../../shared/log';
import { createMetrics } from '../metrics';
import { redactErrors } from '../redact-errors';

/**
 * Scheduled SendSage collection: tests and previews of the last `days` (running tests are collected again on
 * later runs until done) and the day's seed list; `more: true` when the deadline left items for another invocation
 * with the same event. Built once per container: the lake and the rate budget at load, the source's config on the
 * first invocation (its credentials may have to be read from Secrets Manager first).
 */
// The environment as the function was started with; only reading the secret it may name waits for an invocation.
const env = { ...process.env };
const lakeConfig = loadLakeConfig(env);
const store = openLake(lakeConfig);
const budgets = new RateBudgetRegistry();
const metrics = createMetrics(env);
const runtime = once(async () => {
  const config = await loadSendSageRuntimeConfig(env);
  // Lines pass the secret registry, which reading the config filled.
  const log = createLogger({ json: true });
  return { config, log, deps: collectorDeps(lakeConfig, await store) };
});

const eventSchema = z.object({ days: z.number().int().min(1).max(365).optional() });

/** Time kept back from the Lambda deadline to finish the campaign in hand and report. */
const RESERVE_MS = 30_000;

export const handler = middy(
  async (rawEvent: unknown, context: Context, { signal }: { signal: AbortSignal }) => {
    const event = eventSchema.parse(rawEvent ?? {});
    const { config, log, deps } = await runtime();
    const summary = await forgettingRefusedCredentials(runtime, () =>
      collectSendSage(
        config,
        // Two days by default: a schedule runs often, and a test finishes within hours of being sent.
        { days: event.days ?? 2 },
        {
          ...deps,
          budgets,
          log,
          signal,
          deadline: systemClock.now() + context.getRemainingTimeInMillis(),
          reserveMs: RESERVE_MS,
          lease: { holder: thisProcess({ requestId: context.awsRequestId }) },
        },
      ),
    ).catch(leaseHeldAsNull(log));
    // Another run (the CLI, a backfill) holds the lease: not a failure; the state machine waits and invokes again.
    if (summary === null) return { busy: true, more: false };
    const report = {
      source: summary.source,
      days: summary.days,
      rows: summary.datasets.reduce((n, d) => n + d.rows, 0),
      items: Object.fromEntries(
        summary.datasets.map((d) => [d.dataset, { collected: d.collected, pending: d.pending, rows: d.rows }]),
      ),
      apiCalls: summary.counters.apiCalls,
      itemsFailed: summary.itemsFailed,
      itemsLeft: summary.itemsLeft,
      // Items the deadline left unfetched. Tests still running at SendSage (`pending`) do not count: they are
      // fetched again by the next scheduled run, and looping on them would only poll SendSage until they finish.
      more: summary.itemsLeft > 0,
      elapsedMs: summary.elapsedMs,
    };
    log.info('collection finished', report);
    metrics.count('RowsLanded', report.rows, { Source: 'sendsage', Account: metrics.account });
    if (summary.itemsFailed > 0) throw new Error(`${summary.itemsFailed} items failed: ${JSON.stringify(report)}`);
    return report;
  },
  { timeoutEarlyInMillis: 10_000 },
).use(redactErrors());
