import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountData } from '../../../shared/sandbox/socketlabs-v1/account-data';
import { generateV1Data } from '../../../shared/sandbox/socketlabs-v1/dataset';
import { formatV1DateTime } from '../../../shared/sandbox/socketlabs-v1/dates';
import { decideFault, type FaultKind, faultKinds } from '../../../shared/sandbox/socketlabs-v1/faults';
import {
  defaultV1Ratios,
  type V1Dataset,
  type V1Profile,
  type V1Record,
  v1Datasets,
} from '../../../shared/sandbox/socketlabs-v1/model';
import {
  startV1Simulator,
  type V1Simulator,
  type V1SimulatorOptions,
} from '../../../shared/sandbox/socketlabs-v1/server';
import { defaultV1Profile } from '../../../shared/sandbox/socketlabs-v1/volume-profile';
import { documentedFailureCodes } from '../../../shared/sources/socketlabs-common/failure-codes';
import { basicAuth, expectCloseEndsHungRequest, expectReplayableFaults, withSimulator } from './simulator-helpers';

const USER = 'tester@example.com';
const KEY = 'k3y-Sup3rSecret-0042';
const SERVERS = [1000, 1006];
const tinyCounts: Record<V1Dataset, number> = { failed: 9, queued: 40, processed: 34, complaints: 3, engagement: 13 };
/** Small lake; the third day of `failed` is empty to exercise zero dataset-days. */
const tinyProfile: V1Profile = (dataset, date) =>
  dataset === 'failed' && date === '2026-03-03' ? 0 : tinyCounts[dataset];
const base: V1SimulatorOptions = {
  seed: 7,
  serverIds: SERVERS,
  from: '2026-03-01',
  to: '2026-03-03',
  profile: tinyProfile,
  username: USER,
  apiKey: KEY,
  requestsPerSecond: 10_000,
  burst: 10_000,
};

interface CallInit {
  key?: string | null;
  signal?: AbortSignal;
}

function call(sim: V1Simulator, method: string, params: Record<string, string | number> = {}, init: CallInit = {}) {
  const url = new URL(`${sim.url}/${method}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = {};
  const key = init.key === undefined ? KEY : init.key;
  if (key !== null) headers.authorization = basicAuth(USER, key);
  return fetch(url, { headers, ...(init.signal ? { signal: init.signal } : {}) });
}

interface Page {
  timestamp: string;
  totalCount: number;
  totalPages: number;
  count: number;
  collection: V1Record[];
}

async function page(sim: V1Simulator, method: string, params: Record<string, string | number>): Promise<Page> {
  const res = await call(sim, method, params);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

const instant = (r: V1Record) => Date.parse(String(r.DateTime));
const secondText = (r: V1Record) => String(r.DateTime).slice(0, 19).replace('T', ' ');

describe('socketlabs v1 dataset', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const opts = { seed: 11, serverIds: SERVERS, from: '2026-03-01', to: '2026-03-03', profile: tinyProfile };
    const a = generateV1Data(opts);
    const b = generateV1Data(opts);
    const c = generateV1Data({ ...opts, seed: 12 });
    for (const d of v1Datasets) {
      expect(b.records(d, 1006)).toEqual(a.records(d, 1006));
      expect(c.records(d, 1006)).not.toEqual(a.records(d, 1006));
    }
    // Reading out of order must not change anything: records are rebuilt from their own seeds.
    const last = a.size('processed', 1000) - 1;
    expect(generateV1Data(opts).recordAt('processed', 1000, last)).toEqual(a.records('processed', 1000)[last]);
  });

  it('keeps every (dataset, server) sorted by DateTime, with canonical UTC stamps', () => {
    const store = generateV1Data({ seed: 3, serverIds: [1], from: '2026-03-01', to: '2026-03-05' });
    for (const d of v1Datasets) {
      const rows = store.records(d, 1);
      for (const r of rows) expect(r.DateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      for (let i = 1; i < rows.length; i++) expect(instant(rows[i]!)).toBeGreaterThanOrEqual(instant(rows[i - 1]!));
    }
  });

  it('exercises every documented quirk with the default profile', () => {
    const store = generateV1Data({ seed: 42, serverIds: [1000], from: '2026-10-01', to: '2026-10-31' });
    const failed = store.records('failed', 1000);
    const processed = store.records('processed', 1000);
    const complaints = store.records('complaints', 1000);
    const engagement = store.records('engagement', 1000);

    expect(new Set(failed.map((r) => r.FailureType))).toEqual(new Set([0, 1, 2]));
    const codes = new Set(failed.map((r) => r.FailureCode as number));
    for (const code of documentedFailureCodes) expect(codes).toContain(code);
    expect([...codes].some((c) => !documentedFailureCodes.includes(c))).toBe(true);

    const domains = new Set(processed.map((r) => String(r.ToAddress).split('@')[1]!.toLowerCase()));
    expect(domains.size).toBeGreaterThanOrEqual(60);
    for (const d of ['gmail.com', 'yahoo.com', 'outlook.com']) expect(domains).toContain(d);
    expect(processed.some((r) => /[A-Z]/.test(String(r.ToAddress)))).toBe(true);

    const texts = [...failed.map((r) => r.Reason), ...processed.map((r) => r.Response)].map(String);
    for (const needle of ['{CRLF}', '\r\n', '"', ',', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>']) {
      expect(texts.some((t) => t.includes(needle))).toBe(true);
    }
    expect(texts.some((t) => t.includes('Ünïcödé'))).toBe(true);
    expect(texts.some((t) => /\p{Extended_Pictographic}/u.test(t))).toBe(true);
    expect(texts.some((t) => /[\u4e00-\u9fff]/.test(t))).toBe(true);

    expect(new Set(complaints.map((r) => r.Type))).toEqual(new Set(['abuse', 'dkim', 'fraud', 'virus', 'other']));
    expect(new Set(complaints.map((r) => r.UserAgent)).size).toBeGreaterThan(3);

    const opens = engagement.filter((r) => r.EventType === 1);
    const clicks = engagement.filter((r) => r.EventType === 0);
    expect(opens.some((r) => r.URL === null) && opens.some((r) => r.URL === '')).toBe(true);
    expect(clicks.length).toBeGreaterThan(0);
    for (const r of clicks) expect(typeof r.URL === 'string' && r.URL.length > 0).toBe(true);

    const ids = failed.map((r) => r.MessageId);
    expect(ids).toContain(null);
    expect(ids).toContain('');
    const stamps = processed.map((r) => String(r.DateTime));
    expect(stamps.some((s) => s.endsWith('T00:00:00Z'))).toBe(true);
    expect(stamps.some((s) => s.endsWith('T23:59:59Z'))).toBe(true);
    expect(stamps.some((s, i) => i > 0 && s === stamps[i - 1])).toBe(true);
  });

  it('default profile: a steady weekly rhythm with lighter weekends and the documented realistic ratios', () => {
    const profile = defaultV1Profile(5);
    const days = Array.from({ length: 56 }, (_, i) => formatV1DateTime(Date.UTC(2026, 0, 5 + i) / 1000).slice(0, 10));
    const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
    const queued = (d: string) => profile('queued', d, 1);
    const mean = (ds: string[]) => ds.reduce((acc, d) => acc + queued(d), 0) / ds.length;
    const midweek = days.filter((d) => [1, 2, 3, 4].includes(weekday(d)));
    const weekend = days.filter((d) => [0, 6].includes(weekday(d)));
    expect(days.every((d) => queued(d) > 0)).toBe(true);
    // ±15 % from day to day around the server's own level, weekends at well under half of it.
    expect(Math.max(...midweek.map(queued)) / Math.min(...midweek.map(queued))).toBeLessThan(1.36);
    expect(mean(weekend) / mean(midweek)).toBeLessThan(0.5);
    const sum = (ds: V1Dataset) => days.reduce((acc, d) => acc + profile(ds, d, 1), 0);
    const total = sum('queued');
    const [failedMin, failedMax] = defaultV1Ratios.failed;
    expect(sum('failed') / total).toBeGreaterThan(failedMin);
    expect(sum('failed') / total).toBeLessThan(failedMax);
    expect(sum('complaints') / total).toBeGreaterThan(0.00005);
    expect(sum('complaints') / total).toBeLessThan(defaultV1Ratios.complaints[1]);
    expect(sum('engagement') / total).toBeGreaterThan(0.08);
    expect(days.some((d) => profile('complaints', d, 1) === 0)).toBe(true);
  });

  it('ratios given as options replace the defaults, for tests that need extreme rates', () => {
    const profile = defaultV1Profile(5, { failed: [0.2, 0.2], complaints: [0.01, 0.01] });
    for (const d of ['2026-01-05', '2026-01-06', '2026-01-10']) {
      const queued = profile('queued', d, 1);
      expect(profile('failed', d, 1)).toBe(Math.round(queued * 0.2));
      expect(profile('processed', d, 1)).toBe(defaultV1Profile(5)('processed', d, 1));
    }
  });

  it('builds accountData with every documented field', () => {
    const obj = accountData(1234, new Date('2026-11-20T10:00:00Z'));
    expect(Object.keys(obj)).toEqual([
      'ServerId',
      'CurrentBillingPeriodStart',
      'CurrentBillingPeriodEnd',
      'BillingPeriodApiAccessCount',
      'BillingPeriodMessageCount',
      'BillingPeriodByteCount',
      'ServerApiAccessAllowance',
      'ServerMessageAllowance',
      'ServerByteAllowance',
      'IsOverAllowance',
      'IsOverByteAllowance',
      'IsOverMessageAllowance',
    ]);
    expect(obj.CurrentBillingPeriodStart).toBe('2026-11-15T00:00:00Z');
    expect(obj.CurrentBillingPeriodEnd).toBe('2026-12-14T00:00:00Z');
    expect(accountData(1234, new Date('2026-11-20T10:00:00Z'))).toEqual(obj);
  });

  it('decides faults deterministically from the seed and request number', () => {
    const opts = { probability: 0.3, kinds: [...faultKinds] };
    expectReplayableFaults((i) => decideFault(opts, 9, i));
    expect(decideFault({ probability: 0, kinds: ['5xx'] }, 9, 1)).toBeNull();
  });
});

describe('socketlabs v1 simulator over HTTP', () => {
  let sim: V1Simulator;
  beforeAll(async () => {
    sim = await startV1Simulator(base);
  });
  afterAll(async () => {
    await sim.close();
  });

  it('pages with index/count and reports totalCount/totalPages', async () => {
    const truth = sim.truth('processed', 1000);
    const got: V1Record[] = [];
    let index = 0;
    let first: Page | null = null;
    for (;;) {
      const p = await page(sim, 'messagesProcessed', { serverId: 1000, type: 'json', index, count: 7 });
      first ??= p;
      expect(p.totalCount).toBe(truth.length);
      expect(p.totalPages).toBe(Math.ceil(truth.length / 7));
      expect(p.count).toBe(p.collection.length);
      if (p.collection.length === 0) break;
      got.push(...p.collection);
      index += 7;
    }
    expect(got).toEqual(truth);
    expect(first?.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    const all = await page(sim, 'messagesProcessed', { serverId: 1000 });
    expect(all.count).toBe(truth.length);
    expect(all.totalPages).toBe(1);
  });

  it('treats both startDate and endDate as inclusive, to the second', async () => {
    const truth = sim.truth('queued', 1006);
    const pivot = truth[Math.floor(truth.length / 2)]!;
    const same = truth.filter((r) => r.DateTime === pivot.DateTime);
    const p = await page(sim, 'messagesQueued', {
      serverId: 1006,
      startDate: secondText(pivot),
      endDate: secondText(pivot),
    });
    expect(p.totalCount).toBe(same.length);
    expect(p.collection).toEqual(same);

    const local = await startV1Simulator({ ...base, seed: 99 });
    try {
      local.insert('failed', 1000, { DateTime: '2026-03-02T00:00:00Z', MessageId: 'EDGE-START', FailureCode: 2001 });
      local.insert('failed', 1000, { DateTime: '2026-03-02T23:59:59Z', MessageId: 'EDGE-END', FailureCode: 2001 });
      const ids = async (params: Record<string, string>) =>
        (await page(local, 'messagesFailed', { serverId: 1000, ...params })).collection.map((r) => r.MessageId);
      // Date-only bounds mean 00:00:00.
      expect(await ids({ endDate: '2026-03-02' })).toContain('EDGE-START');
      expect(await ids({ startDate: '2026-03-02' })).toContain('EDGE-START');
      expect(await ids({ startDate: '2026-03-02 00:00:01' })).not.toContain('EDGE-START');
      expect(await ids({ endDate: '2026-03-01 23:59:59' })).not.toContain('EDGE-START');
      expect(await ids({ startDate: '2026-03-02 23:59:59', endDate: '2026-03-02 23:59:59' })).toContain('EDGE-END');
      expect(await ids({ startDate: '2026-03-03' })).not.toContain('EDGE-END');
    } finally {
      await local.close();
    }
  });

  it('applies timeZone to the input dates and to every DateTime of the output', async () => {
    const utcDay = sim.truth('engagement', 1000).filter((r) => String(r.DateTime).startsWith('2026-03-02'));
    expect(utcDay.length).toBeGreaterThan(0);
    for (const [tz, suffix, start, end] of [
      [-240, '-04:00', '2026-03-01 20:00:00', '2026-03-02 19:59:59'],
      [330, '+05:30', '2026-03-02 05:30:00', '2026-03-03 05:29:59'],
    ] as const) {
      const p = await page(sim, 'messagesOpenClick', { serverId: 1000, timeZone: tz, startDate: start, endDate: end });
      expect(p.totalCount).toBe(utcDay.length);
      for (const r of p.collection) expect(String(r.DateTime).endsWith(suffix)).toBe(true);
      expect(p.collection.map(instant)).toEqual(utcDay.map(instant));
      expect(p.collection.map((r) => ({ ...r, DateTime: null }))).toEqual(
        utcDay.map((r) => ({ ...r, DateTime: null })),
      );
    }
  });

  it('reads query parameter names case-insensitively', async () => {
    const canonical = await page(sim, 'messagesFailed', {
      serverId: 1000,
      startDate: '2026-03-01 06:00:00',
      index: 1,
      count: 3,
      type: 'json',
    });
    const shouted = await page(sim, 'messagesFailed', {
      SERVERID: 1000,
      startdate: '2026-03-01 06:00:00',
      INDEX: 1,
      Count: 3,
      TYPE: 'JSON',
    });
    expect(shouted.collection).toEqual(canonical.collection);
    expect(shouted.totalCount).toBe(canonical.totalCount);
    expect(canonical.count).toBe(3);
  });

  it('filters by mailingId and messageId', async () => {
    const truth = sim.truth('queued', 1000);
    const mailing = truth.find((r) => typeof r.MailingId === 'string' && r.MailingId !== '')!.MailingId as string;
    const p = await page(sim, 'messagesQueued', { serverId: 1000, mailingId: mailing });
    expect(p.collection).toEqual(truth.filter((r) => r.MailingId === mailing));
    const message = truth.find((r) => typeof r.MessageId === 'string' && r.MessageId !== '')!.MessageId as string;
    const q = await page(sim, 'messagesQueued', { serverId: 1000, messageId: message });
    expect(q.collection).toEqual(truth.filter((r) => r.MessageId === message));
  });

  it('answers accountData, defaulting to the first server', async () => {
    const res = await call(sim, 'accountData', { type: 'json' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { timestamp: string; object: Record<string, unknown> };
    expect(body.object.ServerId).toBe(1000);
    expect(Object.keys(body.object)).toHaveLength(12);
    const other = (await (await call(sim, 'accountData', { serverid: 1006 })).json()) as typeof body;
    expect(other.object.ServerId).toBe(1006);
  });

  it('rejects bad credentials with 401 without echoing them', async () => {
    sim.resetStats();
    const wrong = await call(sim, 'messagesFailed', { serverId: 1000 }, { key: 'WRONG-key-material-77' });
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(text).not.toContain('WRONG-key-material-77');
    expect(text).not.toContain(KEY);
    const none = await call(sim, 'messagesFailed', { serverId: 1000 }, { key: null });
    expect(none.status).toBe(401);
    expect(await none.text()).not.toContain(KEY);
    expect(sim.stats().authFailures).toBe(2);
  });

  it('answers invalid parameters with 400 and unknown servers with 403', async () => {
    const cases: [Record<string, string | number>, number][] = [
      [{ serverId: 1000, count: 501 }, 400],
      [{ serverId: 1000, count: 0 }, 400],
      [{ serverId: 1000, count: 'many' }, 400],
      [{ serverId: 1000, index: -1 }, 400],
      [{ serverId: 1000, startDate: '03/01/2026' }, 400],
      [{ serverId: 1000, endDate: '2026-02-30' }, 400],
      [{ serverId: 1000, timeZone: 'PST' }, 400],
      [{ serverId: 1000, type: 'xml' }, 400],
      [{ serverId: 1000, type: 'csv' }, 400],
      [{}, 400],
      [{ serverId: 4242 }, 403],
    ];
    for (const [params, status] of cases) {
      const res = await call(sim, 'messagesFailed', params);
      expect(res.status, JSON.stringify(params)).toBe(status);
      expect((await res.text()).length).toBeGreaterThan(0);
    }
    const xml = await call(sim, 'messagesFailed', { serverId: 1000, type: 'xml' });
    expect(await xml.text()).toContain('only json is simulated');
    expect((await page(sim, 'messagesFailed', { serverId: 1000, count: 500 })).count).toBeLessThanOrEqual(500);
  });

  it('counts requests per method and resets its stats', async () => {
    sim.resetStats();
    await call(sim, 'messagesQueued', { serverId: 1000 });
    await call(sim, 'messagesqueued', { serverId: 1000 });
    await call(sim, 'accountData');
    const stats = sim.stats();
    expect(stats.requests).toBe(3);
    expect(stats.byMethod).toEqual({ messagesQueued: 2, accountData: 1 });
    sim.resetStats();
    expect(sim.stats().requests).toBe(0);
  });

  it('accepts late records through insert() and shows them in truth and answers', async () => {
    const before = sim.truth('complaints', 1006).length;
    sim.insert('complaints', 1006, {
      DateTime: '2026-03-02T12:00:00-04:00',
      MessageId: 'LATE-MANUAL',
      Type: 'abuse',
      OriginalRecipient: 'x@example.org',
    });
    const truth = sim.truth('complaints', 1006);
    expect(truth).toHaveLength(before + 1);
    const late = truth.find((r) => r.MessageId === 'LATE-MANUAL')!;
    expect(late.DateTime).toBe('2026-03-02T16:00:00Z');
    expect(late.ServerId).toBe(1006);
    const p = await page(sim, 'messagesFblReported', { serverId: 1006 });
    expect(p.collection).toEqual(truth);
  });
});

describe('socketlabs v1 simulator rate limit', () => {
  it('answers 429 with Retry-After once the bucket is empty', async () => {
    const sim = await startV1Simulator({ ...base, requestsPerSecond: 1, burst: 2 });
    try {
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => call(sim, 'messagesQueued', { serverId: 1000, count: 1 })),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
      const limited = responses.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThanOrEqual(3);
      for (const r of limited) expect(r.headers.get('retry-after')).toMatch(/^[01]$/);
      await Promise.all(responses.map((r) => r.text()));
      expect(sim.stats().rateLimited).toBe(limited.length);
      // Auth failures never reach the bucket.
      expect((await call(sim, 'messagesQueued', { serverId: 1000 }, { key: 'nope' })).status).toBe(401);
    } finally {
      await sim.close();
    }
  });
});

describe('socketlabs v1 simulator faults', () => {
  const withFault = (kind: FaultKind, run: (sim: V1Simulator) => Promise<void>) =>
    withSimulator(() => startV1Simulator({ ...base, faults: { probability: 1, kinds: [kind] } }), run);

  it('5xx: answers 500/502/503', async () => {
    await withFault('5xx', async (sim) => {
      for (let i = 0; i < 4; i++) {
        const res = await call(sim, 'messagesFailed', { serverId: 1000 });
        expect([500, 502, 503]).toContain(res.status);
        expect((await res.text()).length).toBeGreaterThan(0);
      }
      expect(sim.stats().faultsInjected['5xx']).toBe(4);
      // Faults never apply to requests rejected for auth.
      expect((await call(sim, 'messagesFailed', { serverId: 1000 }, { key: 'bad' })).status).toBe(401);
      expect(sim.stats().faultsInjected['5xx']).toBe(4);
    });
  });

  it('429: answers 429 with Retry-After 0 or 1 regardless of the bucket', async () => {
    await withFault('429', async (sim) => {
      const res = await call(sim, 'messagesQueued', { serverId: 1000 });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^[01]$/);
      await res.text();
      expect(sim.stats()).toMatchObject({ rateLimited: 0, faultsInjected: { '429': 1 } });
    });
  });

  it('non-json: answers 200 with an HTML page', async () => {
    await withFault('non-json', async (sim) => {
      const res = await call(sim, 'messagesQueued', { serverId: 1000 });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const text = await res.text();
      expect(() => JSON.parse(text)).toThrow();
    });
  });

  it('truncated: sends half a body and drops the connection', async () => {
    await withFault('truncated', async (sim) => {
      for (let i = 0; i < 4; i++) {
        const res = await call(sim, 'messagesProcessed', { serverId: 1000 });
        expect(res.status).toBe(200);
        await expect(res.text().then((t) => JSON.parse(t))).rejects.toThrow();
      }
      expect(sim.stats().faultsInjected.truncated).toBe(4);
    });
  });

  it('hang: never answers, and close() still returns promptly', async () => {
    await withFault('hang', async (sim) => {
      await expect(
        call(sim, 'messagesQueued', { serverId: 1000 }, { signal: AbortSignal.timeout(200) }),
      ).rejects.toThrow();
    });
    const sim = await startV1Simulator({ ...base, faults: { probability: 1, kinds: ['hang'] } });
    await expectCloseEndsHungRequest(sim, () => call(sim, 'messagesQueued', { serverId: 1000 }));
  });

  it('recase: re-cases envelope and item keys', async () => {
    await withFault('recase', async (sim) => {
      const truth = sim.truth('failed', 1000);
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const body = (await (await call(sim, 'messagesFailed', { serverId: 1000, count: 2 })).json()) as Record<
          string,
          unknown
        >;
        const keys = Object.keys(body);
        const lower = (k: string) => k.toLowerCase();
        expect(keys.map(lower).sort()).toEqual(['collection', 'count', 'timestamp', 'totalcount', 'totalpages']);
        const items = Object.entries(body).find(([k]) => lower(k) === 'collection')![1] as Record<string, unknown>[];
        expect(Object.keys(items[0]!).map(lower)).toEqual(Object.keys(truth[0]!).map(lower));
        seen.add(Object.keys(items[0]!)[0]!);
      }
      // lower, UPPER and camelCase all show up, and none matches the documented PascalCase.
      expect([...seen].sort()).toEqual(['SERVERID', 'serverId', 'serverid']);
    });
  });

  it('extra-fields: adds unknown fields to the envelope and items', async () => {
    await withFault('extra-fields', async (sim) => {
      const p = (await (await call(sim, 'messagesFailed', { serverId: 1000 })).json()) as Page & { NewField: string };
      expect(p.NewField).toBe('x');
      expect(p.collection[0]).toHaveProperty('Tracking');
      expect(p.collection[0]).toHaveProperty('NewField', 'x');
      expect(p.collection[0]!.MessageId).toEqual(sim.truth('failed', 1000)[0]!.MessageId);
    });
  });

  it('offsets: renders DateTime with a non-zero offset for the same instant', async () => {
    await withFault('offsets', async (sim) => {
      const truth = sim.truth('processed', 1006);
      const p = await page(sim, 'messagesProcessed', { serverId: 1006 });
      expect(p.collection.map(instant)).toEqual(truth.map(instant));
      for (const r of p.collection) expect(String(r.DateTime)).toMatch(/[+-]\d{2}:\d{2}$/);
      expect(String(p.collection[0]!.DateTime)).not.toMatch(/[+-]00:00$/);
    });
  });

  it('insert-between-pages: adds an earlier record after a page, shifting later offsets', async () => {
    await withFault('insert-between-pages', async (sim) => {
      const before = sim.truth('queued', 1000);
      const params = { serverId: 1000, startDate: '2026-03-01', endDate: '2026-03-02 23:59:59', count: 10 };
      const first = await page(sim, 'messagesQueued', { ...params, index: 0 });
      expect(first.totalCount).toBe(80);
      const after = sim.truth('queued', 1000);
      expect(after).toHaveLength(before.length + 1);
      const late = after.find((r) => String(r.MessageId).startsWith('LATE-'))!;
      expect(instant(late)).toBeLessThan(instant(first.collection.at(-1)!));
      expect(instant(late)).toBeGreaterThanOrEqual(Date.parse('2026-03-01T00:00:00Z'));
      const second = await page(sim, 'messagesQueued', { ...params, index: 10 });
      expect(second.totalCount).toBe(81);
      // The last record of page one moved to the start of page two.
      expect(second.collection[0]).toEqual(first.collection.at(-1));
      expect(sim.stats().faultsInjected['insert-between-pages']).toBe(2);
      // A single-page answer gets no insertion.
      await page(sim, 'messagesQueued', { serverId: 1000, startDate: '2026-03-03', count: 500 });
      expect(sim.stats().faultsInjected['insert-between-pages']).toBe(2);
    });
  });
});

describe('socketlabs v1 simulator at scale', () => {
  it('serves pages of a 1M-row dataset without scanning it', async () => {
    const sim = await startV1Simulator({
      ...base,
      serverIds: [1],
      from: '2026-01-01',
      to: '2026-01-20',
      profile: (d) => (d === 'processed' ? 50_000 : 0),
    });
    try {
      const started = performance.now();
      const last = await page(sim, 'messagesProcessed', { serverId: 1, index: 999_500 });
      expect(last.totalCount).toBe(1_000_000);
      expect(last.totalPages).toBe(2000);
      expect(last.count).toBe(500);
      const mid = await page(sim, 'messagesProcessed', {
        serverId: 1,
        startDate: '2026-01-10 12:00:00',
        endDate: '2026-01-10 12:59:59',
        index: 100,
        count: 5,
      });
      expect(mid.collection).toHaveLength(5);
      for (const r of mid.collection) expect(String(r.DateTime).startsWith('2026-01-10T12:')).toBe(true);
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await sim.close();
    }
  });
});
