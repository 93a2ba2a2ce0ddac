/**
 * How one v1 record is built from its own seed: the server's pool of queued messages the other datasets refer back
 * to, recipients with real lists' quirks, and one builder per dataset. Apart from the store, which only decides which
 * record sits at which position and second.
 */
import { hashSeed, mixSeed, Rng } from '../random';
import {
  acceptResponses,
  clickUrls,
  complaintTypeTable,
  domainTable,
  failureCodeTable,
  feedbackLoops,
  firstNames,
  lastNames,
  mailingPrefixes,
  messageIdPrefixes,
  oddResponses,
  oddTexts,
  reasonTemplates,
  senderBrands,
  senderLocals,
  suppressionReasons,
  undocumentedFailureCodes,
  unicodeLocals,
} from './content-tables';
import { formatV1DateTime } from './dates';
import type { V1Dataset, V1Record } from './model';

const DAY = 86_400;

export interface PoolMessage {
  readonly MessageId: string | null;
  readonly MailingId: string | null;
  readonly ToAddress: string;
  readonly domain: string;
  readonly FromAddress: string;
  readonly MessageSize: number;
}

const internTable = new Map<string, string>();

/**
 * One shared copy of a low-cardinality string (sender, mailing id, local IP): a materialised million-row truth would
 * otherwise hold a million copies of the same few dozen values.
 */
function intern(value: string): string {
  const known = internTable.get(value);
  if (known !== undefined) return known;
  if (internTable.size < 100_000) internTable.set(value, value);
  return value;
}

function emptyish(rng: Rng): '' | null {
  return rng.chance(0.5) ? '' : null;
}

/** A recipient address at a domain, with the quirks of real lists (re-cased, unicode locals). */
export function recipient(rng: Rng, domain: string): string {
  const first = rng.pick(firstNames);
  const last = rng.pick(lastNames);
  let local: string;
  switch (rng.int(0, 5)) {
    case 0:
      local = `${first}.${last}`;
      break;
    case 1:
      local = `${first}${last}${rng.int(1, 99)}`;
      break;
    case 2:
      local = `${first[0]}.${last}`;
      break;
    case 3:
      local = `${first}_${last}`;
      break;
    case 4:
      local = `${first}+${rng.pick(['news', 'shop', 'x'])}`;
      break;
    default:
      local = `${first}${rng.int(1900, 2010)}`;
  }
  if (rng.chance(0.003)) local = rng.pick(unicodeLocals);
  const address = `${local}@${domain}`;
  if (rng.chance(0.04)) {
    // Mailbox providers preserve whatever case the list owner typed; the lake must not treat these as new recipients.
    return rng.chance(0.5)
      ? address.replace(/(^|[._])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase())
      : `${local}@${domain.toUpperCase()}`;
  }
  return address;
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1) : '';
}

/** Seed of a series (dataset × server) or of the shared message pool of a server. */
export function seriesSeed(seed: number, tag: string, serverId: number): number {
  return hashSeed(seed, tag, serverId);
}

/**
 * The messages queued on a day: record k of messagesQueued is message k, and the other datasets refer back to these,
 * so a failure, a complaint or a click usually names a recipient and ids that were really queued.
 */
export function poolMessage(poolSeed: number, dayNum: number, k: number, serverId: number): PoolMessage {
  const rng = new Rng(mixSeed(mixSeed(poolSeed, dayNum), k));
  let MessageId: string | null;
  if (rng.chance(0.25)) MessageId = emptyish(rng);
  else if (rng.chance(0.5)) MessageId = rng.hex(10);
  else MessageId = `${rng.pick(messageIdPrefixes)}-${rng.int(1, 9_999_999)}`;
  let MailingId: string | null;
  if (rng.chance(0.5)) MailingId = emptyish(rng);
  else {
    const prefix = rng.pick(mailingPrefixes);
    MailingId = intern(
      prefix === 'newsletter'
        ? `newsletter-${formatV1DateTime(dayNum * DAY)
            .slice(0, 10)
            .replaceAll('-', '')}`
        : `${prefix}-${rng.int(1, 40)}`,
    );
  }
  const brand = senderBrands[serverId % senderBrands.length]!;
  const domain = rng.pickWeighted(domainTable);
  return {
    MessageId,
    MailingId,
    ToAddress: recipient(rng, domain),
    domain,
    FromAddress: intern(`${rng.pick(senderLocals)}@${brand}`),
    MessageSize: rng.chance(0.02) ? rng.int(1_000_000, 25_000_000) : rng.int(900, 60_000),
  };
}

export function localIp(serverId: number, rng: Rng): string {
  return intern(`192.168.${100 + (serverId % 50)}.${117 + rng.int(0, 3)}`);
}

function remoteIp(rng: Rng): string {
  const r = rng.next();
  if (r < 0.15) return `66.249.${rng.int(80, 95)}.${rng.int(1, 254)}`; // Gmail image proxy
  if (r < 0.3) return `17.${rng.int(56, 58)}.${rng.int(0, 255)}.${rng.int(1, 254)}`; // Apple Mail privacy proxy
  if (r < 0.37) return `2001:db8:${rng.hex(4).toLowerCase()}::${rng.hex(3).toLowerCase()}`;
  return `${rng.int(11, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function failureTypeFor(code: number, rng: Rng): number {
  switch (Math.floor(code / 1000)) {
    case 1:
      return rng.chance(0.7) ? 1 : 0;
    case 2:
      return rng.chance(0.95) ? 1 : 0;
    case 4:
      return code === 4004 ? 1 : 0;
    case 9:
      return rng.chance(0.5) ? 1 : 0;
    default:
      return 0;
  }
}

function malformed(address: string, rng: Rng): string {
  switch (rng.int(0, 3)) {
    case 0:
      return address.replace('@', '@@');
    case 1:
      return address.replace('@', ' @');
    case 2:
      return address.replace(/@.*/, '@');
    default:
      return `"${address}",`;
  }
}

interface RecordContext {
  readonly serverId: number;
  readonly dateTime: string;
  readonly msg: PoolMessage;
}

type RecordBuilder = (ctx: RecordContext, rng: Rng) => V1Record;

export const builders: Record<V1Dataset, RecordBuilder> = {
  failed({ serverId, dateTime, msg }, rng) {
    const code = rng.chance(0.006) ? rng.pick(undocumentedFailureCodes) : rng.pickWeighted(failureCodeTable);
    const suppressed = rng.chance(0.07);
    const to = code === 2003 && rng.chance(0.7) ? malformed(msg.ToAddress, rng) : msg.ToAddress;
    const domain = to === msg.ToAddress ? msg.domain : domainOf(to);
    let reason: string | null;
    if (suppressed) reason = rng.pick(suppressionReasons)(to, domain, rng);
    else if (rng.chance(0.08)) reason = rng.pick(oddTexts)(to, domain, rng);
    else reason = rng.pick(reasonTemplates[Math.floor(code / 1000)] ?? reasonTemplates[9]!)(to, domain, rng);
    if (rng.chance(0.01)) reason = null;
    return {
      ServerId: serverId,
      DateTime: dateTime,
      MessageId: msg.MessageId,
      MailingId: msg.MailingId,
      ToAddress: to,
      FromAddress: rng.chance(0.2) ? emptyish(rng) : msg.FromAddress,
      FailureType: suppressed ? 2 : failureTypeFor(code, rng),
      FailureCode: code,
      Reason: reason,
    };
  },
  queued({ serverId, dateTime, msg }) {
    return {
      ServerId: serverId,
      DateTime: dateTime,
      MessageId: msg.MessageId,
      FromAddress: msg.FromAddress,
      MailingId: msg.MailingId,
      MessageSize: msg.MessageSize,
      ToAddress: msg.ToAddress,
    };
  },
  processed({ serverId, dateTime, msg }, rng) {
    const domain = msg.domain;
    const response = rng.chance(0.06)
      ? rng.pick(oddResponses)(msg.ToAddress, domain, rng)
      : rng.pick(acceptResponses)(msg.ToAddress, domain, rng);
    return {
      ServerId: serverId,
      MessageId: msg.MessageId,
      DateTime: dateTime,
      Disposition: rng.chance(0.97) ? 1 : rng.pick([0, 2]),
      FromAddress: msg.FromAddress,
      LocalIp: localIp(serverId, rng),
      MailingId: msg.MailingId,
      MessageSize: msg.MessageSize,
      Response: response,
      ToAddress: msg.ToAddress,
    };
  },
  complaints({ serverId, dateTime, msg }, rng) {
    const [agent, fbl] = rng.pick(feedbackLoops);
    return {
      ServerId: serverId,
      MessageId: msg.MessageId,
      DateTime: dateTime,
      FromAddress: fbl,
      MailingId: msg.MailingId,
      OriginalRecipient: msg.ToAddress,
      Type: rng.pickWeighted(complaintTypeTable),
      UserAgent: agent,
    };
  },
  engagement({ serverId, dateTime, msg }, rng) {
    const open = rng.chance(0.65);
    return {
      ServerId: serverId,
      DateTime: dateTime,
      MessageId: msg.MessageId,
      MailingId: msg.MailingId,
      OriginalRecipient: msg.ToAddress,
      EventType: open ? 1 : 0,
      URL: open ? emptyish(rng) : rng.pick(clickUrls),
      RemoteIp: remoteIp(rng),
    };
  },
};
