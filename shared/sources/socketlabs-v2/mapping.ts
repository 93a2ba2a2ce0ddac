import type { Row } from '../../lake/table';
import { emailDomain, type RecordMapping, tolerantReader } from '../records';
import { describeFailureCode, failureTypeNames } from '../socketlabs-common/failure-codes';
import { messageAliases, messageItem, suppressionAliases, suppressionItem } from './schemas';

/** The normalised kinds of `event_type`; `other` for anything unrecognised (the `status` column keeps the text). */
export type V2EventType =
  | 'queued'
  | 'delivered'
  | 'failed'
  | 'deferred'
  | 'suppressed'
  | 'complaint'
  | 'open'
  | 'click'
  | 'unsubscribe'
  | 'other';

// Report statuses (Delivered, Complained, Opened), webhook types (Complaint, Tracking) and the verbs other reports use.
const eventTypes: Record<string, V2EventType> = {
  queued: 'queued',
  queue: 'queued',
  delivered: 'delivered',
  delivery: 'delivered',
  sent: 'delivered',
  processed: 'delivered',
  failed: 'failed',
  failure: 'failed',
  bounced: 'failed',
  bounce: 'failed',
  deferred: 'deferred',
  deferral: 'deferred',
  suppressed: 'suppressed',
  suppression: 'suppressed',
  complained: 'complaint',
  complaint: 'complaint',
  fbl: 'complaint',
  opened: 'open',
  open: 'open',
  clicked: 'click',
  click: 'click',
  unsubscribed: 'unsubscribe',
  unsubscribe: 'unsubscribe',
};

// Webhook engagement events are Type=Tracking with TrackingType Click/Open/Unsubscribe (or 0/1/2).
const trackingTypes: Record<string, V2EventType> = {
  click: 'click',
  '0': 'click',
  open: 'open',
  '1': 'open',
  unsubscribe: 'unsubscribe',
  '2': 'unsubscribe',
};

/** Normalises a status (or webhook Type, with its TrackingType) to an `event_type`. */
export function normalizeEventType(status: string | null, trackingType?: unknown): V2EventType {
  if (status === null) return 'other';
  const key = status.toLowerCase().replace(/[^a-z]/g, '');
  if (key === 'tracking' || key === 'engagement') {
    const t = typeof trackingType === 'string' || typeof trackingType === 'number' ? String(trackingType) : '';
    return trackingTypes[t.trim().toLowerCase()] ?? 'other';
  }
  return eventTypes[key] ?? 'other';
}

/** A value of `extra` by case-insensitive name (for fields kept there whole but consulted, like TrackingType). */
function extraValue(extra: Record<string, unknown> | null, lowerName: string): unknown {
  if (!extra) return undefined;
  for (const key of Object.keys(extra)) if (key.toLowerCase() === lowerName) return extra[key];
  return undefined;
}

const readMessage = tolerantReader(messageItem, messageAliases);
const readSuppression = tolerantReader(suppressionItem, suppressionAliases);

const notAnObject = (raw: unknown): RecordMapping => ({
  ok: false,
  reason: `expected an object, got ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}`,
});

function finish(row: Row, extra: Record<string, unknown> | null, ingestedAt: number): RecordMapping {
  row.extra = extra ? JSON.stringify(extra) : null;
  row.ingested_at = ingestedAt;
  return { ok: true, row };
}

const eventTimeFields = [...messageAliases.statusdate, ...messageAliases.queuedtime];

/** Why a record has no event time: the fields tried, and the values found there that could not be used. */
function noEventTime(raw: object): string {
  const entries = Object.entries(raw);
  const unusable = eventTimeFields.flatMap((field) =>
    entries
      .filter(([k, v]) => k.toLowerCase() === field.toLowerCase() && v !== null && v !== undefined && v !== '')
      .map(([k, v]) => `${k} ${JSON.stringify(v)?.slice(0, 60)}`),
  );
  return (
    `no usable event time: tried ${eventTimeFields.join(', ')}` +
    (unusable.length ? ` (unusable: ${unusable.join(', ')})` : ' (none present)')
  );
}

/**
 * v2 message-detail item (JSON item, CSV row of strings, or webhook-shaped event) → `socketlabs_messages` row.
 * Quarantined only when it is not an object or has no usable event time.
 */
export function mapMessage(raw: unknown, ingestedAt: number): RecordMapping {
  const read = readMessage(raw);
  if (!read) return notAnObject(raw);
  const r = read.value;
  // The status time is when this event happened; queuedTime is only a stand-in for records that lack one.
  const eventTime = r.statusdate ?? r.queuedtime;
  if (eventTime === null) return { ok: false, reason: noEventTime(raw as object) };
  return finish(
    {
      event_time: eventTime,
      event_type: normalizeEventType(r.status, extraValue(read.extra, 'trackingtype')),
      status: r.status,
      message_id: r.messageid,
      mailing_id: r.mailingid,
      to_address: r.to,
      recipient_domain: emailDomain(r.to),
      from_address: r.from,
      subject: r.subject,
      queued_time: r.queuedtime,
      delivery_time: r.deliverytime,
      failure_type: r.failuretype,
      failure_type_name: r.failuretype === null ? null : (failureTypeNames[r.failuretype] ?? null),
      failure_code: r.failurecode,
      failure_category: describeFailureCode(r.failurecode)?.category ?? null,
      bounce_status: r.bouncestatus,
      reason: r.reason,
      remote_mta: r.remotemta,
      complaint_type: r.fbltype?.toLowerCase() ?? null,
      url: r.url,
      ip_address: r.ipaddress,
      user_agent: r.useragent,
      message_size: r.messagesize,
    },
    read.extra,
    ingestedAt,
  );
}

/** v2 suppression-list entry → `socketlabs_suppressions` row; the snapshot time is when the list was read. */
export function mapSuppression(raw: unknown, ingestedAt: number, takenAt: number): RecordMapping {
  const read = readSuppression(raw);
  if (!read) return notAnObject(raw);
  const r = read.value;
  return finish(
    {
      snapshot_time: takenAt,
      email_address: r.emailaddress,
      recipient_domain: emailDomain(r.emailaddress),
      last_updated: r.suppressionlastupdate,
      reason: r.reason,
      source: r.source,
    },
    read.extra,
    ingestedAt,
  );
}
