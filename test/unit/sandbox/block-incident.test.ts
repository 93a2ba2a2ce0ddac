import { describe, expect, it } from 'vitest';
import type { BlockIncident } from '../../../shared/sandbox/block-incident';
import { generateV1Data, type V1Record } from '../../../shared/sandbox/socketlabs-v1/dataset';
import { defaultV2EventMix, generateV2Data, type V2Item } from '../../../shared/sandbox/socketlabs-v2/dataset';

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
