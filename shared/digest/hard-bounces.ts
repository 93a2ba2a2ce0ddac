import { type RollupSource, visitRollups } from '../lake/rollup-reader';
import { cellNumber as num, cellString as str } from '../lake/row-reader';
import type { DigestHardBounce, UnreadableFile } from './model';

/**
 * The day's hard-bounced addresses: one per server and address (case-insensitive), the earliest bounce's code and
 * reason, listed by server and address up to a cap. A busy day bounces far more addresses than an e-mail can list
 * (112,491 at 10 servers × 1 M a day, 20,000 listed), so the fold keeps the entries of the addresses that can still
 * be listed and, of the others, only their key for the total.
 */

/** A hard bounce as the fold sees it: a listed entry and the quarter-hour that decides which bounce is earliest. */
export interface HardBounce extends DigestHardBounce {
  readonly period: number;
}

export interface HardBounceFold {
  add(bounce: HardBounce): void;
  /** Entries held now (the memory the fold costs beyond the total's keys): at most about twice the cap. */
  held(): number;
  /** The distinct addresses counted, and the first `max` by server and address. */
  result(): { total: number; listed: DigestHardBounce[] };
}

// Case is a tertiary difference in the collation `localeCompare` uses, so two addresses that differ at a coarser
// level (letters, accents) sort the same way whatever the case of either: an address is listed by the case of its
// earliest bounce, which can change as bounces arrive, but its place against other addresses at this level cannot.
const coarse = new Intl.Collator(undefined, { sensitivity: 'accent' }).compare;

/**
 * A fold of hard bounces that gives what sorting all distinct addresses would, while holding the entries of at most
 * about 2 × `max` addresses: when more are held, those with at least `max` addresses before them at the coarse level
 * above are dropped, and any later bounce past the last address kept is not kept. Such an address can never be listed
 * (the addresses before it stay before it, whatever bounces follow), and every address kept has seen all its bounces,
 * so its entry is the earliest one.
 */
export function hardBounceFold(max: number): HardBounceFold {
  // Earliest first, then a fixed order among equals, so the pick does not depend on the order documents arrive in.
  const order = (a: HardBounce, b: HardBounce) =>
    a.period - b.period || (a.code ?? -1) - (b.code ?? -1) || (a.reason ?? '').localeCompare(b.reason ?? '');
  type Held = { readonly bounce: HardBounce; readonly lower: string };
  const place = (server: number, lower: string, than: Held) =>
    server - than.bounce.server_id || coarse(lower, than.lower);
  // Per server: every address seen (lower-cased, for the total), and the entries still held.
  const seen = new Map<number, { addresses: Set<string>; held: Map<string, Held> }>();
  let size = 0;
  let cutoff: Held | null = null;
  let limit = 2 * max;

  const trim = () => {
    const byPlace = [...seen.values()]
      .flatMap((s) => [...s.held.values()])
      .sort((a, b) => place(a.bounce.server_id, a.lower, b));
    const last = byPlace[max - 1]!;
    for (const h of byPlace.slice(max)) {
      if (place(h.bounce.server_id, h.lower, last) > 0) {
        seen.get(h.bounce.server_id)!.held.delete(h.lower);
        size--;
      }
    }
    cutoff = last;
    // Addresses tied with the cutoff stay; at least `max` more arrive before the next trim.
    limit = size + max;
  };

  return {
    add(bounce) {
      const server = bounce.server_id;
      const lower = bounce.address.toLowerCase();
      let ofServer = seen.get(server);
      if (!ofServer) {
        ofServer = { addresses: new Set(), held: new Map() };
        seen.set(server, ofServer);
      }
      ofServer.addresses.add(lower);
      if (max <= 0 || (cutoff && place(server, lower, cutoff) > 0)) return;
      const current = ofServer.held.get(lower);
      if (!current) size++;
      if (!current || order(bounce, current.bounce) < 0) ofServer.held.set(lower, { bounce, lower });
      if (size > limit) trim();
    },
    held: () => size,
    result() {
      let total = 0;
      for (const s of seen.values()) total += s.addresses.size;
      const listed = [...seen.values()]
        .flatMap((s) => [...s.held.values()].map((h) => h.bounce))
        .sort((a, b) => a.server_id - b.server_id || a.address.localeCompare(b.address))
        .slice(0, Math.max(max, 0))
        .map(({ period: _, ...entry }) => entry);
      return { total, listed };
    },
  };
}

/** The day's hard-bounced addresses from the `hard_bounces` rollups of the failure tables, listed up to `max`. */
export async function readHardBounces(
  store: RollupSource,
  failureTables: readonly string[],
  start: number,
  end: number,
  max: number,
  unreadable: UnreadableFile[],
): Promise<{ hard_bounced_total: number; hard_bounced_addresses: DigestHardBounce[] }> {
  const fold = hardBounceFold(max);
  for (const table of failureTables) {
    await visitRollups(
      store,
      table,
      'hard_bounces',
      start,
      end,
      (r) => {
        const address = str(r.dims.to_address);
        if (!address) return;
        fold.add({
          server_id: Number(r.partition.server_id),
          address,
          code: num(r.dims.failure_code),
          reason: str(r.dims.reason),
          period: r.period,
        });
      },
      unreadable,
    );
  }
  const { total, listed } = fold.result();
  return { hard_bounced_total: total, hard_bounced_addresses: listed };
}
