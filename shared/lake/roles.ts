import type { TableDef } from './table';

/**
 * The vocabulary in which a table states what it is for the digest: a source declares roles for its tables, and the
 * digest switches on roles, never on a table's name. It lives with the table model because both sides stand on it:
 * the sources (which declare) and the digest (which reads) import the lake, never each other.
 */

/** The digest's per-server counters a `totals` rollup cell can add to. */
export type DigestCounter =
  | 'queued'
  | 'processed'
  | 'hard_bounces'
  | 'soft_bounces'
  | 'suppressed'
  | 'complaints'
  | 'opens'
  | 'clicks';

/** A failure code's family and documented meaning. */
export interface FailureCodeMeaning {
  readonly category: string;
  readonly meaning: string;
}

export type RollupDims = Readonly<Record<string, string | number | boolean | null>>;

/**
 * The roles a source's tables play for the digest, which switches on roles, never on table names. Tables with a
 * server_id partition feed the per-server figures; the placement tables feed the campaign section.
 */
export interface DigestRoles {
  /** Tables whose `totals` rollup counts a server's day, and which counters a cell (by its dimensions) adds to. */
  readonly totals?: Readonly<Record<string, (dims: RollupDims) => readonly DigestCounter[]>>;
  /** Tables whose `bounces` and `hard_bounces` rollups hold a day's failure detail. */
  readonly bounces?: readonly string[];
  /** What a failure code in those rollups means (the API's documented codes). */
  readonly describeFailureCode?: (code: number | null) => FailureCodeMeaning | null;
  /** Inbox-placement tests: the campaigns and their per-provider results, spam rules and seed messages (rows). */
  readonly placement?: {
    readonly campaigns: TableDef;
    readonly ispResults: TableDef;
    readonly spamRules: TableDef;
    readonly messages: TableDef;
  };
}
