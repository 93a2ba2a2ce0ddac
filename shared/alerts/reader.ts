import type { ObjectStore } from '../lake/object-store';
import type { DigestCounter, FailureCodeMeaning, RollupDims } from '../lake/roles';
import { listingOnce, type UnreadableFile, visitRollups } from '../lake/rollup-reader';
import type { FailureCell, ServerCell } from './detect';
import type { PlacementTables } from './placement';

/**
 * The tables the alerts read and what their cells count: the same roles the digest reads, so the app passes
 * `digestTables(sources)` (the alerts never name a table or a source). Structural, so neither room imports the other.
 */
export interface AlertTables {
  /** Tables whose `totals` rollups count a server's traffic, and which counters a cell adds to. */
  readonly totals: readonly {
    readonly table: string;
    readonly counts: (dims: RollupDims) => readonly DigestCounter[];
  }[];
  /** Tables whose `bounces` rollups count failures by code and recipient domain. */
  readonly bounces: readonly string[];
  /** The code's family: which codes are blocks is a threshold naming families. */
  readonly describeFailureCode: (code: number | null) => FailureCodeMeaning | null;
  /** The SendSage placement tables, if a source has them (their rows, not rollups: see ./placement.ts). */
  readonly placement?: PlacementTables | null;
}

export interface AlertCounts {
  readonly servers: ServerCell[];
  readonly failures: FailureCell[];
  readonly unreadable: UnreadableFile[];
}

/** The quarter-hour counts of [start, end) the detection needs, from the `totals` and `bounces` rollups. */
export async function readAlertCounts(
  store: ObjectStore,
  tables: AlertTables,
  start: number,
  end: number,
): Promise<AlertCounts> {
  const unreadable: UnreadableFile[] = [];
  const source = listingOnce(store);
  const cells = new Map<string, { server: number; period: number } & Record<Counter, number>>();
  for (const { table, counts } of tables.totals) {
    await visitRollups(
      source,
      table,
      'totals',
      start,
      end,
      (r) => {
        const server = Number(r.partition.server_id);
        if (!Number.isFinite(server)) return;
        const key = `${server}:${r.period}`;
        let c = cells.get(key);
        if (!c) {
          c = { server, period: r.period, queued: 0, processed: 0, bounces: 0, complaints: 0 };
          cells.set(key, c);
        }
        for (const k of counts(r.dims)) {
          const into = counterOf[k];
          if (into) c[into] += r.count;
        }
      },
      unreadable,
    );
  }
  const failures: FailureCell[] = [];
  for (const table of tables.bounces) {
    await visitRollups(
      source,
      table,
      'bounces',
      start,
      end,
      (r) => {
        const server = Number(r.partition.server_id);
        const code = r.dims.failure_code;
        const domain = r.dims.recipient_domain;
        if (!Number.isFinite(server) || typeof code !== 'number' || typeof domain !== 'string') return;
        failures.push({ server, period: r.period, domain, code, count: r.count });
      },
      unreadable,
    );
  }
  return { servers: [...cells.values()], failures, unreadable };
}

type Counter = 'queued' | 'processed' | 'bounces' | 'complaints';

/** The digest counters the alerts use, and what they add to. */
const counterOf: Partial<Record<DigestCounter, Counter>> = {
  queued: 'queued',
  processed: 'processed',
  hard_bounces: 'bounces',
  soft_bounces: 'bounces',
  complaints: 'complaints',
};
