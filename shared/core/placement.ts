import { binomialLowerTail } from './stats';

/**
 * Inbox-placement thresholds of seed tests (percent of seeds in the inbox): the one set of defaults the daily digest
 * and the intraday alerts both judge a SendSage test by, kept in the kernel because neither room may import the other.
 * From seed-test practice: under 80 % inbox a sender is losing mail to spam folders, under 60 % it is in trouble.
 */
export const inboxPlacementDefaults = {
  /** Inbox placement (percent) below which a test or provider warns… */
  inboxWarn: 80,
  /** …and below which it is critical. */
  inboxCritical: 60,
  /** Seeds at a provider before its own placement counts. */
  minSeeds: 3,
} as const;

/**
 * Chance a provider's seeds land this low when its true placement is at the threshold, at most which its own
 * placement is judged below it. A test puts three to a dozen seeds at a provider: at 80 % true placement, 2 of 4 in
 * the inbox happens 18 % of the time and 1 of 4 3 %, so a share alone would flag healthy providers on most days.
 */
export const PROVIDER_ALPHA = 0.05;

/**
 * Whether a provider's placement in one test is below `thresholdPct` by more than chance: at least `minSeeds` seeds,
 * under the threshold, and a binomial lower tail of its inbox seeds at most PROVIDER_ALPHA.
 */
export function providerBelow(
  pctInbox: number | null,
  seeds: number | null,
  thresholdPct: number,
  minSeeds: number,
): boolean {
  if (pctInbox === null || seeds === null || seeds < Math.max(1, minSeeds) || pctInbox >= thresholdPct) return false;
  const inbox = Math.round((pctInbox / 100) * seeds);
  return binomialLowerTail(inbox, seeds, thresholdPct / 100) <= PROVIDER_ALPHA;
}
