import { describe, expect, it } from 'vitest';
import { parseRowsContentRange } from '../../../shared/sources/socketlabs-v2/content-range';

describe('parseRowsContentRange', () => {
  const cases: [string | null, ReturnType<typeof parseRowsContentRange>][] = [
    ['rows 0-99/187', { count: 100, total: 187 }],
    ['rows 100-186/187', { count: 87, total: 187 }],
    ['ROWS 0-0/1', { count: 1, total: 1 }],
    ['rows */187', { count: 0, total: 187 }],
    ['bytes 0-99/187', null],
    [null, null],
  ];
  it.each(cases)('%s', (value, expected) => expect(parseRowsContentRange(value)).toEqual(expected));
});
