import type { PartitionKey, RollupDef } from '../../lake/table';

// What the tables of both SocketLabs generations share, so the digest and the queries read either alike.

/** Partitions of every SocketLabs event table (both API generations), so one query shape reads either. */
export const socketlabsPartitionKeys: readonly PartitionKey[] = [
  { name: 'dt', type: 'date', description: 'UTC date of the event (YYYY-MM-DD).' },
  // A string, not a number: Athena's enum projection (the configured server ids) projects string keys only.
  { name: 'server_id', type: 'string', description: 'SocketLabs server id (digits; compare with a string literal).' },
];

/** Partitions of SocketLabs snapshot tables (account data, suppression list). */
export const socketlabsSnapshotPartitionKeys: readonly PartitionKey[] = [
  { name: 'dt', type: 'date', description: 'UTC date of the snapshot (YYYY-MM-DD).' },
  socketlabsPartitionKeys[1]!,
];

/**
 * The day-detail rollups of a failures table (v1 failed, v2 messages): bounces by code and recipient domain, and the
 * hard-bounced addresses for the suppression list. Only failures are counted, so their size follows the bounces,
 * not the mail volume.
 */
export const bounceRollups: readonly RollupDef[] = [
  {
    name: 'bounces',
    dimensions: ['failure_type_name', 'failure_code', 'recipient_domain'],
    where: { failure_type_name: ['hard', 'soft'] },
  },
  {
    name: 'hard_bounces',
    dimensions: ['to_address', 'failure_code', 'reason'],
    where: { failure_type_name: ['hard'] },
  },
];
