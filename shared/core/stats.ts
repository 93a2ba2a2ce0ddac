/**
 * Tail probabilities of counts, for telling a real surge from chance: how likely is a count at least (or at most) as
 * extreme as the one observed, were the baseline rate still true. Summed in log space, so tails near 1e-300 stay
 * exact enough to compare with a small significance level.
 */

// Lanczos approximation (g = 7, n = 9): ln Γ(x) to about 15 digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const logPoisson = (i: number, lambda: number) => i * Math.log(lambda) - lambda - logGamma(i + 1);

const logBinomial = (i: number, n: number, p: number) =>
  logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log1p(-p);

/** Sums exp(logTerm(i)) for i from `from` upward until the terms stop mattering (they fall past the mode). */
function sumUpward(from: number, to: number, logTerm: (i: number) => number): number {
  let sum = 0;
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = from; i <= to; i++) {
    const log = logTerm(i);
    const term = Math.exp(log);
    sum += term;
    // Falling terms that underflowed to zero end it too: an upper tail so far past the mean that every term is 0
    // (hundreds of block failures where one is usual) would otherwise never stop summing.
    if (term < sum * 1e-17 || (term === 0 && log < previous)) break;
    previous = log;
  }
  return sum;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** P(X ≥ k) for X ~ Poisson(lambda): the chance of a count this high if the baseline rate held. */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  // Below the mean the tail is large: 1 minus the (short) lower sum loses nothing that matters.
  if (k <= lambda) return clamp01(1 - sumUpward(0, k - 1, (i) => logPoisson(i, lambda)));
  return clamp01(sumUpward(k, Number.POSITIVE_INFINITY, (i) => logPoisson(i, lambda)));
}

/** P(X ≤ k) for X ~ Poisson(lambda): the chance of a count this low if the baseline rate held. */
export function poissonLowerTail(k: number, lambda: number): number {
  if (k < 0) return 0;
  if (lambda <= 0) return 1;
  if (k >= lambda) return clamp01(1 - poissonUpperTail(k + 1, lambda));
  let sum = 0;
  for (let i = 0; i <= k; i++) sum += Math.exp(logPoisson(i, lambda));
  return clamp01(sum);
}

/** P(X ≥ k) for X ~ Binomial(n, p): the chance of this many failures among n if the baseline rate p held. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n || p <= 0) return 0;
  if (p >= 1) return 1;
  if (k <= n * p) return clamp01(1 - sumUpward(0, k - 1, (i) => logBinomial(i, n, p)));
  return clamp01(sumUpward(k, n, (i) => logBinomial(i, n, p)));
}

/** P(X ≤ k) for X ~ Binomial(n, p): the chance of so few successes among n if the rate p held. */
export function binomialLowerTail(k: number, n: number, p: number): number {
  // The failures n − X are Binomial(n, 1 − p): at most k successes is at least n − k failures, summed exactly.
  return binomialUpperTail(n - k, n, 1 - p);
}
