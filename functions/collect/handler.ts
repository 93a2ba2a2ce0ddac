import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { collectSource, failureMessage, failuresOf, reportOf } from '../../shared/app/collect';
import { collectorDeps, openLake } from '../../shared/app/lake';
import { leaseHeldAsNull, thisProcess } from '../../shared/app/leases';
import { forgettingRefusedCredentials, loadRuntimeConfig, once } from '../../shared/app/secrets';
import { loadLakeConfig } from '../../shared/config';
import { systemClock } from '../../shared/core/clock';
import { RateBudgetRegistry } from '../../shared/engine/rate-budget';
import { createLogger } from '../../shared/log';
import { commandFromEnv, descriptorFor } from '../../shared/sources';
import { createMetrics } from '../metrics';
import { redactErrors } from '../redact-errors';

/**
 * A scheduled collection of the source the stack names in INBOXLAKE_SOURCE (one function per configured account):
 * the source's default request (SocketLabs: what its re-read schedule has due; SendSage: the recent tests), or the event's (a
 * backfill), stopping before the Lambda deadline with its progress saved; `more: true` asks the caller (a Step
 * Functions loop) to invoke it again with the same event. Built once per container: the lake and the rate budgets
 * at load, the source's config on the first invocation (its credentials may have to be read from Secrets Manager).
 */
// The environment as the function was started with; only reading the secret it may name waits for an invocation.
const env = { ...process.env };
const command = commandFromEnv(env);
const lakeConfig = loadLakeConfig(env);
const store = openLake(lakeConfig);
const budgets = new RateBudgetRegistry();
const metrics = createMetrics(env);
const runtime = once(async () => {
  const config = await loadRuntimeConfig(command, env);
  // Lines pass the secret registry, which reading the config filled.
  const log = createLogger({ json: true });
  return { config, source: descriptorFor(command, config), log, deps: collectorDeps(lakeConfig, await store) };
});

export const handler = middy(
  async (rawEvent: unknown, context: Context, { signal }: { signal: AbortSignal }) => {
    // Everything else EventBridge sends is ignored.
    const event = command.lambda.eventSchema.parse(rawEvent ?? {});
    const { config, source, log, deps } = await runtime();
    const now = systemClock.now();
    const summary = await forgettingRefusedCredentials(runtime, () =>
      collectSource(source, config, command.lambda.request(event as never, config, now), {
        ...deps,
        budgets,
        log,
        signal,
        deadline: now + context.getRemainingTimeInMillis(),
        reserveMs: command.lambda.reserveMs,
        lease: { holder: thisProcess({ requestId: context.awsRequestId }) },
      }),
    ).catch(leaseHeldAsNull(log));
    // Another run (the CLI, a backfill) holds the lease: not a failure; the state machine waits and invokes again.
    if (summary === null) return { busy: true, more: false };
    const report = reportOf(summary);
    log.info('collection finished', report);
    // Rows that landed count even when some failed; the "no data landed" alarm watches this sum.
    metrics.count('RowsLanded', report.rows as number, { Source: command.name, Account: metrics.account });
    // Failures make the invocation fail, so retries, the DLQ and the error alarm see it.
    if (failuresOf(summary) > 0) throw new Error(failureMessage(summary));
    return report;
  },
  // Abort in-flight requests 10 s before Lambda would kill us; the engine itself stops starting windows much earlier.
  { timeoutEarlyInMillis: 10_000 },
).use(redactErrors());
