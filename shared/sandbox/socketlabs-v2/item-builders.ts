/**
 * How one v2 item (a message status event) is built from its own seed on top of a v1 queued message: its status,
 * failure or engagement details, receiving MTA, sending IP and a subject derived from the message. Apart from the
 * store, which only decides which item sits at which position and second.
 */
import { type BlockIncident, blockReason, isBlocked } from '../block-incident';
import { hashSeed, Rng, type WeightedTable } from '../random';
import type { V1Store } from '../socketlabs-v1/dataset';
import type { V1Record } from '../socketlabs-v1/model';
import { type Category, subjectTable } from './content-tables';
import { formatV2DateTime } from './dates';
import type { V2Item, V2Status } from './model';

const DAY = 86_400;

/** v1 texts spell some line breaks as a literal `{CRLF}`; v2 carries real ones. */
export function v2Text(value: unknown, v1Address: unknown, address: string): string | null {
  if (typeof value !== 'string') return null;
  let text = value.includes('{CRLF}') ? value.replaceAll('{CRLF}', '\r\n') : value;
  // The detail came from another pool message; keep the reason talking about this item's recipient.
  if (typeof v1Address === 'string' && v1Address !== '' && v1Address !== address && text.includes(v1Address)) {
    text = text.split(v1Address).join(address);
  }
  return text;
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1).toLowerCase() : '';
}

export function remoteMtaFor(domain: string, rng: Rng): string {
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

export function sendingIp(serverId: number, rng: Rng): string {
  return `192.168.${100 + (serverId % 50)}.${117 + rng.int(0, 3)}`;
}

const enhancedStatusRe = /\b([245]\.\d{1,3}\.\d{1,3})\b/;

export function bounceStatusOf(reason: string | null): string | null {
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
export interface ItemContext {
  readonly v1: V1Store;
  readonly categories: WeightedTable<Category>;
  readonly incident: BlockIncident | undefined;
}

/** Builds the item of one status event at `statusSec` from its own generator. */
export function buildItem(ctx: ItemContext, serverId: number, rng: Rng, statusSec: number): V2Item {
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
