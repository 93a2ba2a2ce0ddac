import * as z from 'zod';
import { describeZodError, fieldKey, optionalInt, optionalText, optionalTimestamp } from '../records';

/**
 * Record schemas of the v2 API, over lower-cased canonical keys. The v2 field list is not public, so records are read
 * tolerantly: each column accepts a few aliases (the v2 simulator's camelCase names, the event-webhook models' Pascal
 * names, v1's names), and a value a column cannot hold becomes null there while the original is kept in `extra`.
 */

// .NET models serialise an unset DateTime as 0001-01-01 (DateTime.MinValue); that means "no date", not year one.
const firstValidMs = 0;
const lastValidMs = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An optional instant within what the lake can hold; an unreadable or absurd value is an error. */
export const lakeTimestamp = optionalTimestamp.refine(
  (t) => t === null || (t > firstValidMs && t <= lastValidMs),
  'date-time out of range',
);

/** An optional integer that fits the Parquet INT32 column it lands in. */
export const optionalInt32 = optionalInt.refine(
  (n) => n === null || (n >= -(2 ** 31) && n < 2 ** 31),
  'integer out of int32 range',
);

/** An optional integer the writers can store exactly (int64 columns hold JS safe integers). */
export const optionalInt64 = optionalInt.refine((n) => n === null || Number.isSafeInteger(n), 'integer too large');

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
export const failureTypeField = z
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
  .refine((n) => n === null || (n >= -(2 ** 31) && n < 2 ** 31), 'integer out of int32 range');

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
  secretkey: z.unknown().optional(),
});

/**
 * The names each canonical key may arrive under (matched case-insensitively), in order of preference: the first
 * present (non-empty) one wins. Display spelling is used in quarantine reasons.
 */
export type AliasTable<S extends z.ZodObject> = { readonly [K in keyof S['shape']]: readonly string[] };

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

/** A record read tolerantly: every field the schema could use, and everything else under the keys the API used. */
export interface TolerantRecord<T> {
  readonly value: T;
  /** Unknown fields, shadowed aliases and values a column could not hold, under their original keys; null: none. */
  readonly extra: Record<string, unknown> | null;
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '';

/**
 * Builds a reader for a schema: resolves aliases case-insensitively, validates, and on a bad field moves that field's
 * original value to `extra` and reads the rest again, so one odd value never costs the whole record. Returns null
 * when the record is not an object.
 */
export function tolerantReader<S extends z.ZodObject>(
  schema: S,
  aliases: AliasTable<S>,
): (raw: unknown) => TolerantRecord<z.output<S>> | null {
  const byAlias = new Map<string, { field: string; rank: number }>();
  for (const [field, names] of Object.entries(aliases) as [string, readonly string[]][]) {
    names.forEach((name, rank) => {
      byAlias.set(fieldKey(name), { field, rank });
    });
  }
  const fieldCount = Object.keys(schema.shape).length;

  return (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
    const chosen: Record<string, { key: string; rank: number; value: unknown }> = {};
    // Collected as entries: assigning a JSON key such as `__proto__` to an object would drop it silently.
    const kept: [string, unknown][] = [];
    const keep = (key: string, value: unknown) => {
      kept.push([key, value]);
    };
    for (const key of Object.keys(raw)) {
      const value = (raw as Record<string, unknown>)[key];
      const alias = byAlias.get(fieldKey(key));
      if (!alias) {
        keep(key, value);
        continue;
      }
      const current = chosen[alias.field];
      if (!current) {
        chosen[alias.field] = { key, rank: alias.rank, value };
      } else if (isEmpty(value)) {
        // An empty alias (CSV sends every column) says nothing; nothing is lost by dropping it.
      } else if (isEmpty(current.value) || alias.rank < current.rank) {
        if (!isEmpty(current.value)) keep(current.key, current.value);
        chosen[alias.field] = { key, rank: alias.rank, value };
      } else {
        keep(key, value);
      }
    }
    const known: Record<string, unknown> = {};
    const keys: Record<string, string> = {};
    for (const [field, c] of Object.entries(chosen)) {
      known[field] = c.value;
      keys[field] = c.key;
    }
    // Every field is optional, so each retry removes at least one failing field and the loop ends.
    for (let attempt = 0; attempt <= fieldCount; attempt++) {
      const parsed = schema.safeParse(known);
      if (parsed.success) return { value: parsed.data, extra: kept.length ? Object.fromEntries(kept) : null };
      let moved = false;
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if (typeof field !== 'string' || !Object.hasOwn(known, field)) continue;
        keep(keys[field] ?? field, known[field]);
        delete known[field];
        moved = true;
      }
      if (!moved) throw new Error(`tolerant read: cannot recover from ${describeZodError(parsed.error)}`);
    }
    throw new Error('tolerant read: validation did not settle');
  };
}

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
