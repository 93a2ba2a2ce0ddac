import * as z from 'zod';
import type { Row } from '../lake/table';
import { compileFastFields, compileFastObject, fastTwin, SLOW, withFastPath } from './fast-path';
import { parseApiTimestamp } from './timestamps';

/**
 * Helpers every source uses to read API records: keys compared case-insensitively (the SocketLabs guide requires
 * it), unknown fields kept for the `extra` column, zod field types that accept what the APIs really send, and the
 * tolerant reader (aliases per field; a value a field cannot hold moves to `extra` instead of costing the record).
 */
export interface NormalizedRecord {
  /** Known fields under their lower-cased names. */
  readonly known: Record<string, unknown>;
  /** Fields the schema does not know, under the names the API used; null when there are none. */
  readonly extra: Record<string, unknown> | null;
}

// An API spells its keys the same way on every record, so each spelling is lower-cased once: toLowerCase allocates a
// new string for every key with a capital (all of v1's), ten per record. Bounded, so a source that invents keys per
// record cannot grow it without limit; past the bound keys are lower-cased as they come.
const lowerCased = new Map<string, string>();
const LOWER_CASED_MAX = 4_096;

function lowerKey(key: string): string {
  let lower = lowerCased.get(key);
  if (lower === undefined) {
    lower = key.toLowerCase();
    if (lowerCased.size < LOWER_CASED_MAX) lowerCased.set(key, lower);
  }
  return lower;
}

/** Splits a record into known fields (lower-cased keys) and extras; null when it is not an object. */
export function normalizeRecord(raw: unknown, knownKeys: ReadonlySet<string>): NormalizedRecord | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const known: Record<string, unknown> = {};
  let extra: Record<string, unknown> | null = null;
  for (const key of Object.keys(raw)) {
    const lower = lowerKey(key);
    const value = (raw as Record<string, unknown>)[key];
    if (knownKeys.has(lower)) known[lower] = value;
    else {
      extra ??= {};
      extra[key] = value;
    }
  }
  return { known, extra };
}

/**
 * A field name as compared across an API's spellings: case and separators ignored, so `message_id`,
 * `MESSAGE_ID`, `Message_Id` and `messageId` are one field.
 */
export const fieldKey = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Lower-cased keys of a zod object schema, for normalizeRecord. */
function keysOf(schema: z.ZodObject): ReadonlySet<string> {
  return new Set(Object.keys(schema.shape));
}

/** Text that may be absent: null, undefined and '' become null (XML answers send empty ids as `<MessageId/>`). */
export const optionalText = withFastPath(
  z
    .union([z.string(), z.number(), z.boolean()])
    .nullish()
    .transform((v) => (v === null || v === undefined || v === '' ? null : String(v))),
  (v) => {
    if (typeof v === 'string') return v === '' ? null : v;
    if (v === null || v === undefined) return null;
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : SLOW;
    return typeof v === 'boolean' ? String(v) : SLOW;
  },
);

const integerText = /^[+-]?\d+$/;

/** An integer sent as a number or a numeric string (SendSage sends counts as "10"); absent → null. */
export const optionalInt = withFastPath(
  z
    .union([z.number().int(), z.string().trim().regex(integerText, 'expected an integer'), z.literal('')])
    .nullish()
    .transform((v) => (v === null || v === undefined || v === '' ? null : Number(v))),
  (v) => {
    if (v === null || v === undefined || v === '') return null;
    if (typeof v === 'number') return Number.isSafeInteger(v) ? v : SLOW;
    if (typeof v !== 'string') return SLOW;
    const text = v.trim();
    return integerText.test(text) ? Number(text) : SLOW;
  },
);

/** A decimal sent as a number or a numeric string; absent → null. */
export const optionalNumber = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/, 'expected a number'),
    z.literal(''),
  ])
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? null : Number(v)));

/** A boolean sent as true/false, "true"/"false", 1/0 or "1"/"0"; absent → null. */
export const optionalBoolean = z
  .union([z.boolean(), z.literal(0), z.literal(1), z.enum(['true', 'false', 'True', 'False', '0', '1', ''])])
  .nullish()
  .transform((v) =>
    v === null || v === undefined || v === '' ? null : v === true || v === 1 || /^(true|1)$/i.test(String(v)),
  );

/** A required instant in any format parseApiTimestamp reads, as epoch ms UTC. */
export const requiredTimestamp = withFastPath(
  z.unknown().transform((v, ctx) => {
    const t = parseApiTimestamp(v);
    if (t === null) {
      ctx.addIssue({ code: 'custom', message: `not a valid date-time: ${JSON.stringify(v)?.slice(0, 60)}` });
      return z.NEVER;
    }
    return t;
  }),
  (v) => parseApiTimestamp(v) ?? SLOW,
);

const fastOptionalTimestamp = (v: unknown) =>
  v === null || v === undefined || v === '' ? null : (parseApiTimestamp(v) ?? SLOW);

/** An optional instant; an unreadable value is an error, an absent one null. */
export const optionalTimestamp = withFastPath(
  z
    .unknown()
    .optional()
    .transform((v, ctx) => {
      if (v === null || v === undefined || v === '') return null;
      const t = parseApiTimestamp(v);
      if (t === null) {
        ctx.addIssue({ code: 'custom', message: `not a valid date-time: ${JSON.stringify(v)?.slice(0, 60)}` });
        return z.NEVER;
      }
      return t;
    }),
  fastOptionalTimestamp,
);

// .NET models serialise an unset DateTime as 0001-01-01 (DateTime.MinValue); that means "no date", not year one.
const firstValidMs = 0;
const lastValidMs = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An optional instant within what the lake can hold; an unreadable or absurd value is an error. */
const inLakeRange = (t: number | null) => t === null || (t > firstValidMs && t <= lastValidMs);
export const lakeTimestamp = withFastPath(optionalTimestamp.refine(inLakeRange, 'date-time out of range'), (v) => {
  const t = fastOptionalTimestamp(v);
  return t === SLOW || inLakeRange(t) ? t : SLOW;
});

/** A fast twin narrowed by a range check on its number (null passes). */
const within = (base: FastFieldOf<number>, ok: (n: number) => boolean) => (v: unknown) => {
  const n = base(v);
  return n === SLOW || n === null || ok(n) ? n : SLOW;
};
type FastFieldOf<T> = (v: unknown) => T | null | typeof SLOW;
const isInt32 = (n: number) => n >= -(2 ** 31) && n < 2 ** 31;
const fastOptionalInt = fastTwin(optionalInt) as FastFieldOf<number>;

/** An optional integer that fits the Parquet INT32 column it lands in. */
export const optionalInt32 = withFastPath(
  optionalInt.refine((n) => n === null || isInt32(n), 'integer out of int32 range'),
  within(fastOptionalInt, isInt32),
);

/** An optional integer the writers can store exactly (int64 columns hold JS safe integers). */
export const optionalInt64 = withFastPath(
  optionalInt.refine((n) => n === null || Number.isSafeInteger(n), 'integer too large'),
  within(fastOptionalInt, Number.isSafeInteger),
);

/** The lower-cased domain of an e-mail address; null when there is none. */
export function emailDomain(address: string | null): string | null {
  if (!address) return null;
  const at = address.lastIndexOf('@');
  const domain =
    at >= 0
      ? address
          .slice(at + 1)
          .trim()
          .replace(/>$/, '')
          .toLowerCase()
      : '';
  return domain === '' ? null : domain;
}

/** One line naming what failed where, from a zod error (for quarantine reasons and error messages). */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(record)'}: ${i.message}`)
    .join('; ');
}

/** The result of mapping one record (same shape as the engine's MapResult, declared here so sources stay leaf code). */
export type RecordMapping = { readonly ok: true; readonly row: Row } | { readonly ok: false; readonly reason: string };

/**
 * Builds a record → row function: normalise keys, validate with the schema, map to columns, then fill the
 * provenance columns (`extra` with every unknown field, `ingested_at`).
 */
export function recordMapper<S extends z.ZodObject>(
  schema: S,
  toRow: (value: z.output<S>) => Row,
): (raw: unknown, ingestedAt: number) => RecordMapping {
  const known = keysOf(schema);
  const fast = compileFastObject(schema);
  return (raw, ingestedAt) => {
    const record = normalizeRecord(raw, known);
    if (!record)
      return { ok: false, reason: `expected an object, got ${Array.isArray(raw) ? 'an array' : typeof raw}` };
    let value = fast?.(record.known) ?? null;
    if (value === null) {
      const parsed = schema.safeParse(record.known);
      if (!parsed.success) return { ok: false, reason: describeZodError(parsed.error) };
      value = parsed.data;
    }
    const row = toRow(value);
    row.extra = record.extra ? JSON.stringify(record.extra) : null;
    row.ingested_at = ingestedAt;
    return { ok: true, row };
  };
}

/**
 * The names each canonical key may arrive under (matched case-insensitively), in order of preference: the first
 * present (non-empty) one wins. Display spelling is used in quarantine reasons.
 */
export type AliasTable<S extends z.ZodObject> = { readonly [K in keyof S['shape']]: readonly string[] };

/** A record read tolerantly: every field the schema could use, and everything else under the keys the API used. */
export interface TolerantRecord<T> {
  readonly value: T;
  /** Unknown fields, shadowed aliases and values a column could not hold, under their original keys; null: none. */
  readonly extra: Record<string, unknown> | null;
}

/** Where a spelling of a field lands: the field's index in the schema, and the spelling's preference (0 first). */
interface Alias {
  readonly index: number;
  readonly rank: number;
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
  const fields = Object.keys(schema.shape);
  const byAlias = new Map<string, Alias>();
  for (const [field, names] of Object.entries(aliases) as [string, readonly string[]][]) {
    names.forEach((name, rank) => {
      byAlias.set(fieldKey(name), { index: fields.indexOf(field), rank });
    });
  }
  const fieldCount = fields.length;
  const fast = compileFastFields(schema);
  // A page's records spell their keys the same way row after row; resolving each spelling once saves the regex.
  const resolved = new Map<string, Alias | null>();
  const aliasOf = (key: string) => {
    let alias = resolved.get(key);
    if (alias === undefined) {
      alias = byAlias.get(fieldKey(key)) ?? null;
      // Bounded: a source sending ever new keys (ids as keys) must not grow the cache without end.
      if (resolved.size < 4096) resolved.set(key, alias);
    }
    return alias;
  };
  // The chosen spelling, rank and value of each field (by schema index), reused from record to record: the reader
  // runs synchronously, so one record's choice is complete before the next begins. undefined key: none chosen.
  const chosenKey: (string | undefined)[] = new Array(fieldCount);
  const chosenRank: number[] = new Array(fieldCount).fill(0);
  const chosenValue: unknown[] = new Array(fieldCount);

  return (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
    chosenKey.fill(undefined);
    chosenValue.fill(undefined);
    // Collected as entries: assigning a JSON key such as `__proto__` to an object would drop it silently.
    const kept: [string, unknown][] = [];
    const keep = (key: string, value: unknown) => {
      kept.push([key, value]);
    };
    for (const key of Object.keys(raw)) {
      const value = (raw as Record<string, unknown>)[key];
      const alias = aliasOf(key);
      if (!alias) {
        keep(key, value);
        continue;
      }
      const i = alias.index;
      const currentKey = chosenKey[i];
      if (currentKey === undefined) {
        chosenKey[i] = key;
        chosenRank[i] = alias.rank;
        chosenValue[i] = value;
      } else if (isEmpty(value)) {
        // An empty alias (CSV sends every column) says nothing; nothing is lost by dropping it.
      } else if (isEmpty(chosenValue[i]) || alias.rank < chosenRank[i]!) {
        if (!isEmpty(chosenValue[i])) keep(currentKey, chosenValue[i]);
        chosenKey[i] = key;
        chosenRank[i] = alias.rank;
        chosenValue[i] = value;
      } else {
        keep(key, value);
      }
    }
    const quick = fast?.(chosenKey, chosenValue) ?? null;
    if (quick !== null) return { value: quick, extra: kept.length ? Object.fromEntries(kept) : null };
    const known: Record<string, unknown> = {};
    const keys: Record<string, string> = {};
    for (let i = 0; i < fieldCount; i++) {
      const key = chosenKey[i];
      if (key === undefined) continue;
      known[fields[i]!] = chosenValue[i];
      keys[fields[i]!] = key;
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
