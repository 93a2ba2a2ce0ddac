import type { DigestCounter, DigestRoles, FailureCodeMeaning, RollupDims } from '../lake/roles';
import type { TableDef } from '../lake/table';

/**
 * Which tables the digest reads, and for what, gathered from the sources' descriptors: the digest switches on these
 * roles, never on a table's name. A new source takes part in the digest by declaring roles for its tables.
 */
export interface DigestTables {
  /** Tables whose `totals` rollups make a server's daily figures, in registry order, with their source. */
  readonly totals: readonly {
    readonly table: string;
    readonly source: string;
    readonly counts: (dims: RollupDims) => readonly DigestCounter[];
  }[];
  /** Tables whose `bounces` and `hard_bounces` rollups hold the day's failure detail. */
  readonly bounces: readonly string[];
  /** What a failure code means, from the first source that documents its codes (none: null). */
  readonly describeFailureCode: (code: number | null) => FailureCodeMeaning | null;
  /** The inbox-placement tables, if a source has them. */
  readonly placement: NonNullable<DigestRoles['placement']> | null;
  /** Registry order of the sources, so a server counted by two generations is named by the first. */
  readonly sourceOrder: readonly string[];
}

/** The digest's tables of a list of sources (the registry, in the app), in its order. */
export function digestTables(
  registry: readonly { readonly name: string; readonly digest: DigestRoles }[],
): DigestTables {
  return {
    totals: registry.flatMap((s) =>
      Object.entries(s.digest.totals ?? {}).map(([table, counts]) => ({ table, source: s.name, counts })),
    ),
    bounces: registry.flatMap((s) => s.digest.bounces ?? []),
    describeFailureCode: registry.find((s) => s.digest.describeFailureCode)?.digest.describeFailureCode ?? (() => null),
    placement: registry.find((s) => s.digest.placement)?.digest.placement ?? null,
    sourceOrder: registry.map((s) => s.name),
  };
}

/** The placement tables as a list (what the digest reads rows of). */
export const placementTables = (t: DigestTables): TableDef[] =>
  t.placement ? [t.placement.campaigns, t.placement.ispResults, t.placement.spamRules, t.placement.messages] : [];
