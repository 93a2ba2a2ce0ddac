import type * as z from 'zod';

/**
 * A compiled fast path beside a zod object schema, for the per-row hot path. zod stays the schema of record: each
 * field type registers a plain function that returns exactly what its zod schema would output for the values it is
 * sure of, and `SLOW` for anything else (an odd type, a value zod would refuse). A record with any `SLOW` field goes
 * through zod whole, so refusals, their messages and the tolerant reader's recovery are zod's alone. The twins are
 * checked against zod value by value in test/unit/sources/fast-path.test.ts.
 */
export const SLOW: unique symbol = Symbol('slow');

/** A field's fast twin: its zod output, or SLOW when zod must decide. */
export type FastField = (value: unknown) => unknown;

interface FastEntry {
  readonly parse: FastField;
  /** zod leaves a plain optional key out of its output when it is absent from the input (no transform runs). */
  readonly omitWhenAbsent: boolean;
}

const twins = new WeakMap<z.ZodType, FastEntry>();

/** Registers `fast` as the twin of `schema` (returned unchanged, so declarations read as before). */
export function withFastPath<T extends z.ZodType>(
  schema: T,
  fast: FastField,
  opts: { omitWhenAbsent?: boolean } = {},
): T {
  twins.set(schema, { parse: fast, omitWhenAbsent: opts.omitWhenAbsent ?? false });
  return schema;
}

/** The twin of a registered schema, e.g. to build another field's twin on top of it. */
export function fastTwin(schema: z.ZodType): FastField {
  const entry = twins.get(schema);
  if (!entry) throw new Error('fast path: schema has no registered twin');
  return entry.parse;
}

/**
 * Compiles an object schema's fast path over its fields by schema index: (a marker per field, undefined when the
 * field is absent; its value) → the object zod would output, or null when zod must parse it. Null when a field has
 * no twin (the schema is then always parsed by zod).
 */
export function compileFastFields<S extends z.ZodObject>(
  schema: S,
): ((present: readonly unknown[], values: readonly unknown[]) => z.output<S> | null) | null {
  const plan = Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => ({
    key,
    entry: twins.get(field),
  }));
  if (plan.some((f) => !f.entry)) return null;
  const fields = plan as { key: string; entry: FastEntry }[];
  return (present, values) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const { key, entry } = fields[i]!;
      if (entry.omitWhenAbsent && present[i] === undefined) continue;
      const parsed = entry.parse(values[i]);
      if (parsed === SLOW) return null;
      out[key] = parsed;
    }
    return out as z.output<S>;
  };
}

/** The same over an object of fields under their schema keys (absent: not an own property). */
export function compileFastObject<S extends z.ZodObject>(
  schema: S,
): ((known: Record<string, unknown>) => z.output<S> | null) | null {
  const fast = compileFastFields(schema);
  if (!fast) return null;
  const keys = Object.keys(schema.shape);
  const present: unknown[] = new Array(keys.length);
  const values: unknown[] = new Array(keys.length);
  return (known) => {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const own = Object.hasOwn(known, key);
      present[i] = own ? true : undefined;
      values[i] = own ? known[key] : undefined;
    }
    return fast(present, values);
  };
}
