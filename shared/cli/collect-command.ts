import { type CollectRequest, collectSocketLabs } from '../app/collect-socketlabs';
import { collectorDeps } from '../app/lake';
import { type LakeConfig, loadSocketLabsConfig } from '../config';
import { dayWindows } from '../core/windows';
import { trailingRange } from '../engine/plan';
import { RateBudgetRegistry } from '../engine/rate-budget';
import type { ObjectStore } from '../lake/object-store';
import { createLogger } from '../log';
import { v1DatasetNames } from '../sources/socketlabs-v1/datasets';
import { createProgress } from './progress';
import { formatCollectSummary } from './summary';

export interface CollectCommandArgs {
  readonly from?: string;
  readonly to?: string;
  readonly datasets?: readonly string[];
  readonly serverIds?: readonly number[];
  /** Wait for a run holding the lease to finish instead of exiting with code 3. */
  readonly wait?: boolean;
}

/** `inboxlake collect socketlabs`: runs the collection with progress and prints the summary. */
export async function runCollect(
  args: CollectCommandArgs,
  env: Record<string, string | undefined>,
  lake: LakeConfig,
  store: ObjectStore,
): Promise<number> {
  const config = loadSocketLabsConfig(env);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const log = createLogger({ json: false });
  const range =
    args.from && args.to ? { from: args.from, to: args.to } : trailingRange(Date.now(), config.trailingDays);
  const request: CollectRequest = {
    from: args.from ?? range.from,
    to: args.to ?? range.to,
    datasets: args.datasets,
    serverIds: args.serverIds,
  };
  const servers = args.serverIds?.length ?? config.serverIds.length;
  const names = args.datasets?.length ? args.datasets : v1DatasetNames;
  // Day windows per report dataset plus one account snapshot; splits and skips adjust the bar as they happen.
  const perServer =
    names.filter((n) => n !== 'account').length * safeDayCount(request) + (names.includes('account') ? 1 : 0);
  out(`collecting SocketLabs ${config.generation} ${request.from} → ${request.to} into ${store.location}`);
  const progress = createProgress({
    tty: Boolean(process.stdout.isTTY),
    totalWindows: perServer * servers,
    write: out,
  });
  try {
    const summary = await collectSocketLabs(config, request, {
      ...collectorDeps(lake, store),
      budgets: new RateBudgetRegistry(),
      log,
      onEvent: progress.onEvent,
      lease: { wait: args.wait, onWait: (held) => out(`waiting: another run holds the lease ${held.key}`) },
    });
    progress.stop();
    out(formatCollectSummary(summary));
    return summary.windowsFailed > 0 ? 1 : 0;
  } finally {
    progress.stop();
  }
}

function safeDayCount(r: CollectRequest): number {
  try {
    return dayWindows(r.from, r.to).length;
  } catch {
    return 1;
  }
}
