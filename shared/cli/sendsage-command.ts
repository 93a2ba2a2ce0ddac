import { collectSendSage, type SendSageSummary } from '../app/collect-sendsage';
import { collectorDeps } from '../app/lake';
import { type LakeConfig, loadSendSageConfig } from '../config';
import { RateBudgetRegistry } from '../engine/rate-budget';
import type { ObjectStore } from '../lake/object-store';
import { createLogger } from '../log';
import { formatTable } from './summary';

/** `inboxlake collect sendsage --days N`: delivery tests, previews and the seed list, with a summary. */
export async function runSendSage(
  days: number,
  env: Record<string, string | undefined>,
  lake: LakeConfig,
  store: ObjectStore,
  wait = false,
): Promise<number> {
  const config = loadSendSageConfig(env);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`collecting SendSage Monitor, the last ${days} days, into ${store.location}`);
  const summary = await collectSendSage(
    config,
    { days },
    {
      ...collectorDeps(lake, store),
      budgets: new RateBudgetRegistry(),
      log: createLogger({ json: false }),
      onItem: (dataset, key, rows) => out(`${dataset} ${key}: ${rows} rows`),
      lease: { wait, onWait: (held) => out(`waiting: another run holds the lease ${held.key}`) },
    },
  );
  out(formatSendSageSummary(summary));
  return summary.itemsFailed > 0 ? 1 : 0;
}

/** Items listed, collected, still running at SendSage, skipped as complete, rows, quarantined, failures. */
export function formatSendSageSummary(s: SendSageSummary): string {
  const rows = s.datasets.map((d) => [
    d.dataset,
    d.listed,
    d.collected,
    d.pending,
    d.skippedComplete,
    d.rows,
    d.quarantined,
    d.failed.length,
  ]);
  const lines = [
    formatTable(['dataset', 'listed', 'collected', 'running', 'skipped (done)', 'rows', 'quarantined', 'failed'], rows),
    '',
    `${s.source}, last ${s.days} days: ${s.counters.apiCalls} API calls, ${s.counters.retries} retries; ${(s.elapsedMs / 1000).toFixed(1)} s`,
  ];
  for (const d of s.datasets) for (const w of d.warnings) lines.push(`warning: ${w}`);
  for (const d of s.datasets) for (const f of d.failed) lines.push(`failed: ${d.dataset} ${f.key}: ${f.error}`);
  if (s.itemsLeft > 0) lines.push(`stopped before the deadline: ${s.itemsLeft} items left for the next run`);
  return lines.join('\n');
}
