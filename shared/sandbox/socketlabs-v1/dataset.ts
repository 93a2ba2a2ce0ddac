/**
 * Deterministic synthetic data for the SocketLabs Reporting API v1 simulator. Records are the API's JSON items, key
 * for key (PascalCase, in the order the guide's examples show them). Nothing is generated up front: a dataset-day only
 * gets its sorted timestamps when something first reads it, and a record is rebuilt from its own seed every time it is
 * read, so a million-row lake costs a few bytes per row until someone materialises it.
 *
 * This module holds the store: the lazy timelines per (dataset, server), the planted block, late records and range
 * queries; the shapes, dates, tables, record builders and volume profile live beside it.
 */
import { type BlockIncident, blockReason, checkBlockIncident, fillBlockFloor, isBlocked } from '../block-incident';
import { DayTimeline, type RecordFactory } from '../day-timeline';
import { hashSeed, Rng } from '../random';
import { formatUtcDate, formatV1DateTime, parseUtcDate, parseV1DateTime } from './dates';
import { type V1DataOptions, type V1Dataset, type V1Record, v1Datasets } from './model';
import { builders, domainOf, localIp, type PoolMessage, poolMessage, recipient, seriesSeed } from './record-builders';
import { defaultV1Profile } from './volume-profile';

const DAY = 86_400;

/** Checks the options every simulated account (v1 or v2) shares; returns its date range as day numbers. */
export function checkAccountOptions(options: {
  readonly seed: number;
  readonly serverIds: readonly number[];
  readonly from: string;
  readonly to: string;
}): { first: number; last: number } {
  const { seed, serverIds, from, to } = options;
  if (!Number.isFinite(seed)) throw new Error('seed must be a finite number');
  if (serverIds.length === 0) throw new Error('at least one server id is required');
  for (const id of serverIds) {
    if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`invalid server id ${id}`);
  }
  if (new Set(serverIds).size !== serverIds.length) throw new Error('duplicate server ids');
  const first = parseUtcDate(from);
  const last = parseUtcDate(to);
  if (first > last) throw new Error(`from (${from}) is after to (${to})`);
  return { first, last };
}

/**
 * The canonical data of a simulated account: records per (dataset, server), sorted by DateTime, ties broken by
 * generation order and then arrival order of late records. Positions are zero-based over one (dataset, server).
 */
export class V1Store {
  readonly seed: number;
  readonly serverIds: readonly number[];
  readonly from: string;
  readonly to: string;
  private readonly seriesMap = new Map<string, DayTimeline<V1Record>>();
  private readonly poolSeeds = new Map<number, number>();

  constructor(options: V1DataOptions) {
    const { seed, serverIds, from, to } = options;
    const { first, last } = checkAccountOptions(options);
    this.seed = seed;
    this.serverIds = [...serverIds];
    this.from = from;
    this.to = to;
    const profile = options.profile ?? defaultV1Profile(seed, options.ratios);
    if (options.incident) checkBlockIncident(options.incident, serverIds);
    for (const serverId of serverIds) {
      for (const dataset of v1Datasets) {
        const counts: number[] = [];
        for (let dayNum = first; dayNum <= last; dayNum++) {
          const count = profile(dataset, formatUtcDate(dayNum), serverId);
          if (!(Number.isFinite(count) && count >= 0)) {
            throw new Error(`profile returned ${count} for ${dataset} ${formatUtcDate(dayNum)} ${serverId}`);
          }
          counts.push(Math.floor(count));
        }
        const series = new DayTimeline(
          seriesSeed(seed, dataset, serverId),
          first,
          counts,
          this.recordFactory(dataset, serverId),
        );
        this.seriesMap.set(`${dataset}:${serverId}`, series);
      }
    }
    if (options.incident) this.plantBlock(options.incident);
  }

  /**
   * The Reporting API keeps each dataset apart, so a block adds to messagesFailed one rejection of every message the
   * server queued to the domain within the incident, a few seconds after it was queued. With a floor, an hour whose
   * own mail to the domain falls short gains messages queued to the domain and rejected, up to the floor.
   */
  private plantBlock(incident: BlockIncident): void {
    const queued = this.series('queued', incident.serverId);
    const failed = this.series('failed', incident.serverId);
    const last = (parseUtcDate(this.to) + 1) * DAY - 1;
    const toSec = Math.min(last, Math.ceil((incident.to ?? Number.POSITIVE_INFINITY) / 1000) - 1);
    const { start, end } = queued.range(Math.ceil(incident.from / 1000), toSec);
    for (let p = start; p < end; p++) {
      const sec = queued.secondAt(p);
      const msg = queued.recordAt(p);
      if (!isBlocked(incident, incident.serverId, sec, domainOf(String(msg.ToAddress)))) continue;
      const rng = new Rng(hashSeed(this.seed, 'block', incident.serverId, p));
      this.reject(incident, msg, Math.min(sec + rng.int(1, 20), last), rng);
    }
    const isRejection = (r: V1Record) =>
      r.FailureCode === incident.code &&
      r.FailureType === 1 &&
      domainOf(String(r.ToAddress)).toLowerCase() === incident.domain;
    fillBlockFloor(
      incident,
      this.seed,
      last,
      (fromSec, toSec) => {
        const { start, end } = failed.range(fromSec, toSec);
        return failed.slice(start, end).filter(isRejection).length;
      },
      (sec, rng) => {
        const queuedSec = sec - rng.int(1, 20);
        const msg: V1Record = {
          ...queued.makeRecord(queuedSec, rng.uint32()),
          DateTime: formatV1DateTime(queuedSec),
          ToAddress: recipient(rng, incident.domain),
        };
        queued.insert(msg, queuedSec);
        this.reject(incident, msg, sec, rng);
      },
    );
  }

  /** Adds to messagesFailed the incident's rejection of a queued message at a second. */
  private reject(incident: BlockIncident, msg: V1Record, at: number, rng: Rng): void {
    const failed = this.series('failed', incident.serverId);
    failed.insert(
      {
        ...failed.makeRecord(at, rng.uint32()),
        DateTime: formatV1DateTime(at),
        MessageId: msg.MessageId,
        MailingId: msg.MailingId,
        ToAddress: msg.ToAddress,
        FromAddress: msg.FromAddress,
        FailureType: 1,
        FailureCode: incident.code,
        Reason: blockReason(rng, localIp(incident.serverId, rng), incident.domain),
      },
      at,
    );
  }

  /** Whether the account has this server. */
  hasServer(serverId: number): boolean {
    return this.serverIds.includes(serverId);
  }

  /** @internal The series of one (dataset, server); throws for an unknown server. */
  series(dataset: V1Dataset, serverId: number): DayTimeline<V1Record> {
    const s = this.seriesMap.get(`${dataset}:${serverId}`);
    if (!s) throw new Error(`unknown dataset/server ${dataset}/${serverId}`);
    return s;
  }

  /** @internal Seed of the shared message pool of a server. */
  poolSeed(serverId: number): number {
    let s = this.poolSeeds.get(serverId);
    if (s === undefined) {
      s = seriesSeed(this.seed, 'pool', serverId);
      this.poolSeeds.set(serverId, s);
    }
    return s;
  }

  /** Number of records of a (dataset, server), late ones included. */
  size(dataset: V1Dataset, serverId: number): number {
    return this.series(dataset, serverId).total;
  }

  /** Positions [start, end) of the records whose DateTime lies within [fromSec, toSec], both inclusive; null = open. */
  range(
    dataset: V1Dataset,
    serverId: number,
    fromSec: number | null,
    toSec: number | null,
  ): { start: number; end: number } {
    return this.series(dataset, serverId).range(fromSec, toSec);
  }

  /** The record at a position (a fresh copy). */
  recordAt(dataset: V1Dataset, serverId: number, position: number): V1Record {
    return this.series(dataset, serverId).recordAt(position);
  }

  /** Epoch seconds of the record at a position, without building the record. */
  secondAt(dataset: V1Dataset, serverId: number, position: number): number {
    return this.series(dataset, serverId).secondAt(position);
  }

  /** Records at positions [start, end). */
  slice(dataset: V1Dataset, serverId: number, start: number, end: number): V1Record[] {
    return this.series(dataset, serverId).slice(start, end);
  }

  /** Every record of a (dataset, server) in order; materialises them all, so mind the size. */
  records(dataset: V1Dataset, serverId: number): V1Record[] {
    return this.slice(dataset, serverId, 0, this.size(dataset, serverId));
  }

  /**
   * Adds a late record. DateTime may carry any offset; it is stored as canonical UTC with whole seconds, and a missing
   * ServerId is filled in. Returns the stored copy.
   */
  insert(dataset: V1Dataset, serverId: number, record: V1Record): V1Record {
    const series = this.series(dataset, serverId);
    const sec = parseV1DateTime(record.DateTime);
    if (sec === null) throw new Error(`insert: DateTime '${String(record.DateTime)}' is not an ISO date-time`);
    const stored: V1Record = { ServerId: serverId, ...record, DateTime: formatV1DateTime(sec) };
    series.insert(stored, sec);
    return { ...stored };
  }

  /** A realistic new record of a dataset at the given second, from its own seed (not stored). */
  makeRecord(dataset: V1Dataset, serverId: number, epochSec: number, variant: number): V1Record {
    return this.series(dataset, serverId).makeRecord(epochSec, variant);
  }

  /**
   * Builds the records of one (dataset, server) around the server's message pool: record k of a queued day is pool
   * message k, and every other record (or a made-up one, without an index) draws one of that day's queued messages.
   */
  private recordFactory(dataset: V1Dataset, serverId: number): RecordFactory<V1Record> {
    let queued: DayTimeline<V1Record> | null = null;
    return (rng, epochSec, queuedIdx) => {
      const dayNum = Math.floor(epochSec / DAY);
      const poolSeed = this.poolSeed(serverId);
      let msg: PoolMessage;
      if (dataset === 'queued' && queuedIdx !== null) msg = poolMessage(poolSeed, dayNum, queuedIdx, serverId);
      else {
        queued ??= this.series('queued', serverId);
        const count = queued.generatedCount(dayNum);
        // Without queued messages that day, draw from a disjoint stretch of the pool so ids stay plausible.
        const k = count > 0 ? rng.int(0, count - 1) : 0x4000000 + rng.int(0, 0xffffff);
        msg = poolMessage(poolSeed, dayNum, k, serverId);
      }
      return builders[dataset]({ serverId, dateTime: formatV1DateTime(epochSec), msg }, rng);
    };
  }
}

/** Builds the (lazy) store of a simulated account; the same options always give the same records. */
export function generateV1Data(options: V1DataOptions): V1Store {
  return new V1Store(options);
}
