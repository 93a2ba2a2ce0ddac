/**
 * The default daily volumes of a v1 account: queued mail follows the shared mail rhythm per server, the other
 * datasets follow queued by seeded ratios. Apart because it is the one tunable of how much data there is, and tests
 * and benches swap it for their own profile.
 */
import { dailyVolume } from '../mail-rhythm';
import { hashSeed, Rng } from '../random';
import { parseUtcDate } from './dates';
import { defaultV1Ratios, type V1Profile, type V1Ratios } from './model';

/**
 * The default volumes: every server queues a steady few thousand messages a weekday (its own level), fewer at
 * weekends; the other datasets follow queued with `ratios`, and now and then a day has no complaints or engagement
 * records at all, so empty dataset-days still occur.
 */
export function defaultV1Profile(seed: number, ratios: Partial<V1Ratios> = {}): V1Profile {
  const r: V1Ratios = { ...defaultV1Ratios, ...ratios };
  return (dataset, date, serverId) => {
    const dayNum = parseUtcDate(date);
    const queued = dailyVolume(hashSeed(seed, 'volume', serverId), dayNum, 3000, 8000);
    if (dataset === 'queued') return queued;
    const rng = new Rng(hashSeed(seed, 'ratio', dataset, serverId, dayNum));
    if ((dataset === 'complaints' || dataset === 'engagement') && rng.chance(0.04)) return 0;
    const [min, max] = r[dataset];
    return Math.round(queued * rng.float(min, max));
  };
}
