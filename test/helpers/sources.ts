import {
  type CollectDeps,
  type CollectSummary,
  collectSource,
  type ItemSummary,
  type SourceSummary,
} from '../../shared/app/collect';
import { descriptorFor } from '../../shared/sources';
import type { ItemRequest, WindowedRequest } from '../../shared/sources/descriptor';
import { sendsage } from '../../shared/sources/sendsage';
import type { SendSageConfig } from '../../shared/sources/sendsage/config';
import { socketlabsCommand } from '../../shared/sources/socketlabs-common/command';
import type { SocketLabsConfig } from '../../shared/sources/socketlabs-common/config';

/**
 * The collection use case for the two sources most tests drive, typed by their summaries: the same path as the
 * CLI and the handler (the registry's descriptor for the config, then `collectSource`).
 */

function expectKind<K extends SourceSummary['kind']>(s: SourceSummary, kind: K): Extract<SourceSummary, { kind: K }> {
  if (s.kind !== kind) throw new Error(`expected a ${kind} summary, got ${s.kind}`);
  return s as Extract<SourceSummary, { kind: K }>;
}

/** SocketLabs (the generation the config's URL names) for a date range. */
export async function collectSocketLabs(
  config: SocketLabsConfig,
  request: WindowedRequest,
  deps: CollectDeps,
): Promise<CollectSummary> {
  const source = descriptorFor(socketlabsCommand, config);
  return expectKind(await collectSource(source, config, request, deps), 'windowed');
}

/** SendSage for the last `days`. */
export async function collectSendSage(
  config: SendSageConfig,
  request: ItemRequest,
  deps: CollectDeps,
): Promise<ItemSummary> {
  return expectKind(await collectSource(sendsage, config, request, deps), 'items');
}

export type { CollectSummary, ItemSummary as SendSageSummary };
