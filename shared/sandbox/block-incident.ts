/**
 * A planted incident for the SocketLabs simulators: from an instant, one mailbox provider rejects one server's mail
 * with a block-type failure code (1xxx, "rejected/blacklist"), as when a sending IP lands on a blocklist. The
 * simulators turn that server's mail to that domain within the incident into failures with the code, so the lake, its
 * rollups and the intraday alerts see the block as they would from the API. Off unless a caller plants one.
 */
import { hashSeed, Rng } from './random';

export interface BlockIncident {
  readonly serverId: number;
  /** The recipient domain that rejects (lower case), e.g. `gmail.com`. */
  readonly domain: string;
  /** The failure code of every rejection: a 1xxx (rejected) code of the guide, e.g. 1002 (blacklist). */
  readonly code: number;
  /** First instant of the block (epoch ms), inclusive. */
  readonly from: number;
  /** End of the block (epoch ms), exclusive; none: it lasts to the end of the simulated data. */
  readonly to?: number;
  /**
   * Least rejections per hour of the incident. A block hits a sender's campaign to the provider, which keeps going:
   * in an hour where the server's own mail to the domain yields fewer rejections (a quiet night), the simulator adds
   * rejected messages to the domain up to this. None: only the server's own mail is rejected.
   */
  readonly minPerHour?: number;
}

/** Throws on an incident the simulator could not plant as asked. */
export function checkBlockIncident(incident: BlockIncident, serverIds: readonly number[]): void {
  if (!serverIds.includes(incident.serverId)) throw new Error(`incident server ${incident.serverId} is not simulated`);
  if (incident.domain !== incident.domain.toLowerCase() || !incident.domain.includes('.')) {
    throw new Error(`incident domain '${incident.domain}' must be a lower-case domain`);
  }
  if (!(Number.isInteger(incident.code) && Math.floor(incident.code / 1000) === 1)) {
    throw new Error(`incident code ${incident.code} is not a block-type (1xxx) failure code`);
  }
  if (!Number.isFinite(incident.from) || (incident.to !== undefined && !(incident.to > incident.from))) {
    throw new Error('incident needs a finite start before its end');
  }
  if (incident.minPerHour !== undefined && !(Number.isInteger(incident.minPerHour) && incident.minPerHour >= 0)) {
    throw new Error(`incident minPerHour ${incident.minPerHour} must be a non-negative integer`);
  }
}

const HOUR_SEC = 3600;

/**
 * Tops up each hour of the incident (counted from its start; the last one cut short by its end or by `lastSec`, the
 * last second of the simulated data, and given a pro rata floor) to the incident's `minPerHour` rejections.
 * `rejections(fromSec, toSec)` counts those already there (both bounds inclusive); `add(sec, rng)` adds one rejection
 * at a second, with a generator of its own seed. The missing ones are spread evenly over the hour, as a campaign sends.
 */
export function fillBlockFloor(
  incident: BlockIncident,
  seed: number,
  lastSec: number,
  rejections: (fromSec: number, toSec: number) => number,
  add: (sec: number, rng: Rng) => void,
): void {
  if (!incident.minPerHour) return;
  const endSec = Math.min(lastSec, Math.ceil((incident.to ?? Number.POSITIVE_INFINITY) / 1000) - 1);
  for (let fromSec = Math.ceil(incident.from / 1000); fromSec <= endSec; fromSec += HOUR_SEC) {
    const toSec = Math.min(endSec, fromSec + HOUR_SEC - 1);
    const length = toSec - fromSec + 1;
    const missing = Math.ceil((incident.minPerHour * length) / HOUR_SEC) - rejections(fromSec, toSec);
    for (let i = 0; i < missing; i++) {
      const rng = new Rng(hashSeed(seed, 'block-floor', incident.serverId, fromSec, i));
      add(fromSec + Math.floor(((i + rng.next()) * length) / missing), rng);
    }
  }
}

/** Whether mail of a server to a recipient domain at a second (epoch) is rejected by the incident. */
export function isBlocked(
  incident: BlockIncident | undefined,
  serverId: number,
  epochSec: number,
  domain: string,
): boolean {
  if (!incident || incident.serverId !== serverId) return false;
  const ms = epochSec * 1000;
  return (
    ms >= incident.from && (incident.to === undefined || ms < incident.to) && domain.toLowerCase() === incident.domain
  );
}

const blockReasons: readonly ((ip: string, domain: string) => string)[] = [
  (ip) => `554 5.7.1 Service unavailable; Client host [${ip}] blocked using zen.spamhaus.org`,
  (ip, domain) =>
    `550 5.7.1 [${ip}] Our system has detected that this message is likely unsolicited mail; ${domain} rejects mail from this IP`,
  (ip) => `421 4.7.0 [TSS04] Messages from ${ip} temporarily deferred due to user complaints`,
];

/** The SMTP text of one rejection of the incident, naming the sending IP. */
export function blockReason(rng: Rng, ip: string, domain: string): string {
  return rng.pick(blockReasons)(ip, domain);
}
