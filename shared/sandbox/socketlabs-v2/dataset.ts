/**
 * Deterministic synthetic data for the SocketLabs API v2 simulator: message-detail items (camelCase, one item per
 * message status event) and per-server suppression lists. As in v1, nothing is generated up front: a (server, day)
 * gets its sorted seconds when something first reads it, and an item is rebuilt from its own seed every time it is
 * read, so a day of a million events costs four bytes per event until someone materialises it.
 *
 * Recipients, ids, senders, failure codes and reasons, complaint types and click URLs come from the v1 generator
 * (through `V1Store.makeRecord`), so both simulators share one vocabulary of quirks: empty and null ids, re-cased and
 * unicode addresses, reasons with CRLF, quotes, commas, unicode and markup.
 *
 * This module holds the store: the lazy timelines per server, the planted block floor, late items, range queries and
 * the suppression lists; the shapes, dates, tables, item builders and volume profile live beside it.
 */
import { type BlockIncident, blockReason, checkBlockIncident, fillBlockFloor } from '../block-incident';
import { DayTimeline } from '../day-timeline';
import { hashSeed, Rng } from '../random';
import { checkAccountOptions, generateV1Data, type V1Store } from '../socketlabs-v1/dataset';
import { formatUtcDate, parseUtcDate } from '../socketlabs-v1/dates';
import { recipient } from '../socketlabs-v1/record-builders';
import { categoryTable, manualReasons, suppressionSourceTable, unsubscribeReasons } from './content-tables';
import { formatV2DateTime, parseV2DateTime } from './dates';
import {
  bounceStatusOf,
  buildItem,
  domainOf,
  type ItemContext,
  remoteMtaFor,
  sendingIp,
  v2Text,
} from './item-builders';
import { DEFAULT_HISTORY_DAYS, defaultV2EventMix, type V2DataOptions, type V2Item, v2MessageFields } from './model';
import { defaultV2Profile } from './volume-profile';

const DAY = 86_400;

/**
 * The canonical data of a simulated v2 account: message-detail items per server sorted by statusDate (positions are
 * zero-based per server), suppression lists, and each server's plan history limit.
 */
export class V2Store {
  readonly seed: number;
  readonly serverIds: readonly number[];
  readonly from: string;
  readonly to: string;
  /** Bumped by every insert, so callers can tell whether something they derived from positions is stale. */
  version = 0;
  private readonly v1: V1Store;
  private readonly timelines = new Map<number, DayTimeline<V2Item>>();
  private readonly suppressionLists = new Map<number, readonly V2Item[]>();
  private readonly history: V2DataOptions['historyDays'];

  constructor(options: V2DataOptions) {
    const { seed, serverIds, from, to } = options;
    const { first, last } = checkAccountOptions(options);
    const checkHistory = (days: number) => {
      if (!(Number.isInteger(days) && days >= 0)) throw new Error(`historyDays must be a non-negative integer`);
    };
    if (typeof options.historyDays === 'number') checkHistory(options.historyDays);
    else for (const days of Object.values(options.historyDays ?? {})) checkHistory(days);
    if (options.incident) checkBlockIncident(options.incident, serverIds);
    this.seed = seed;
    this.serverIds = [...serverIds];
    this.from = from;
    this.to = to;
    this.history = options.historyDays;

    const profile = options.profile ?? defaultV2Profile(seed);
    const counts = new Map<string, number>();
    for (const serverId of serverIds) {
      for (let dayNum = first; dayNum <= last; dayNum++) {
        const date = formatUtcDate(dayNum);
        const count = profile(date, serverId);
        if (!(Number.isFinite(count) && count >= 0))
          throw new Error(`profile returned ${count} for ${date} ${serverId}`);
        counts.set(`${serverId}:${date}`, Math.floor(count));
      }
    }
    // The v1 pool supplies the messages: about two events per message, so several items share a messageId.
    this.v1 = generateV1Data({
      seed: hashSeed(seed, 'v2-pool'),
      serverIds,
      from,
      to,
      profile: (dataset, date, serverId) =>
        dataset === 'queued' ? Math.ceil((counts.get(`${serverId}:${date}`) ?? 0) / 2) : 0,
    });
    const ctx: ItemContext = {
      v1: this.v1,
      categories: categoryTable({ ...defaultV2EventMix, ...options.events }),
      incident: options.incident,
    };
    for (const serverId of serverIds) {
      const generated: number[] = [];
      for (let dayNum = first; dayNum <= last; dayNum++) {
        generated.push(counts.get(`${serverId}:${formatUtcDate(dayNum)}`) ?? 0);
      }
      const timeline = new DayTimeline<V2Item>(hashSeed(seed, 'v2-timeline', serverId), first, generated, (rng, sec) =>
        buildItem(ctx, serverId, rng, sec),
      );
      this.timelines.set(serverId, timeline);
    }
    if (options.incident) this.plantBlockFloor(options.incident, (last + 1) * DAY - 1);
  }

  /**
   * Tops the incident's hours up to its floor with rejected messages to the domain: realistic items of the server
   * (ids, sender, subject, size) sent to an address at the domain and rejected at once with the incident's code.
   */
  private plantBlockFloor(incident: BlockIncident, lastSec: number): void {
    const { serverId, domain, code } = incident;
    const isRejection = (i: V2Item) =>
      i.status === 'Failed' && i.failureType === 'Hard' && i.failureCode === code && domainOf(String(i.to)) === domain;
    fillBlockFloor(
      incident,
      this.seed,
      lastSec,
      (fromSec, toSec) => {
        const { start, end } = this.range(serverId, fromSec, toSec);
        return this.slice(serverId, start, end).filter(isRejection).length;
      },
      (sec, rng) => {
        const ipAddress = sendingIp(serverId, rng);
        const reason = blockReason(rng, ipAddress, domain);
        this.insert(serverId, {
          ...this.makeItem(serverId, sec, rng.uint32()),
          to: recipient(rng, domain),
          status: 'Failed',
          queuedTime: formatV2DateTime(sec - rng.int(0, 30)),
          statusDate: formatV2DateTime(sec),
          deliveryTime: null,
          failureType: 'Hard',
          failureCode: code,
          bounceStatus: bounceStatusOf(reason),
          reason,
          remoteMta: remoteMtaFor(domain, rng),
          fblType: null,
          url: null,
          ipAddress,
        });
      },
    );
  }

  /** Whether the account has this server. */
  hasServer(serverId: number): boolean {
    return this.timelines.has(serverId);
  }

  /** Days of detailed reporting history the server's plan allows. */
  historyDays(serverId: number): number {
    if (typeof this.history === 'number') return this.history;
    return this.history?.[serverId] ?? DEFAULT_HISTORY_DAYS;
  }

  private timeline(serverId: number): DayTimeline<V2Item> {
    const t = this.timelines.get(serverId);
    if (!t) throw new Error(`unknown server ${serverId}`);
    return t;
  }

  /** Number of message-detail items of a server, late ones included. */
  size(serverId: number): number {
    return this.timeline(serverId).total;
  }

  /** Positions [start, end) of the items whose statusDate lies within [fromSec, toSec], both inclusive; null = open. */
  range(serverId: number, fromSec: number | null, toSec: number | null): { start: number; end: number } {
    return this.timeline(serverId).range(fromSec, toSec);
  }

  /** The item at a position (a fresh copy). */
  itemAt(serverId: number, position: number): V2Item {
    return this.timeline(serverId).recordAt(position);
  }

  /** Epoch seconds of the statusDate at a position, without building the item. */
  secondAt(serverId: number, position: number): number {
    return this.timeline(serverId).secondAt(position);
  }

  /** Items at positions [start, end). */
  slice(serverId: number, start: number, end: number): V2Item[] {
    return this.timeline(serverId).slice(start, end);
  }

  /** Every item of a server in order; materialises them all, so mind the size. */
  items(serverId: number): V2Item[] {
    return this.slice(serverId, 0, this.size(serverId));
  }

  /**
   * Adds a late item. statusDate is required and may carry any offset; it (and queuedTime/deliveryTime when they are
   * ISO date-times) is stored as canonical UTC with whole seconds. Missing known fields become null. Returns a copy.
   */
  insert(serverId: number, item: V2Item): V2Item {
    const t = this.timeline(serverId);
    const sec = parseV2DateTime(item.statusDate);
    if (sec === null) throw new Error(`insert: statusDate '${String(item.statusDate)}' is not an ISO date-time`);
    const stored: V2Item = Object.fromEntries(v2MessageFields.map((f) => [f, null]));
    Object.assign(stored, item, { statusDate: formatV2DateTime(sec) });
    for (const key of ['queuedTime', 'deliveryTime']) {
      const s = parseV2DateTime(stored[key]);
      if (s !== null) stored[key] = formatV2DateTime(s);
    }
    t.insert(stored, sec);
    this.version++;
    return { ...stored };
  }

  /** A realistic new item at the given second, from its own seed (not stored). */
  makeItem(serverId: number, epochSec: number, variant: number): V2Item {
    return this.timeline(serverId).makeRecord(Math.floor(epochSec), variant);
  }

  /**
   * The suppression list of a server: a few hundred recipients, unique case-insensitively, ordered by
   * suppressionLastUpdate (ties by address). Entries run from a year before `from` to the end of `to`.
   */
  suppressions(serverId: number): readonly V2Item[] {
    const known = this.suppressionLists.get(serverId);
    if (known) return known.map((s) => ({ ...s }));
    this.timeline(serverId);
    const rng = new Rng(hashSeed(this.seed, 'v2-suppressions', serverId));
    const target = rng.int(180, 420);
    const firstSec = (parseUtcDate(this.from) - 365) * DAY;
    const lastSec = (parseUtcDate(this.to) + 1) * DAY - 1;
    const seen = new Set<string>();
    const entries: { sec: number; item: V2Item }[] = [];
    for (let attempt = 0; attempt < target * 3 && entries.length < target; attempt++) {
      const sec = rng.int(firstSec, lastSec);
      const msg = this.v1.makeRecord('queued', serverId, sec, rng.uint32());
      const address = String(msg.ToAddress);
      const source = rng.pickWeighted(suppressionSourceTable);
      let reason: string | null;
      switch (source) {
        case 'Bounce': {
          const f = this.v1.makeRecord('failed', serverId, sec, rng.uint32());
          reason = v2Text(f.Reason, f.ToAddress, address);
          break;
        }
        case 'Complaint':
          reason = `Recipient filed a complaint (FBL "${rng.pick(['abuse', 'fraud', 'other'])}")`;
          break;
        case 'Unsubscribe':
          reason = rng.pick(unsubscribeReasons);
          break;
        case 'Manual':
          reason = rng.pick(manualReasons);
          break;
        default:
          reason = rng.chance(0.5) ? '' : null;
      }
      if (seen.has(address.toLowerCase())) continue;
      seen.add(address.toLowerCase());
      entries.push({
        sec,
        item: { emailAddress: address, suppressionLastUpdate: formatV2DateTime(sec), reason, source },
      });
    }
    entries.sort(
      (a, b) =>
        a.sec - b.sec ||
        (String(a.item.emailAddress) < String(b.item.emailAddress)
          ? -1
          : String(a.item.emailAddress) > String(b.item.emailAddress)
            ? 1
            : 0),
    );
    const list = entries.map((e) => e.item);
    this.suppressionLists.set(serverId, list);
    return list.map((s) => ({ ...s }));
  }

  /**
   * Changes a server's suppression list as a recipient unsubscribing or an operator removing an entry would:
   * an even variant adds a new address (sorting first by date and by address), an odd one removes the oldest entry.
   * Either way the list's total changes and every later position shifts by one.
   */
  changeSuppressions(serverId: number, variant: number): void {
    const list = this.suppressions(serverId);
    if (variant % 2 === 1 && list.length > 0) {
      this.suppressionLists.set(serverId, list.slice(1));
      return;
    }
    const first = parseV2DateTime(list[0]?.suppressionLastUpdate) ?? parseUtcDate(this.from) * DAY;
    const item: V2Item = {
      emailAddress: `0-changed-${variant.toString(36)}@example.org`,
      suppressionLastUpdate: formatV2DateTime(first - 1),
      reason: 'Unsubscribed while the list was being read',
      source: 'Unsubscribe',
    };
    this.suppressionLists.set(serverId, [item, ...list]);
  }
}

/** Builds the (lazy) store of a simulated v2 account; the same options always give the same items. */
export function generateV2Data(options: V2DataOptions): V2Store {
  return new V2Store(options);
}
