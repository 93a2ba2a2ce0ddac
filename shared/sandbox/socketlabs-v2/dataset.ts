/**
 * Deterministic synthetic data for the SocketLabs API v2 simulator: message-detail items (camelCase, one item per
 * message status event) and per-server suppression lists. As in v1, nothing is generated up front: a (server, day)
 * gets its sorted seconds when something first reads it, and an item is rebuilt from its own seed every time it is
 * read, so a day of a million events costs four bytes per event until someone materialises it.
 *
 * Recipients, ids, senders, failure codes and reasons, complaint types and click URLs come from the v1 generator
 * (through `V1Store.makeRecord`), so both simulators share one vocabulary of quirks: empty and null ids, re-cased and
 * unicode addresses, reasons with CRLF, quotes, commas, unicode and markup.
 */
import { type BlockIncident, blockReason, checkBlockIncident, fillBlockFloor, isBlocked } from '../block-incident';
import { DayTimeline } from '../day-timeline';
import { dailyVolume } from '../mail-rhythm';
import { hashSeed, Rng, type WeightedTable, weightedTable } from '../random';
import { checkAccountOptions, generateV1Data, type V1Store } from '../socketlabs-v1/dataset';
import { formatUtcDate, formatV1DateTime, parseUtcDate, parseV1DateTime } from '../socketlabs-v1/dates';
import type { V1Record } from '../socketlabs-v1/model';
import { recipient } from '../socketlabs-v1/record-builders';

/** One API item: camelCase keys, date-times as canonical UTC (`2026-11-20T13:02:56Z`), null when not applicable. */
export type V2Item = Record<string, unknown>;

export type V2Status =
  | 'Queued'
  | 'Delivered'
  | 'Failed'
  | 'Deferred'
  | 'Suppressed'
  | 'Complained'
  | 'Opened'
  | 'Clicked';

/** Every status a message-detail item can have. */
export const v2Statuses: readonly V2Status[] = [
  'Queued',
  'Delivered',
  'Failed',
  'Deferred',
  'Suppressed',
  'Complained',
  'Opened',
  'Clicked',
];

/** How the simulator compares a field in filters and sorts. */
export type V2FieldType = 'string' | 'number' | 'date' | 'enum';

/** Message-detail fields in the order items (and CSV columns) carry them, with their types. */
export const v2MessageFieldTypes: Readonly<Record<string, V2FieldType>> = {
  messageId: 'string',
  mailingId: 'string',
  to: 'string',
  from: 'string',
  subject: 'string',
  status: 'enum',
  queuedTime: 'date',
  statusDate: 'date',
  deliveryTime: 'date',
  failureType: 'enum',
  failureCode: 'number',
  bounceStatus: 'string',
  reason: 'string',
  remoteMta: 'string',
  fblType: 'enum',
  url: 'string',
  ipAddress: 'string',
  messageSize: 'number',
};

/** Message-detail field names, in item order. */
export const v2MessageFields: readonly string[] = Object.keys(v2MessageFieldTypes);

/** Suppression-list fields in item order, with their types. */
export const v2SuppressionFieldTypes: Readonly<Record<string, V2FieldType>> = {
  emailAddress: 'string',
  suppressionLastUpdate: 'date',
  reason: 'string',
  source: 'enum',
};

/** Suppression-list field names, in item order. */
export const v2SuppressionFields: readonly string[] = Object.keys(v2SuppressionFieldTypes);

/** Number of message-detail items (status events) of a server on a UTC date (`YYYY-MM-DD`). */
export type V2Profile = (date: string, serverId: number) => number;

/** Days of detailed reporting history the plan allows when nobody says otherwise. */
export const DEFAULT_HISTORY_DAYS = 90;

export interface V2DataOptions {
  readonly seed: number;
  readonly serverIds: readonly number[];
  /** First UTC date with data, inclusive (`YYYY-MM-DD`). */
  readonly from: string;
  /** Last UTC date with data, inclusive (`YYYY-MM-DD`). */
  readonly to: string;
  readonly profile?: V2Profile;
  /** Plan reporting history in days: one value for every server, or per server id (others get the default, 90). */
  readonly historyDays?: number | Readonly<Record<number, number>>;
  /** Relative weights of the kinds of status event; unset ones keep `defaultV2EventMix`. */
  readonly events?: Partial<V2EventMix>;
  /** A block planted in the data: the server's deliveries to the domain within it fail with the code instead. */
  readonly incident?: BlockIncident;
}

/** Relative weights of what a status event is: a queueing, a delivery, a failure, a complaint or an open/click. */
export interface V2EventMix {
  readonly queued: number;
  readonly delivered: number;
  readonly failure: number;
  readonly complaint: number;
  readonly engagement: number;
}

/**
 * Roughly one queue and one delivery event per message, engagement for a fraction. Failures at 0.6 per 36 queued
 * make a bounce rate near 1.5 % (a few failures are suppressions, not bounces) and complaints at 0.012 per 35.4
 * delivered a complaint rate near 0.03 %: a healthy sender (Gmail and Yahoo ask bulk senders to stay under 0.1 %).
 */
export const defaultV2EventMix: V2EventMix = {
  queued: 36,
  delivered: 35.4,
  failure: 0.6,
  complaint: 0.012,
  engagement: 14,
};

const DAY = 86_400;

const twoDigits = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const dayPrefixes = new Map<number, string>();
let lastDayNum = Number.NaN;
let lastDayPrefix = '';

/** Epoch seconds rendered as the API's canonical UTC date-time (`2026-11-20T13:02:56Z`). */
export function formatV2DateTime(epochSec: number): string {
  const sec = Math.floor(epochSec);
  const dayNum = Math.floor(sec / DAY);
  // An item carries up to three stamps on different days; v1's one-day cache would miss on every other call.
  let prefix = dayNum === lastDayNum ? lastDayPrefix : dayPrefixes.get(dayNum);
  if (prefix === undefined) {
    prefix = formatV1DateTime(dayNum * DAY).slice(0, 11);
    if (dayPrefixes.size >= 4096) dayPrefixes.clear();
    dayPrefixes.set(dayNum, prefix);
  }
  lastDayNum = dayNum;
  lastDayPrefix = prefix;
  const s = sec - dayNum * DAY;
  return [
    prefix,
    twoDigits[Math.floor(s / 3600)],
    ':',
    twoDigits[Math.floor(s / 60) % 60],
    ':',
    twoDigits[s % 60],
    'Z',
  ].join('');
}

/** Whole epoch seconds of an ISO date-time with `Z` or an offset; null when it is not one. */
export const parseV2DateTime = (text: unknown): number | null => parseV1DateTime(text);

// ---------------------------------------------------------------------------------------------------------------------
// Content tables

/** The kinds of status event a generated item is (failure: failed, deferred or suppressed). */
export type V2EventKind = 'queued' | 'delivered' | 'failure' | 'complaint' | 'engagement';
type Category = V2EventKind;

function categoryTable(mix: V2EventMix): WeightedTable<Category> {
  return weightedTable<Category>([
    ['queued', mix.queued],
    ['delivered', mix.delivered],
    ['failure', mix.failure],
    ['complaint', mix.complaint],
    ['engagement', mix.engagement],
  ]);
}

type SubjectTemplate = (rng: Rng) => string | null;

/** Subjects chosen to break naive CSV, HTML and line-based handling as often as the reasons do. */
const subjectTable = weightedTable<SubjectTemplate>([
  [(r) => `Your receipt #${r.int(10_000, 999_999)}`, 10],
  [(r) => `Order ${r.int(1000, 99_999)} has shipped, arriving "soon"`, 8],
  [() => 'Weekly digest: top 10 stories', 8],
  [() => 'Reset your password', 6],
  [() => 'Welcome aboard!', 6],
  [() => 'Ünïcödé Sommerangebote 🌞 bis zu 50% Rabatt', 2],
  [() => '【セール】本日限り・送料無料', 1],
  [() => '<b>Flash sale</b> & <script>alert(1)</script>', 1],
  [() => 'Re: invoice, "March", final\r\n reminder', 1],
  [() => '  leading and trailing spaces  ', 0.5],
  [() => '', 0.5],
  [() => null, 0.3],
]);

const suppressionSourceTable = weightedTable<string>([
  ['Bounce', 50],
  ['Unsubscribe', 20],
  ['Manual', 12],
  ['Complaint', 10],
  ['Api', 8],
]);

const unsubscribeReasons = [
  'List-Unsubscribe one-click',
  'Unsubscribed via link, "weekly digest"',
  'Désinscription — Ünïcödé ✉️',
];
const manualReasons = ['Added by admin', 'Imported from "old list.csv", row 12', '<b>manual</b> entry\r\nsecond line'];

// ---------------------------------------------------------------------------------------------------------------------
// Item building

/** v1 texts spell some line breaks as a literal `{CRLF}`; v2 carries real ones. */
function v2Text(value: unknown, v1Address: unknown, address: string): string | null {
  if (typeof value !== 'string') return null;
  let text = value.includes('{CRLF}') ? value.replaceAll('{CRLF}', '\r\n') : value;
  // The detail came from another pool message; keep the reason talking about this item's recipient.
  if (typeof v1Address === 'string' && v1Address !== '' && v1Address !== address && text.includes(v1Address)) {
    text = text.split(v1Address).join(address);
  }
  return text;
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1).toLowerCase() : '';
}

function remoteMtaFor(domain: string, rng: Rng): string {
  if (rng.chance(0.01)) return rng.chance(0.5) ? '' : `[203.0.113.${rng.int(1, 254)}]`;
  if (domain === 'gmail.com' || domain === 'googlemail.com') {
    return rng.chance(0.6) ? 'gmail-smtp-in.l.google.com' : `alt${rng.int(1, 4)}.gmail-smtp-in.l.google.com`;
  }
  if (['yahoo.com', 'ymail.com', 'aol.com', 'yahoo.co.uk'].includes(domain)) {
    return `mta${rng.int(5, 7)}.am0.yahoodns.net`;
  }
  if (['outlook.com', 'hotmail.com', 'live.com', 'msn.com'].includes(domain)) {
    return `${domain.replaceAll('.', '-')}.olc.protection.outlook.com`;
  }
  if (['icloud.com', 'me.com', 'mac.com'].includes(domain)) return `mx0${rng.int(1, 6)}.mail.icloud.com`;
  return `mx${rng.int(1, 3)}.${domain || 'example.invalid'}`;
}

function sendingIp(serverId: number, rng: Rng): string {
  return `192.168.${100 + (serverId % 50)}.${117 + rng.int(0, 3)}`;
}

const enhancedStatusRe = /\b([245]\.\d{1,3}\.\d{1,3})\b/;

function bounceStatusOf(reason: string | null): string | null {
  return reason ? (enhancedStatusRe.exec(reason)?.[1] ?? null) : null;
}

/** The pool has no subjects; deriving one from the message's own fields keeps every event of a message agreeing. */
function subjectOf(msg: V1Record): string | null {
  const rng = new Rng(
    hashSeed(
      'subject',
      String(msg.MessageId ?? ''),
      String(msg.MailingId ?? ''),
      String(msg.ToAddress ?? ''),
      Number(msg.MessageSize ?? 0),
    ),
  );
  return rng.pickWeighted(subjectTable)(rng);
}

/** What every item of an account is built from: the v1 message pool, the event mix, a planted block if any. */
interface ItemContext {
  readonly v1: V1Store;
  readonly categories: WeightedTable<Category>;
  readonly incident: BlockIncident | undefined;
}

/** Builds the item of one status event at `statusSec` from its own generator. */
function buildItem(ctx: ItemContext, serverId: number, rng: Rng, statusSec: number): V2Item {
  const { v1 } = ctx;
  const msg = v1.makeRecord('queued', serverId, statusSec, rng.uint32());
  const to = String(msg.ToAddress);
  const category = rng.pickWeighted(ctx.categories);
  let status: V2Status = 'Queued';
  let delay = 0;
  let deliveryDelay: number | null = null;
  let failureType: string | null = null;
  let failureCode: number | null = null;
  let reason: string | null = null;
  let remoteMta: string | null = null;
  let fblType: string | null = null;
  let url: string | null = null;
  let ipAddress: string | null = null;
  switch (category) {
    case 'queued':
      break;
    case 'delivered': {
      const p = v1.makeRecord('processed', serverId, statusSec, rng.uint32());
      status = 'Delivered';
      delay = rng.chance(0.95) ? rng.int(0, 3) : rng.int(4, 900);
      deliveryDelay = delay;
      reason = v2Text(p.Response, p.ToAddress, to);
      remoteMta = remoteMtaFor(domainOf(to), rng);
      ipAddress = typeof p.LocalIp === 'string' ? p.LocalIp : sendingIp(serverId, rng);
      if (isBlocked(ctx.incident, serverId, statusSec, domainOf(to))) {
        // The provider rejects at once what it would have accepted: a hard failure, no delivery.
        status = 'Failed';
        failureType = 'Hard';
        failureCode = ctx.incident!.code;
        reason = blockReason(rng, ipAddress, domainOf(to));
        delay = rng.int(0, 30);
        deliveryDelay = null;
      }
      break;
    }
    case 'failure': {
      const f = v1.makeRecord('failed', serverId, statusSec, rng.uint32());
      const type = Number(f.FailureType);
      failureCode = typeof f.FailureCode === 'number' ? f.FailureCode : null;
      reason = v2Text(f.Reason, f.ToAddress, to);
      if (type === 2) {
        status = 'Suppressed';
        failureType = 'Suppressed';
      } else {
        failureType = type === 1 ? 'Hard' : 'Soft';
        status = type === 0 && rng.chance(0.4) ? 'Deferred' : 'Failed';
        // A soft failure is final only after the retries ran out, so its queue time is hours or days back.
        delay = type === 1 ? rng.int(0, 30) : status === 'Deferred' ? rng.int(1, 3600) : rng.int(3600, 3 * DAY);
        remoteMta = remoteMtaFor(domainOf(to), rng);
        ipAddress = sendingIp(serverId, rng);
      }
      break;
    }
    case 'complaint': {
      const c = v1.makeRecord('complaints', serverId, statusSec, rng.uint32());
      status = 'Complained';
      fblType = typeof c.Type === 'string' ? c.Type : 'abuse';
      reason = typeof c.UserAgent === 'string' ? `Feedback loop report from ${c.UserAgent}` : null;
      delay = rng.int(3600, 3 * DAY);
      deliveryDelay = rng.int(0, 5);
      break;
    }
    case 'engagement': {
      const e = v1.makeRecord('engagement', serverId, statusSec, rng.uint32());
      const open = e.EventType === 1;
      status = open ? 'Opened' : 'Clicked';
      url = open ? null : typeof e.URL === 'string' ? e.URL : null;
      ipAddress = typeof e.RemoteIp === 'string' ? e.RemoteIp : null;
      delay = rng.int(60, 2 * DAY);
      deliveryDelay = rng.int(0, 5);
      break;
    }
  }
  const queuedSec = statusSec - delay;
  return {
    messageId: msg.MessageId ?? null,
    mailingId: msg.MailingId ?? null,
    to,
    from: msg.FromAddress ?? null,
    subject: subjectOf(msg),
    status,
    queuedTime: formatV2DateTime(queuedSec),
    statusDate: formatV2DateTime(statusSec),
    deliveryTime: deliveryDelay === null ? null : formatV2DateTime(queuedSec + deliveryDelay),
    failureType,
    failureCode,
    bounceStatus: failureType === null ? null : bounceStatusOf(reason),
    reason,
    remoteMta,
    fblType,
    url,
    ipAddress,
    messageSize: typeof msg.MessageSize === 'number' ? msg.MessageSize : null,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Volume profile

/**
 * The default volumes: every server sends a steady 8,000–20,000 status events a weekday (its own level), fewer at
 * weekends, a little different from one day to the next.
 */
export function defaultV2Profile(seed: number): V2Profile {
  return (date, serverId) => dailyVolume(hashSeed(seed, 'v2-volume', serverId), parseUtcDate(date), 8000, 20_000);
}

// ---------------------------------------------------------------------------------------------------------------------
// Store

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
