import { describe, expect, it } from 'vitest';
import { binomialUpperTail, logGamma, poissonLowerTail, poissonUpperTail } from '../../../shared/core/stats';

// Reference values computed independently (exact sums in Python's arbitrary-precision arithmetic).
describe('count tail probabilities', () => {
  it.each([
    ['ln 0! = ln 1! = 0', 1, 0],
    ['ln 5! = ln 120', 6, Math.log(120)],
    ['ln 100!', 101, 363.73937555556347],
  ])('logGamma: %s', (_name, x, expected) => {
    expect(logGamma(x)).toBeCloseTo(expected, 9);
  });

  it.each([
    ['P(X ≥ 0 | 3) is certain', 0, 3, 1],
    ['P(X ≥ 1 | 1) = 1 − e⁻¹', 1, 1, 0.6321205588285577],
    ['P(X ≥ 10 | 2), far in the tail', 10, 2, 4.6498075017109564e-5],
  ])('poissonUpperTail: %s', (_name, k, lambda, expected) => {
    expect(poissonUpperTail(k, lambda)).toBeCloseTo(expected, 12);
    expect(poissonUpperTail(k, lambda) / expected).toBeCloseTo(1, 9);
  });

  it('poissonLowerTail: at most 5 where 50 are expected', () => {
    expect(poissonLowerTail(5, 50) / 5.567756260698088e-16).toBeCloseTo(1, 9);
    expect(poissonLowerTail(0, 2)).toBeCloseTo(Math.exp(-2), 15);
    expect(poissonLowerTail(60, 50) + poissonUpperTail(61, 50)).toBeCloseTo(1, 12);
  });

  it.each([
    ['3 or more of 10 at 10 %', 3, 10, 0.1, 0.07019082640000002],
    ['30 or more of 1000 at 1 %', 30, 1000, 0.01, 2.0599888509719412e-7],
    ['more than n is impossible', 11, 10, 0.5, 0],
  ])('binomialUpperTail: %s', (_name, k, n, p, expected) => {
    const got = binomialUpperTail(k, n, p);
    if (expected === 0) expect(got).toBe(0);
    else expect(got / expected).toBeCloseTo(1, 9);
  });

  it('ends on a tail whose every term underflows (hundreds of block failures where one is usual)', () => {
    expect(poissonUpperTail(400, 1)).toBe(0);
    expect(poissonUpperTail(2000, 3)).toBe(0);
    // Below the mode the terms rise out of zero: those are summed, not taken for the end.
    expect(poissonUpperTail(1990, 2000) + poissonLowerTail(1989, 2000)).toBeCloseTo(1, 9);
  });

  it('stays monotone deep in the tail instead of underflowing to a wrong order', () => {
    const a = poissonUpperTail(200, 20);
    const b = poissonUpperTail(201, 20);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeLessThan(a);
  });
});
