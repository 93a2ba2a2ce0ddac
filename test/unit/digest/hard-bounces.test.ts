import { describe, expect, it } from 'vitest';
import { type HardBounce, hardBounceFold } from '../../../shared/digest/hard-bounces';
import { createRng } from '../../../shared/sandbox/random';

/** What the digest listed before the fold: every address held, deduplicated, sorted, cut at `max`. */
function listedByHoldingAll(bounces: readonly HardBounce[], max: number) {
  const order = (a: HardBounce, b: HardBounce) =>
    a.period - b.period || (a.code ?? -1) - (b.code ?? -1) || (a.reason ?? '').localeCompare(b.reason ?? '');
  const seen = new Map<string, HardBounce>();
  for (const b of bounces) {
    const key = `${b.server_id}\u0001${b.address.toLowerCase()}`;
    const known = seen.get(key);
    if (!known || order(b, known) < 0) seen.set(key, b);
  }
  const all = [...seen.values()].sort((a, b) => a.server_id - b.server_id || a.address.localeCompare(b.address));
  return { total: all.length, listed: all.slice(0, max).map(({ period: _, ...entry }) => entry) };
}

/** Bounces of `addresses` addresses over 3 servers, most bouncing more than once, in a random order and case. */
function bounces(seed: string, addresses: number): HardBounce[] {
  const rng = createRng(seed, 1);
  const out: HardBounce[] = [];
  for (let i = 0; i < addresses; i++) {
    const server = 1 + Math.floor(rng.next() * 3);
    const local = `user${Math.floor(rng.next() * 1e6).toString(36)}.${i}`;
    for (let n = 1 + Math.floor(rng.next() * 3); n > 0; n--) {
      // The same address in another case is the same address; the earliest bounce's spelling is the one listed.
      const address = rng.chance(0.3) ? `${local.toUpperCase()}@Example.COM` : `${local}@example.com`;
      const code = rng.chance(0.5) ? 2001 : 2003;
      out.push({
        server_id: server,
        address,
        code: rng.chance(0.1) ? null : code,
        reason: rng.chance(0.1) ? null : `550 5.1.1 <${address}>: user unknown (${code})`,
        period: Date.parse('2026-11-21T00:00:00Z') + Math.floor(rng.next() * 4) * 900_000,
      });
    }
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('hardBounceFold', () => {
  const cases = [
    { name: 'many more addresses than listed', addresses: 5_000, max: 100 },
    { name: 'about as many as listed', addresses: 120, max: 100 },
    { name: 'fewer than listed', addresses: 40, max: 100 },
    { name: 'none listed, all counted', addresses: 300, max: 0 },
  ];
  for (const c of cases) {
    it(`lists what holding every address would (${c.name}), holding at most about twice the cap`, () => {
      const input = bounces(c.name, c.addresses);
      const fold = hardBounceFold(c.max);
      let most = 0;
      for (const b of input) {
        fold.add(b);
        most = Math.max(most, fold.held());
      }
      const expected = listedByHoldingAll(input, c.max);
      expect(fold.result()).toEqual(expected);
      expect(expected.total).toBe(c.addresses);
      expect(most).toBeLessThanOrEqual(2 * c.max + 1);
    });
  }

  it('keeps an address whose earliest bounce, arriving last, spells it so that it sorts into the list', () => {
    const fold = hardBounceFold(2);
    const at = (minutes: number) => Date.parse('2026-11-21T00:00:00Z') + minutes * 60_000;
    const bounce = (address: string, minutes: number): HardBounce => ({
      server_id: 1,
      address,
      code: 2001,
      reason: null,
      period: at(minutes),
    });
    for (const address of ['a@x', 'b@x', 'c@x', 'd@x', 'e@x', 'f@x']) fold.add(bounce(address, 30));
    fold.add(bounce('A@x', 0));
    expect(fold.result()).toEqual({
      total: 6,
      listed: [
        { server_id: 1, address: 'A@x', code: 2001, reason: null },
        { server_id: 1, address: 'b@x', code: 2001, reason: null },
      ],
    });
  });
});
