import * as z from 'zod';
import { SLOW, withFastPath } from '../fast-path';
import { type AliasTable, lakeTimestamp, optionalInt, optionalInt32, optionalInt64, optionalText } from '../records';

/**
 * Record schemas of the v2 API, over lower-cased canonical keys. The v2 field list is not public, so records are read
 * tolerantly: each column accepts a few aliases (the v2 simulator's camelCase names, the event-webhook models' Pascal
 * names, v1's names), and a value a column cannot hold becomes null there while the original is kept in `extra`.
 */

// The webhook models call the soft type Temporary and the hard one Permanent.
const failureTypeByName: Record<string, number> = {
  soft: 0,
  temporary: 0,
  transient: 0,
  hard: 1,
  permanent: 1,
  suppressed: 2,
};

/** FailureType as a name (Soft/Hard/Suppressed, Temporary/Permanent) or v1's number, → v1's number; absent → null. */
const failureTypeField = withFastPath(
  z
    .union([z.number().int(), z.string()])
    .nullish()
    .transform((v, ctx) => {
      if (v === null || v === undefined) return null;
      if (typeof v === 'number') return v;
      const text = v.trim();
      if (text === '') return null;
      if (/^[+-]?\d{1,9}$/.test(text)) return Number(text);
      const n = failureTypeByName[text.toLowerCase()];
      if (n === undefined) {
        ctx.addIssue({ code: 'custom', message: `unknown failure type: ${JSON.stringify(v).slice(0, 60)}` });
        return z.NEVER;
      }
      return n;
    })
    .refine((n) => n === null || (n >= -(2 ** 31) && n < 2 ** 31), 'integer out of int32 range'),
  (v) => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'number') return Number.isSafeInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 ? v : SLOW;
    if (typeof v !== 'string') return SLOW;
    const text = v.trim();
    if (text === '') return null;
    if (/^[+-]?\d{1,9}$/.test(text)) return Number(text);
    const key = text.toLowerCase();
    return Object.hasOwn(failureTypeByName, key) ? failureTypeByName[key] : SLOW;
  },
);

// A credential or a field kept whole: any value, left out when absent (as zod leaves a bare optional key out).
const anyValue = () => withFastPath(z.unknown().optional(), (v) => v, { omitWhenAbsent: true });

/** One message status event (message detail item, CSV row or webhook event). */
export const messageItem = z.object({
  statusdate: lakeTimestamp,
  status: optionalText,
  messageid: optionalText,
  mailingid: optionalText,
  to: optionalText,
  from: optionalText,
  subject: optionalText,
  queuedtime: lakeTimestamp,
  deliverytime: lakeTimestamp,
  failuretype: failureTypeField,
  failurecode: optionalInt32,
  bouncestatus: optionalText,
  reason: optionalText,
  remotemta: optionalText,
  fbltype: optionalText,
  url: optionalText,
  ipaddress: optionalText,
  useragent: optionalText,
  messagesize: optionalInt64,
  // The partition carries the server id (as in v1); recognised so it does not fill every row's `extra`.
  serverid: optionalInt,
  // Webhook events carry the endpoint's secret; a credential must not be copied into the lake.
  secretkey: anyValue(),
});

export const messageAliases: AliasTable<typeof messageItem> = {
  statusdate: ['statusDate', 'DateTime', 'eventTime'],
  status: ['status', 'Type', 'EventType'],
  messageid: ['messageId'],
  mailingid: ['mailingId'],
  to: ['to', 'ToAddress', 'Address', 'Recipient', 'OriginalRecipient'],
  from: ['from', 'FromAddress'],
  subject: ['subject', 'SubjectLine'],
  queuedtime: ['queuedTime', 'queuedDate'],
  deliverytime: ['deliveryTime', 'deliveredTime', 'deliveryDate'],
  failuretype: ['failureType'],
  failurecode: ['failureCode'],
  bouncestatus: ['bounceStatus'],
  reason: ['reason', 'Response'],
  remotemta: ['remoteMta'],
  fbltype: ['fblType', 'ComplaintType'],
  url: ['url'],
  ipaddress: ['ipAddress', 'ClientIp', 'RemoteIp', 'LocalIp'],
  useragent: ['userAgent'],
  messagesize: ['messageSize'],
  serverid: ['serverId'],
  secretkey: ['secretKey'],
};

/** One suppression-list entry. */
export const suppressionItem = z.object({
  emailaddress: optionalText,
  suppressionlastupdate: lakeTimestamp,
  reason: optionalText,
  source: optionalText,
  serverid: optionalInt,
});

export const suppressionAliases: AliasTable<typeof suppressionItem> = {
  emailaddress: ['emailAddress', 'email', 'Address'],
  suppressionlastupdate: ['suppressionLastUpdate', 'lastUpdated', 'lastUpdate'],
  reason: ['reason'],
  source: ['source'],
  serverid: ['serverId'],
};

/** Shallow copy with lower-cased keys; the first spelling of a key wins, as for record aliases. */
function lowerKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(value)) {
    const lower = k.toLowerCase();
    if (!out.has(lower)) out.set(lower, v);
  }
  return Object.fromEntries(out);
}

/** The list envelope `{ data: [...], total: N }`, keys in any case, `total` possibly a string. */
export const listEnvelope = z.preprocess(
  lowerKeys,
  z.object({
    total: optionalInt.pipe(z.number().int().nonnegative()),
    data: z
      .array(z.unknown())
      .nullish()
      .transform((d) => d ?? []),
  }),
);

/** An API error as the conventions page models it. */
const apiErrorItem = z.preprocess(
  lowerKeys,
  z
    .object({ errortype: optionalText, message: optionalText })
    .refine((e) => e.errortype !== null || e.message !== null, 'neither errorType nor message')
    .transform((e) => ({ errorType: e.errortype, message: e.message })),
);

/**
 * The error body: `{ error: [ { errorType, message } ] }`, `{ error: { ... } }`, or a bare `{ errorType, message }`;
 * always read as a list.
 */
export const apiErrorBody = z.union([
  z
    .preprocess(
      lowerKeys,
      z.object({
        error: z.union([z.array(apiErrorItem).min(1), apiErrorItem.transform((e) => [e])]),
      }),
    )
    .transform((b) => b.error),
  apiErrorItem.transform((e) => [e]),
]);
