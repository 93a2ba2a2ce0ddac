import { describe, expect, it } from 'vitest';
import { providerBelow } from '../../../shared/core/placement';

describe("a provider's placement below a threshold beyond chance", () => {
  it.each([
    ['2 of 4 seeds (18 % likely at a true 80 %)', 50, 4, false],
    ['1 of 4 seeds (2.7 %)', 25, 4, true],
    ['4 of 6 seeds (34 %)', 66.7, 6, false],
    ['6 of 12 seeds (1.9 %)', 50, 12, true],
    ['0 of 2 seeds: fewer than the minimum', 0, 2, false],
    ['at the threshold', 80, 10, false],
    ['no seed count', 10, null, false],
  ] as const)('%s', (_name, pct, seeds, expected) => {
    expect(providerBelow(pct, seeds, 80, 3)).toBe(expected);
  });

  it('judges the critical threshold the same way', () => {
    // 1 of 4 is beyond chance below 80 % but not below 60 % (P = 17.9 %); 0 of 6 is (P = 0.4 %).
    expect(providerBelow(25, 4, 60, 3)).toBe(false);
    expect(providerBelow(0, 6, 60, 3)).toBe(true);
  });
});
