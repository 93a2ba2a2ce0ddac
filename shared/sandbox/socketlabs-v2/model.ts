/**
 * The shapes of a simulated SocketLabs v2 account: items and their statuses, the field tables of message detail and
 * suppressions (which the filters, sorts and CSV columns read), the volume profile's signature, the generator's
 * options and the default event mix. Apart so that the builders, the store and the server depend on the shapes only.
 */
import type { BlockIncident } from '../block-incident';

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
