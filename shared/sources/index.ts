import { ConfigError } from '../core/errors';
import type { TableDef } from '../lake/table';
import type { SourceCommand, SourceDescriptor } from './descriptor';
import { sendsage } from './sendsage';
import { socketlabsV1 } from './socketlabs-v1';
import { socketlabsV2 } from './socketlabs-v2';

/**
 * The registry: the only list of sources. The CLI's commands, the Lambda handler, the stack (functions, schedules,
 * IAM, Glue tables), the catalog and the digest's table roles are all derived from it; a new source is a folder
 * under shared/sources/ and one line here. Consumers take a registry as an argument with this one as the default,
 * so a test can add a source of its own.
 *
 * Order matters where lists are made from it: the catalog (README schema, DuckDB views) lists v2, v1, SendSage; the
 * digest names a server's source by the first generation in this order that counted for it.
 */
export const sources: readonly SourceDescriptor[] = [socketlabsV2, socketlabsV1, sendsage];

export type Registry = readonly SourceDescriptor[];

/** The commands of a registry, in its order, each once (generations share theirs). */
export function commandsOf(registry: Registry = sources): SourceCommand[] {
  return [...new Set(registry.map((s) => s.command))];
}

/** The generations a command has in a registry. */
export function generationsOf(command: SourceCommand, registry: Registry = sources): SourceDescriptor[] {
  return registry.filter((s) => s.command === command);
}

/** The descriptor serving a command's config: its only one, or the generation whose `serves` accepts the config. */
export function descriptorFor(command: SourceCommand, config: unknown, registry: Registry = sources): SourceDescriptor {
  const generations = generationsOf(command, registry);
  const found = generations.length === 1 ? generations[0] : generations.find((g) => g.serves?.(config));
  if (!found) throw new Error(`no generation of ${command.name} serves this configuration`);
  return found;
}

/** Every table of every source, in registry order. */
export function tablesOf(registry: Registry = sources): TableDef[] {
  return registry.flatMap((s) => s.tables);
}

/** The command the stack names in a collector function's INBOXLAKE_SOURCE. */
export function commandFromEnv(env: Record<string, string | undefined>, registry: Registry = sources): SourceCommand {
  const name = env.INBOXLAKE_SOURCE;
  const command = commandsOf(registry).find((c) => c.name === name);
  if (!command) {
    const known = commandsOf(registry).map((c) => c.name);
    throw new ConfigError(
      `INBOXLAKE_SOURCE must name a source (${known.join(', ')}), got ${name ? `'${name}'` : 'nothing'}`,
    );
  }
  return command;
}
