import { type CollectDeps, collectSource, failuresOf } from '../app/collect';
import { collectorDeps } from '../app/lake';
import type { LakeConfig } from '../config';
import { dayWindows } from '../core/windows';
import { RateBudgetRegistry } from '../engine/rate-budget';
import type { ObjectStore } from '../lake/object-store';
import { createLogger } from '../log';
import { descriptorFor, type Registry, sources } from '../sources';
import type { ItemRequest, SourceCommand, WindowedRequest } from '../sources/descriptor';
import { createProgress } from './progress';
import { formatCollectSummary, formatItemSummary } from './summary';

/**
 * `inboxlake collect <source>`: reads the source's config, runs the collection with progress (windows: a bar or a
 * line per window; items: a line per item) and prints the summary. Exit 1 when anything failed.
 */
export async function runCollect(
  command: SourceCommand,
  args: unknown,
  wait: boolean,
  env: Record<string, string | undefined>,
  lake: LakeConfig,
  store: ObjectStore,
  registry: Registry = sources,
): Promise<number> {
  const config = command.loadConfig(env);
  const request = command.cli.request(args, config, Date.now());
  return collectWithProgress(command, config, request, wait, lake, store, registry);
}

/** Collects `request` (already made from flags, or by `start`) and prints progress and the summary. */
export async function collectWithProgress(
  command: SourceCommand,
  config: unknown,
  request: WindowedRequest | ItemRequest,
  wait: boolean,
  lake: LakeConfig,
  store: ObjectStore,
  registry: Registry = sources,
): Promise<number> {
  const source = descriptorFor(command, config, registry);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(command.cli.header(config, request as WindowedRequest & ItemRequest, store.location));
  const deps: CollectDeps = {
    ...collectorDeps(lake, store),
    budgets: new RateBudgetRegistry(),
    log: createLogger({ json: false }),
    lease: { wait, onWait: (held) => out(`waiting: another run holds the lease ${held.key}`) },
  };
  if (source.collection.kind === 'items') {
    const summary = await collectSource(source, config, request, {
      ...deps,
      onItem: (dataset, key, rows) => out(`${dataset} ${key}: ${rows} rows`),
    });
    if (summary.kind === 'items') out(formatItemSummary(summary));
    return failuresOf(summary) > 0 ? 1 : 0;
  }
  const windowed = request as WindowedRequest;
  const names = windowed.datasets?.length ? windowed.datasets : source.collection.datasetNames;
  const servers = windowed.serverIds?.length ?? (config as { serverIds?: readonly number[] }).serverIds?.length ?? 1;
  // Day windows per report dataset plus one account snapshot; splits and skips adjust the bar as they happen.
  const perServer =
    names.filter((n) => n !== 'account').length * safeDayCount(windowed) + (names.includes('account') ? 1 : 0);
  const progress = createProgress({
    tty: Boolean(process.stdout.isTTY),
    totalWindows: perServer * servers,
    write: out,
  });
  try {
    const summary = await collectSource(source, config, request, { ...deps, onEvent: progress.onEvent });
    progress.stop();
    if (summary.kind === 'windowed') out(formatCollectSummary(summary));
    return failuresOf(summary) > 0 ? 1 : 0;
  } finally {
    progress.stop();
  }
}

function safeDayCount(r: WindowedRequest): number {
  try {
    return dayWindows(r.from, r.to).length;
  } catch {
    return 1;
  }
}
