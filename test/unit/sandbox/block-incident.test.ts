import { describe, expect, it } from 'vitest';
import type { BlockIncident } from '../../../shared/sandbox/block-incident';
import { generateV1Data } from '../../../shared/sandbox/socketlabs-v1/dataset';
import type { V1Record } from '../../../shared/sandbox/socketlabs-v1/model';
import { generateV2Data } from '../../../shared/sandbox/socketlabs-v2/dataset';
import { defaultV2EventMix, type V2Item } from '../../../shared/sandbox/socketlabs-v2/model';

const FROM = '2026-03-02';
const TO = '2026-03-03';
/** Server 7 is blocked by gmail.com from 10:00 to 13:00 UTC on the last day; server 8 sends as usual. */
const INCIDENT: BlockIncident = {
  serverId: 7,
  domain: 'gmail.com',
  code: 1002,
  from: Date.parse('2026-03-03T10:00:00Z'),
  to: Date.parse('2026-03-03T13:00:00Z'),
};
const within = (iso: unknown) => {
  const t = Date.parse(String(iso));
  return t >= INCIDENT.from && t < INCIDENT.to!;
};
const domainOf = (address: unknown) =>
  String(address)
    .slice(String(address).lastIndexOf('@') + 1)
    .toLowerCase();

describe('a planted block (simulator option, off by default)', () => {
  it('v2: the server’s deliveries to the domain within the block fail with the code, nothing else changes', () => {
    const opts = { seed: 3, serverIds: [7, 8], from: TO, to: TO, profile: () => 8000 };
    const plain = generateV2Data(opts);
    const blocked = generateV2Data({ ...opts, incident: INCIDENT });
    const atGmail = (i: V2Item) => within(i.statusDate) && domainOf(i.to) === 'gmail.com';
    const before = plain.items(7).filter(atGmail);
    const after = blocked.items(7).filter(atGmail);
    const delivered = before.filter((i) => i.status === 'Delivered').length;
    expect(delivered).toBeGreaterThan(100);
    expect(after.filter((i) => i.status === 'Delivered')).toEqual([]);
    const rejected = after.filter((i) => i.failureCode === 1002 && i.failureType === 'Hard');
    const natural = before.filter((i) => i.failureCode === 1002).length;
    expect(rejected.length).toBe(delivered + natural);
    expect(rejected.every((i) => i.status === 'Failed' && i.deliveryTime === null)).toBe(true);
    // Outside the block, at other domains and on the other server the data is the same item for item.
    const rest = (store: typeof plain, server: number) =>
      store.items(server).filter((i) => server !== 7 || !atGmail(i));
    expect(rest(blocked, 7)).toEqual(rest(plain, 7));
    expect(blocked.items(8)).toEqual(plain.items(8));
  });

  it('v1: messagesFailed gains one rejection with the code per message queued to the domain within the block', () => {
    const opts = { seed: 3, serverIds: [7, 8], from: FROM, to: TO, profile: () => 6000 };
    const plain = generateV1Data(opts);
    const blocked = generateV1Data({ ...opts, incident: INCIDENT });
    const queuedAtGmail = plain
      .records('queued', 7)
      .filter((r) => within(r.DateTime) && domainOf(r.ToAddress) === 'gmail.com');
    expect(queuedAtGmail.length).toBeGreaterThan(50);
    const failed = blocked.records('failed', 7);
    const planted = failed.length - plain.size('failed', 7);
    expect(planted).toBe(queuedAtGmail.length);
    const rejections = failed.filter(
      (r: V1Record) => r.FailureCode === 1002 && r.FailureType === 1 && domainOf(r.ToAddress) === 'gmail.com',
    );
    expect(rejections.length).toBeGreaterThanOrEqual(planted);
    expect(new Set(queuedAtGmail.map((r) => r.ToAddress)).size).toBeLessThanOrEqual(
      new Set(rejections.map((r) => r.ToAddress)).size,
    );
    expect(blocked.records('failed', 8)).toEqual(plain.records('failed', 8));
    expect(blocked.records('processed', 7)).toEqual(plain.records('processed', 7));
  });

  it('refuses an incident it could not plant as asked', () => {
    const opts = { seed: 3, serverIds: [7], from: FROM, to: TO, profile: () => 10 };
    expect(() => generateV2Data({ ...opts, incident: { ...INCIDENT, serverId: 9 } })).toThrow(/server 9/);
    expect(() => generateV2Data({ ...opts, incident: { ...INCIDENT, code: 2001 } })).toThrow(/1xxx/);
    expect(() => generateV1Data({ ...opts, incident: { ...INCIDENT, domain: 'Gmail.com' } })).toThrow(/lower-case/);
    expect(() => generateV1Data({ ...opts, incident: { ...INCIDENT, to: INCIDENT.from } })).toThrow(/start/);
  });
});

describe('a planted block with a floor of rejections per hour', () => {
  const HOUR = 3_600_000;
  /** Rejections with the incident's code at its domain in each hour of the incident (hard failures only). */
  const perHour = (incident: BlockIncident, rows: { at: unknown; to: unknown; hard: boolean; code: unknown }[]) => {
    const hours = Array<number>(Math.round((incident.to! - incident.from) / HOUR)).fill(0);
    for (const r of rows) {
      const t = Date.parse(String(r.at));
      if (t < incident.from || t >= incident.to! || !r.hard || r.code !== incident.code) continue;
      if (domainOf(r.to) === incident.domain) hours[Math.floor((t - incident.from) / HOUR)]!++;
    }
    return hours;
  };
  const v2Hours = (incident: BlockIncident, items: V2Item[]) =>
    perHour(
      incident,
      items.map((i) => ({
        at: i.statusDate,
        to: i.to,
        hard: i.status === 'Failed' && i.failureType === 'Hard',
        code: i.failureCode,
      })),
    );
  const v1Hours = (incident: BlockIncident, records: V1Record[]) =>
    perHour(
      incident,
      records.map((r) => ({ at: r.DateTime, to: r.ToAddress, hard: r.FailureType === 1, code: r.FailureCode })),
    );
  /** A Sunday night, 03:00 to 06:00 UTC, with the simulators' own (quiet, weekend) volumes. */
  const night: BlockIncident = {
    ...INCIDENT,
    from: Date.parse('2026-03-01T03:00:00Z'),
    to: Date.parse('2026-03-01T06:00:00Z'),
    minPerHour: 40,
  };
  const { minPerHour: _, ...unfloored } = night;
  const sunday = { seed: 3, serverIds: [7, 8], from: '2026-03-01', to: '2026-03-01' };

  it('v2: every hour of a Sunday-night block reaches the floor, with realistic rejected items at the domain', () => {
    const plain = generateV2Data({ ...sunday, incident: unfloored });
    const floored = generateV2Data({ ...sunday, incident: night });
    // Without the floor the night is too quiet for the alert: that is what the floor is for.
    expect(Math.min(...v2Hours(night, plain.items(7)))).toBeLessThan(40);
    const hours = v2Hours(night, floored.items(7));
    expect(hours).toHaveLength(3);
    for (const n of hours) expect(n).toBeGreaterThanOrEqual(40);
    // Only rejections at the domain within the block were added, each a complete item of the server.
    const added = floored.size(7) - plain.size(7);
    const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
    expect(added).toBe(sum(hours) - sum(v2Hours(night, plain.items(7))));
    const before = new Set(plain.items(7).map((i) => JSON.stringify(i)));
    const fresh = floored.items(7).filter((i) => !before.has(JSON.stringify(i)));
    expect(fresh).toHaveLength(added);
    for (const i of fresh) {
      expect(i).toMatchObject({ status: 'Failed', failureType: 'Hard', failureCode: 1002, deliveryTime: null });
      expect(domainOf(i.to)).toBe('gmail.com');
      expect(String(i.reason)).toMatch(/^(554|550|421) /);
      expect(String(i.ipAddress)).toMatch(/^192\.168\./);
      expect(Date.parse(String(i.queuedTime))).toBeLessThanOrEqual(Date.parse(String(i.statusDate)));
      expect(typeof i.messageSize).toBe('number');
    }
    expect(floored.items(8)).toEqual(plain.items(8));
    // Deterministic from the seed.
    expect(generateV2Data({ ...sunday, incident: night }).items(7)).toEqual(floored.items(7));
  });

  it('v1: every hour of a Sunday-night block reaches the floor, each added rejection of a message queued to the domain', () => {
    const plain = generateV1Data({ ...sunday, incident: unfloored });
    const floored = generateV1Data({ ...sunday, incident: night });
    expect(Math.min(...v1Hours(night, plain.records('failed', 7)))).toBeLessThan(40);
    const hours = v1Hours(night, floored.records('failed', 7));
    for (const n of hours) expect(n).toBeGreaterThanOrEqual(40);
    const added = floored.size('failed', 7) - plain.size('failed', 7);
    expect(added).toBeGreaterThan(0);
    expect(floored.size('queued', 7) - plain.size('queued', 7)).toBe(added);
    // Every added rejection names a message queued to the domain shortly before.
    const queued = new Set(floored.records('queued', 7).map((r) => `${r.ToAddress}|${r.MessageId}`));
    const rejections = floored
      .records('failed', 7)
      .filter((r) => r.FailureCode === 1002 && r.FailureType === 1 && domainOf(r.ToAddress) === 'gmail.com');
    for (const r of rejections) {
      if (Date.parse(String(r.DateTime)) < night.from || Date.parse(String(r.DateTime)) >= night.to!) continue;
      expect(queued.has(`${r.ToAddress}|${r.MessageId}`), String(r.ToAddress)).toBe(true);
    }
    expect(floored.records('failed', 8)).toEqual(plain.records('failed', 8));
    expect(floored.records('processed', 7)).toEqual(plain.records('processed', 7));
    expect(generateV1Data({ ...sunday, incident: night }).records('failed', 7)).toEqual(floored.records('failed', 7));
  });

  it('adds nothing to an hour whose own mail already reaches the floor, and a pro rata floor to a cut-short hour', () => {
    const busy = { seed: 3, serverIds: [7], from: TO, to: TO, profile: () => 8000 };
    const plain = generateV2Data({ ...busy, incident: INCIDENT });
    const own = v2Hours(INCIDENT, plain.items(7));
    const floor = Math.min(...own);
    expect(generateV2Data({ ...busy, incident: { ...INCIDENT, minPerHour: floor } }).items(7)).toEqual(plain.items(7));
    // Half an hour of block asks half the floor.
    const half: BlockIncident = { ...night, to: night.from + HOUR / 2, minPerHour: 80 };
    const floored = generateV2Data({ ...sunday, incident: half });
    const inHalf = floored
      .items(7)
      .filter(
        (i) =>
          Date.parse(String(i.statusDate)) >= half.from &&
          Date.parse(String(i.statusDate)) < half.to! &&
          i.failureCode === 1002 &&
          i.failureType === 'Hard' &&
          domainOf(i.to) === 'gmail.com',
      );
    expect(inHalf.length).toBeGreaterThanOrEqual(40);
    expect(inHalf.length).toBeLessThan(80);
  });

  it('refuses a floor that is not a count', () => {
    const opts = { seed: 3, serverIds: [7], from: FROM, to: TO, profile: () => 10 };
    expect(() => generateV2Data({ ...opts, incident: { ...INCIDENT, minPerHour: -1 } })).toThrow(/minPerHour/);
    expect(() => generateV1Data({ ...opts, incident: { ...INCIDENT, minPerHour: 2.5 } })).toThrow(/minPerHour/);
  });
});

describe('v2 event mix', () => {
  const opts = { seed: 3, serverIds: [7], from: FROM, to: TO, profile: () => 40_000 };
  const share = (items: V2Item[], status: string) => items.filter((i) => i.status === status).length;

  it('by default: bounces near 1.5 % of queued, complaints near 0.03 % of delivered', () => {
    const items = generateV2Data(opts).items(7);
    const queued = share(items, 'Queued');
    const bounces = items.filter((i) => i.failureType === 'Hard' || i.failureType === 'Soft').length;
    expect(bounces / queued).toBeGreaterThan(0.01);
    expect(bounces / queued).toBeLessThan(0.02);
    const complaints = share(items, 'Complained') / share(items, 'Delivered');
    expect(complaints).toBeGreaterThan(0.0001);
    expect(complaints).toBeLessThan(0.001);
  });

  it('weights given as options replace the defaults, for tests that need extreme rates', () => {
    const items = generateV2Data({ ...opts, events: { failure: 7, delivered: 33, complaint: 0.4 } }).items(7);
    const queued = share(items, 'Queued');
    const bounces = items.filter((i) => i.failureType === 'Hard' || i.failureType === 'Soft').length;
    expect(bounces / queued).toBeGreaterThan(0.15);
    expect(share(items, 'Complained') / share(items, 'Delivered')).toBeGreaterThan(0.008);
    expect(defaultV2EventMix.failure).toBeLessThan(1);
  });
});
