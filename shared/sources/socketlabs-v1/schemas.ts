import * as z from 'zod';
import { optionalBoolean, optionalInt, optionalText, optionalTimestamp, requiredTimestamp } from '../records';

/**
 * Record schemas of the v1 Reporting API, over lower-cased keys (see records.ts): the guide says keys may change
 * case and fields may be added at any time.
 */
const common = {
  serverid: optionalInt,
  datetime: requiredTimestamp,
  messageid: optionalText,
  mailingid: optionalText,
};

export const failedItem = z.object({
  ...common,
  toaddress: optionalText,
  fromaddress: optionalText,
  failuretype: optionalInt,
  failurecode: optionalInt,
  reason: optionalText,
});

export const queuedItem = z.object({
  ...common,
  toaddress: optionalText,
  fromaddress: optionalText,
  messagesize: optionalInt,
});

export const processedItem = z.object({
  ...common,
  toaddress: optionalText,
  fromaddress: optionalText,
  messagesize: optionalInt,
  disposition: optionalInt,
  localip: optionalText,
  response: optionalText,
});

export const complaintItem = z.object({
  ...common,
  originalrecipient: optionalText,
  fromaddress: optionalText,
  type: optionalText,
  useragent: optionalText,
});

export const engagementItem = z.object({
  ...common,
  originalrecipient: optionalText,
  eventtype: optionalInt,
  url: optionalText,
  remoteip: optionalText,
});

export const accountObject = z.object({
  serverid: optionalInt,
  currentbillingperiodstart: optionalTimestamp,
  currentbillingperiodend: optionalTimestamp,
  billingperiodapiaccesscount: optionalInt,
  billingperiodmessagecount: optionalInt,
  billingperiodbytecount: optionalInt,
  serverapiaccessallowance: optionalInt,
  servermessageallowance: optionalInt,
  serverbyteallowance: optionalInt,
  isoverallowance: optionalBoolean,
  isoverbyteallowance: optionalBoolean,
  isovermessageallowance: optionalBoolean,
});

/** The list envelope: `{timestamp, totalCount, totalPages, count, collection}`; an empty result may omit collection. */
export const listEnvelope = z.object({
  totalcount: optionalInt.pipe(z.number().int().nonnegative()),
  collection: z
    .array(z.unknown())
    .nullish()
    .transform((c) => c ?? []),
});

/** The accountData envelope: `{timestamp, object}`. */
export const accountEnvelope = z.object({
  timestamp: requiredTimestamp,
  object: z.unknown(),
});
