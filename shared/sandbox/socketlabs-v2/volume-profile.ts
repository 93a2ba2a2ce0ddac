/**
 * The default daily volumes of a v2 account, by the shared mail rhythm per server. Apart because it is the one
 * tunable of how much data there is, and tests and benches swap it for their own profile.
 */
import { dailyVolume } from '../mail-rhythm';
import { hashSeed } from '../random';
import { parseUtcDate } from '../socketlabs-v1/dates';
import type { V2Profile } from './model';

/**
 * The default volumes: every server sends a steady 8,000–20,000 status events a weekday (its own level), fewer at
 * weekends, a little different from one day to the next.
 */
export function defaultV2Profile(seed: number): V2Profile {
  return (date, serverId) => dailyVolume(hashSeed(seed, 'v2-volume', serverId), parseUtcDate(date), 8000, 20_000);
}
