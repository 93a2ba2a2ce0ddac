import { startV2Simulator, type V2Simulator } from '../../shared/sandbox/socketlabs-v2/server';
import { localStore, runCollection, scratch } from './collect';
import { KEY_V2, v2Env } from './collect-v2';

/** A week of two v2 servers, one of them blocked at one provider for an hour on the last day. */
export const FROM = '2026-11-12';
export const TO = '2026-11-20';
export const SERVERS = [41, 42];
export const BLOCKED = 42;
export const DOMAIN = 'yahoo.com';
/** The block starts at 09:00 UTC on the last day and lasts the hour. */
export const INCIDENT = { start: Date.parse('2026-11-20T09:00:00Z'), end: Date.parse('2026-11-20T10:00:00Z') };
const Q = 15 * 60_000;

/**
 * The simulator draws volumes per day and codes from the guide's weights, so the incident is inserted into it as
 * message-detail items (realistic items of that server, turned into blocklist failures at the domain) before the
 * collection: the lake, its rollups and their compaction then see the block exactly as they would from the API.
 */
export function plantBlock(sim: V2Simulator) {
  const base = sim.truth(BLOCKED).find((item) => item.status === 'Failed');
  if (!base) throw new Error('the simulated week has no failed item to model the block on');
  // 18 failures a quarter-hour at the domain: 1002 (blacklist) dominant, some 1004 (content) and 1999.
  for (let p = INCIDENT.start; p < INCIDENT.end; p += Q) {
    const codes = [...Array(12).fill(1002), ...Array(4).fill(1004), ...Array(2).fill(1999)] as number[];
    for (const [i, code] of codes.entries()) {
      const at = p + i * 30_000;
      sim.insert(BLOCKED, {
        ...base,
        messageId: `block-${p / Q}-${i}`,
        to: `user${p / Q}-${i}@${DOMAIN}`,
        status: 'Failed',
        statusDate: new Date(at).toISOString(),
        queuedTime: new Date(at - 2_000).toISOString(),
        deliveryTime: null,
        failureType: 'Hard',
        failureCode: code,
        reason: '554 5.7.1 Message rejected: sending IP listed on a blocklist',
      });
    }
  }
}

/**
 * The planted week collected into a fresh local lake (the v2 simulator, every day alike at about 8 000 status events
 * per server, so the planted hour is the only thing out of the usual).
 */
export async function collectBlockedLake(name: string): Promise<{ sim: V2Simulator; lake: string }> {
  const sim = await startV2Simulator({ serverIds: SERVERS, from: FROM, to: TO, apiKey: KEY_V2, profile: () => 8000 });
  plantBlock(sim);
  const lake = await scratch(name);
  await runCollection({ store: localStore(lake), env: v2Env(sim, SERVERS, 100), from: FROM, to: TO });
  return { sim, lake };
}
