import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { compileFastObject, fastTwin, SLOW } from '../../../shared/sources/fast-path';
import {
  lakeTimestamp,
  optionalInt,
  optionalInt32,
  optionalInt64,
  optionalText,
  optionalTimestamp,
  requiredTimestamp,
} from '../../../shared/sources/records';
import { processedItem } from '../../../shared/sources/socketlabs-v1/schemas';
import { messageItem } from '../../../shared/sources/socketlabs-v2/schemas';

// Values the APIs send and values they should not: the fast twins must agree with zod on every one they accept.
const values: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'abc',
  '0',
  '-0',
  '+12',
  ' 42 ',
  '007',
  '1.5',
  '1e3',
  '2147483647',
  '2147483648',
  '-2147483648',
  '-2147483649',
  '9007199254740991',
  '9007199254740993',
  '99999999999999999999',
  '12a',
  0,
  -0,
  1,
  -1,
  1.5,
  2 ** 31,
  -(2 ** 31),
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  {},
  [],
  '2026-11-20T13:02:56Z',
  '2026-11-20 13:02:56',
  '2026-02-31T00:00:00Z',
  '0001-01-01T00:00:00',
  '1969-12-31T23:59:59Z',
  '2012-06-01 T 12:45:40-0600',
  '1763600000',
  1763600000,
  ' 2026-11-20T13:02:56.1234567+02:00 ',
  'soft',
  'Hard',
  'Temporary',
  'permanent',
  'constructor',
  '__proto__',
  'toString',
];

const fields: [string, z.ZodType][] = [
  ['optionalText', optionalText],
  ['optionalInt', optionalInt],
  ['optionalInt32', optionalInt32],
  ['optionalInt64', optionalInt64],
  ['requiredTimestamp', requiredTimestamp],
  ['optionalTimestamp', optionalTimestamp],
  ['lakeTimestamp', lakeTimestamp],
];

describe('fast twins of the record field types', () => {
  for (const [name, schema] of fields) {
    it(`${name}: every value the twin accepts is what zod outputs`, () => {
      const twin = fastTwin(schema);
      let accepted = 0;
      for (const v of values) {
        const fast = twin(v);
        if (fast === SLOW) continue;
        accepted++;
        const parsed = schema.safeParse(v);
        expect(parsed.success, `${name} ${String(v)}`).toBe(true);
        expect(Object.is(fast, parsed.data), `${name} ${String(v)}: ${String(fast)} vs ${String(parsed.data)}`).toBe(
          true,
        );
      }
      expect(accepted).toBeGreaterThan(3);
    });
  }
});

describe('compiled record fast paths', () => {
  const cases: [string, z.ZodObject, string[]][] = [
    ['v2 message', messageItem, Object.keys(messageItem.shape)],
    ['v1 processed', processedItem, Object.keys(processedItem.shape)],
  ];
  for (const [name, schema, keys] of cases) {
    it(`${name}: a record the fast path reads equals zod's output, key for key`, () => {
      const fast = compileFastObject(schema)!;
      expect(fast).not.toBeNull();
      let accepted = 0;
      // Each field in turn takes every value, the others a plausible one; then records with fields left out.
      const base = Object.fromEntries(keys.map((k) => [k, k.includes('time') || k === 'datetime' ? 1763600000 : '']));
      const records: Record<string, unknown>[] = [{}, base];
      for (const k of keys) for (const v of values) records.push({ ...base, [k]: v });
      for (const k of keys) {
        const { [k]: _, ...rest } = base;
        records.push(rest);
      }
      for (const record of records) {
        const out = fast(record);
        if (out === null) continue;
        accepted++;
        const parsed = schema.safeParse(record);
        expect(parsed.success).toBe(true);
        expect(out).toStrictEqual(parsed.data);
        expect(Object.keys(out)).toEqual(Object.keys(parsed.data as object));
      }
      expect(accepted).toBeGreaterThan(keys.length * 4);
    });
  }

  it('v2 message: the webhook secret key is kept out when absent and in (undefined) when sent so', () => {
    const fast = compileFastObject(messageItem)!;
    expect(Object.hasOwn(fast({ statusdate: 1763600000 })!, 'secretkey')).toBe(false);
    expect(Object.hasOwn(fast({ statusdate: 1763600000, secretkey: undefined })!, 'secretkey')).toBe(true);
  });
});
