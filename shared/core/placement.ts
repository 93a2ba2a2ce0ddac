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
