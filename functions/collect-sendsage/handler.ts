import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { collectSendSage } from '../../shared/app/collect-sendsage';
import { collectorDeps, openLake } from '../../shared/app/lake';
import { loadLakeConfig, loadSendSageConfig } from '../../shared/config';
import { systemClock } from '../../shared/engine/clock';
import { RateBudgetRegistry } from '../../shared/engine/rate-budget';
import { createRedactor } from '../../shared/engine/redact';
import { createLogger } from '../../shared/log';

/**
 * Scheduled SendSage collection: tests and previews of the last `days` (running tests are collected again on
 * later runs until done) and the day's seed list. Built once per cold start: config, lake, budget.
 */
const lakeConfig = loadLakeConfig();
const config = loadSendSageConfig();
const redact = createRedactor([config.password]);
const log = createLogger({ redact, json: true });
const budgets = new RateBudgetRegistry();
const store = openLake(lakeConfig);

const eventSchema = z.object({ days: z.number().int().min(1).max(365).optional() });

/** Time kept back from the Lambda deadline to finish the campaign in hand and report. */
const RESERVE_MS = 30_000;

export const handler = middy(
  async (rawEvent: unknown, context: Context, { signal }: { signal: AbortSignal }) => {
    const event = eventSchema.parse(rawEvent ?? {});
    const summary = await collectSendSage(
      config,
      // Two days by default: a schedule runs often, and a test finishes within hours of being sent.
      { days: event.days ?? 2 },
      {
        ...collectorDeps(lakeConfig, await store),
        budgets,
        log,
        signal,
        deadline: systemClock.now() + context.getRemainingTimeInMillis(),
        reserveMs: RESERVE_MS,
      },
    );
    const report = {
      source: summary.source,
      days: summary.days,
      items: Object.fromEntries(
        summary.datasets.map((d) => [d.dataset, { collected: d.collected, pending: d.pending, rows: d.rows }]),
      ),
      apiCalls: summary.counters.apiCalls,
      itemsFailed: summary.itemsFailed,
      itemsLeft: summary.itemsLeft,
      elapsedMs: summary.elapsedMs,
    };
    log.info('collection finished', report);
    if (summary.itemsFailed > 0) throw new Error(`${summary.itemsFailed} items failed: ${JSON.stringify(report)}`);
    return report;
  },
  { timeoutEarlyInMillis: 10_000 },
);
