import { get as httpGet } from 'node:http';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v1RecipientDomains } from '../../../shared/sandbox/socketlabs-v1/content-tables';
import { generateV2Data } from '../../../shared/sandbox/socketlabs-v2/dataset';
import { decideV2Fault, type V2FaultKind, v2FaultKinds } from '../../../shared/sandbox/socketlabs-v2/faults';
import {
  type V2Item,
  type V2Profile,
  v2MessageFields,
  v2Statuses,
  v2SuppressionFields,
} from '../../../shared/sandbox/socketlabs-v2/model';
import {
  startV2Simulator,
  type V2Simulator,
  type V2SimulatorOptions,
} from '../../../shared/sandbox/socketlabs-v2/server';
import { basicAuth, expectCloseEndsHungRequest, expectReplayableFaults, withSimulator } from './simulator-helpers';

const KEY = 'v2-k3y-Sup3rSecret-0042';
const SERVERS = [1000, 1006];
const NOW = new Date('2026-03-10T12:00:00Z');
/** Small account; server 1006 is idle on the last day to exercise empty days. */
const tinyProfile: V2Profile = (date, serverId) => (serverId === 1006 && date === '2026-03-03' ? 0 : 60);
const base: V2SimulatorOptions = {
  seed: 7,
  serverIds: SERVERS,
  from: '2026-03-01',
  to: '2026-03-03',
  profile: tinyProfile,
  apiKey: KEY,
  limits: { overallPerMinute: 1_000_000, messageReportsPerMinute: 1_000_000 },
  now: () => NOW,
};

const DETAIL = 'reports/messages/detail';
const DOWNLOAD = 'reports/messages/detail/download';

type Params = Record<string, string | number>;

function urlOf(sim: V2Simulator, serverId: number, path: string, params: Params = {}): URL {
  const url = new URL(`${sim.url}/servers/${serverId}/${path}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  return url;
}

interface CallInit {
  authorization?: string | null;
  signal?: AbortSignal;
  method?: string;
}

function call(sim: V2Simulator, serverId: number, path: string, params: Params = {}, init: CallInit = {}) {
  const headers: Record<string, string> = {};
  const auth = init.authorization === undefined ? `Bearer ${KEY}` : init.authorization;
  if (auth !== null) headers.authorization = auth;
  return fetch(urlOf(sim, serverId, path, params), {
    headers,
    ...(init.method ? { method: init.method } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

interface Page {
  data: V2Item[];
  total: number;
}

async function page(sim: V2Simulator, serverId: number, path: string, params: Params = {}): Promise<Page> {
  const res = await call(sim, serverId, path, params);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
}

async function allPages(sim: V2Simulator, serverId: number, path: string, params: Params, pageSize: number) {
  const items: V2Item[] = [];
  let total = -1;
  for (let pageNumber = 0; ; pageNumber++) {
    const p = await page(sim, serverId, path, { ...params, pageSize, pageNumber });
    if (total >= 0) expect(p.total).toBe(total);
    total = p.total;
    items.push(...p.data);
    if (p.data.length < pageSize) break;
  }
  return { items, total };
}

async function errorOf(res: Response): Promise<{ errorType: string; message: string }> {
  const body = (await res.json()) as { error: { errorType: string; message: string }[] };
  expect(Array.isArray(body.error)).toBe(true);
  expect(body.error).toHaveLength(1);
  expect(typeof body.error[0]!.message).toBe('string');
  return body.error[0]!;
}

const parseCsv = (text: string) =>
  Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true, newline: '\r\n' });

/** What an item looks like after a trip through CSV: every value a string, null as empty. */
const asCsv = (item: V2Item, fields: readonly string[]) =>
  Object.fromEntries(fields.map((f) => [f, item[f] === null || item[f] === undefined ? '' : String(item[f])]));

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  complete: boolean;
}

/** A GET through node:http, which (unlike fetch) still hands over the bytes of a response cut short. */
function rawGet(url: URL): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { headers: { authorization: `Bearer ${KEY}` }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => {});
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
          complete: res.complete,
        }),
      );
    });
    req.on('error', reject);
  });
}

const at = (item: V2Item) => Date.parse(String(item.statusDate));
const secondText = (item: V2Item) => String(item.statusDate).slice(0, 19).replace('T', ' ');

describe('socketlabs v2 dataset', () => {
  const opts = { seed: 11, serverIds: SERVERS, from: '2026-03-01', to: '2026-03-03', profile: tinyProfile };

  it('is deterministic for a seed, differs across seeds and rebuilds items in any order', () => {
    const a = generateV2Data(opts);
    expect(generateV2Data(opts).items(1006)).toEqual(a.items(1006));
    expect(generateV2Data({ ...opts, seed: 12 }).items(1006)).not.toEqual(a.items(1006));
    const last = a.size(1000) - 1;
    expect(generateV2Data(opts).itemAt(1000, last)).toEqual(a.items(1000)[last]);
    expect(a.size(1006)).toBe(120);
    expect(generateV2Data(opts).suppressions(1000)).toEqual(a.suppressions(1000));
  });

  it('keeps items in statusDate order with canonical UTC stamps and camelCase fields', () => {
    const items = generateV2Data(opts).items(1000);
    for (const item of items) {
      expect(Object.keys(item)).toEqual(v2MessageFields);
      expect(item.statusDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Date.parse(String(item.queuedTime))).toBeLessThanOrEqual(at(item));
    }
    for (let i = 1; i < items.length; i++) expect(at(items[i]!)).toBeGreaterThanOrEqual(at(items[i - 1]!));
  });

  it('carries the v1 quirks and every status with its own details', () => {
    const store = generateV2Data({ ...opts, serverIds: [1000], profile: () => 4000 });
    const items = store.items(1000);
    expect(new Set(items.map((i) => i.status))).toEqual(new Set(v2Statuses));
    const ids = items.map((i) => i.messageId);
    expect(ids).toContain('');
    expect(ids).toContain(null);
    const texts = items.flatMap((i) => [i.reason, i.subject]).map(String);
    for (const needle of ['\r\n', '"', ',', '<script>alert(1)</script>', 'Ünïcödé']) {
      expect(texts.some((t) => t.includes(needle))).toBe(true);
    }
    expect(texts.some((t) => t.includes('{CRLF}'))).toBe(false);
    const stamps = items.map((i) => String(i.statusDate));
    expect(stamps.some((s) => s.endsWith('T00:00:00Z'))).toBe(true);
    expect(stamps.some((s) => s.endsWith('T23:59:59Z'))).toBe(true);
    expect(stamps.some((s, i) => i > 0 && s === stamps[i - 1])).toBe(true);

    const failures = items.filter((i) => ['Failed', 'Deferred', 'Suppressed'].includes(String(i.status)));
    expect(new Set(failures.map((i) => i.failureType))).toEqual(new Set(['Soft', 'Hard', 'Suppressed']));
    for (const f of failures) expect(Number.isInteger(f.failureCode)).toBe(true);
    for (const i of items.filter((x) => x.status === 'Complained')) expect(typeof i.fblType).toBe('string');
    for (const i of items.filter((x) => x.status === 'Clicked')) expect(String(i.url).length).toBeGreaterThan(0);
    for (const i of items.filter((x) => x.status === 'Queued')) expect(i.failureType).toBeNull();
    const domains = new Set(items.map((i) => String(i.to).split('@')[1]!.toLowerCase()));
    for (const d of domains) expect(v1RecipientDomains).toContain(d);

    // Several events per message, and the events of one message agree on what belongs to the message.
    const byId = new Map<string, V2Item[]>();
    for (const i of items)
      if (i.messageId) byId.set(String(i.messageId), [...(byId.get(String(i.messageId)) ?? []), i]);
    const shared = [...byId.values()].filter((group) => group.length > 1);
    expect(shared.length).toBeGreaterThan(100);
    for (const group of shared) {
      for (const field of ['to', 'subject', 'messageSize', 'mailingId']) {
        expect(new Set(group.map((i) => i[field])).size).toBe(1);
      }
    }
  });

  it('builds a few hundred unique suppressions per server and a per-server history limit', () => {
    const store = generateV2Data({ ...opts, historyDays: { 1006: 30 } });
    const list = store.suppressions(1000);
    expect(list.length).toBeGreaterThanOrEqual(150);
    expect(list.length).toBeLessThanOrEqual(420);
    expect(new Set(list.map((s) => String(s.emailAddress).toLowerCase())).size).toBe(list.length);
    for (const s of list) expect(Object.keys(s)).toEqual(v2SuppressionFields);
    for (let i = 1; i < list.length; i++) {
      expect(String(list[i]!.suppressionLastUpdate) >= String(list[i - 1]!.suppressionLastUpdate)).toBe(true);
    }
    expect(store.suppressions(1006)).not.toEqual(list);
    expect(store.historyDays(1000)).toBe(90);
    expect(store.historyDays(1006)).toBe(30);
  });
});

describe('socketlabs v2 simulator over HTTP', () => {
  let sim: V2Simulator;
  beforeAll(async () => {
    sim = await startV2Simulator(base);
  });
  afterAll(async () => {
    await sim.close();
  });

  it('accepts Bearer and Basic with any user name, and answers 401 in the error shape otherwise', async () => {
    sim.resetStats();
    for (const authorization of [`Bearer ${KEY}`, `bearer ${KEY}`, basicAuth('anyone', KEY), basicAuth('', KEY)]) {
      expect((await call(sim, 1000, DETAIL, { pageSize: 1 }, { authorization })).status).toBe(200);
    }
    const wrong = [`Bearer WRONG-${KEY}`, basicAuth('anyone', 'WRONG'), basicAuth(KEY, 'x'), `Basic ${KEY}`, null];
    for (const authorization of wrong) {
      const res = await call(sim, 1000, DETAIL, {}, { authorization });
      expect(res.status).toBe(401);
      const text = await res.clone().text();
      expect(text).not.toContain(KEY);
      expect(await errorOf(res)).toMatchObject({ errorType: 'Unauthorized' });
    }
    expect(sim.stats().authFailures).toBe(wrong.length);
  });

  it('pages JSON with pageSize/pageNumber and reports the total of items', async () => {
    const truth = sim.truth(1000);
    const { items, total } = await allPages(sim, 1000, DETAIL, {}, 7);
    expect(total).toBe(truth.length);
    expect(items).toEqual(truth);
    const first = await page(sim, 1000, DETAIL);
    expect(first.data).toHaveLength(100);
    expect(first.data).toEqual(truth.slice(0, 100));
    expect((await page(sim, 1000, DETAIL, { pageNumber: 99 })).data).toEqual([]);
    const desc = await allPages(sim, 1000, DETAIL, { sortDirection: 'dsc' }, 50);
    expect(desc.items).toEqual([...truth].reverse());
    const bySize = await allPages(sim, 1000, DETAIL, { sortField: 'messageSize' }, 100);
    const sizes = bySize.items.map((i) => Number(i.messageSize));
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
  });

  it('answers CSV downloads 206 with Content-Range for every page but the last, which is 200', async () => {
    const truth = sim.truth(1006);
    expect(truth).toHaveLength(120);
    const rows: Record<string, string>[] = [];
    const seen: [number, string | null][] = [];
    for (let pageNumber = 0; pageNumber < 3; pageNumber++) {
      const res = await call(sim, 1006, DOWNLOAD, { pageSize: 50, pageNumber });
      expect(res.headers.get('content-type')).toContain('text/csv');
      seen.push([res.status, res.headers.get('content-range')]);
      const parsed = parseCsv(await res.text());
      expect(parsed.errors).toEqual([]);
      expect(parsed.meta.fields).toEqual(v2MessageFields);
      rows.push(...parsed.data);
    }
    expect(seen).toEqual([
      [206, 'rows 0-49/120'],
      [206, 'rows 50-99/120'],
      [200, 'rows 100-119/120'],
    ]);
    expect(rows).toEqual(truth.map((i) => asCsv(i, v2MessageFields)));

    const whole = await call(sim, 1006, DOWNLOAD);
    expect([whole.status, whole.headers.get('content-range')]).toEqual([200, 'rows 0-119/120']);
    expect(parseCsv(await whole.text()).data).toHaveLength(120);
    const past = await call(sim, 1006, DOWNLOAD, { pageSize: 100, pageNumber: 5 });
    expect([past.status, past.headers.get('content-range')]).toEqual([200, 'rows */120']);
    expect((await past.text()).split('\r\n')[0]).toBe(v2MessageFields.join(','));
  });

  it('applies filters, alone and combined inside one URL-encoded value', async () => {
    const truth = sim.truth(1000);
    const mailing = truth.find((i) => typeof i.mailingId === 'string' && i.mailingId !== '')!.mailingId as string;
    const byMailing = await allPages(sim, 1000, DETAIL, { filters: `mailingId=eq:${mailing}` }, 100);
    expect(byMailing.items).toEqual(truth.filter((i) => i.mailingId === mailing));
    const gmail = await allPages(sim, 1000, DETAIL, { filters: 'to=end:gmail.com' }, 100);
    const gmailTruth = truth.filter((i) => String(i.to).toLowerCase().endsWith('gmail.com'));
    expect(gmail.total).toBe(gmailTruth.length);
    expect(gmail.items).toEqual(gmailTruth);

    const combined = `mailingId=eq:${mailing}&to=end:gmail.com`;
    const both = truth.filter((i) => i.mailingId === mailing && String(i.to).toLowerCase().endsWith('gmail.com'));
    expect(urlOf(sim, 1000, DETAIL, { filters: combined }).search).toContain('%26to%3Dend%3Agmail.com');
    expect((await allPages(sim, 1000, DETAIL, { filters: combined }, 100)).items).toEqual(both);
    const csv = parseCsv(await (await call(sim, 1000, DOWNLOAD, { filters: combined })).text());
    expect(csv.data).toEqual(both.map((i) => asCsv(i, v2MessageFields)));

    const numeric = await allPages(sim, 1000, DETAIL, { filters: 'failureCode=gte:2000&status=eq:FAILED' }, 100);
    expect(numeric.items).toEqual(truth.filter((i) => i.status === 'Failed' && Number(i.failureCode) >= 2000));
    for (const bad of ['nosuch=eq:1', 'messageSize=like:1', 'to=eq', 'messageSize=gt:big']) {
      const res = await call(sim, 1000, DETAIL, { filters: bad });
      expect(res.status, bad).toBe(400);
      expect((await errorOf(res)).errorType).toBe('InvalidFilter');
    }
  });

  it('treats startDate and endDate as inclusive on statusDate, to the second', async () => {
    const truth = sim.truth(1000);
    const pivot = truth[Math.floor(truth.length / 2)]!;
    const same = truth.filter((i) => i.statusDate === pivot.statusDate);
    const p = await page(sim, 1000, DETAIL, { startDate: secondText(pivot), endDate: secondText(pivot) });
    expect(p.total).toBe(same.length);
    expect(p.data).toEqual(same);

    const local = await startV2Simulator({ ...base, seed: 99 });
    try {
      local.insert(1000, { statusDate: '2026-03-02T00:00:00Z', messageId: 'EDGE-START', status: 'Delivered' });
      local.insert(1000, { statusDate: '2026-03-02T19:59:59-04:00', messageId: 'EDGE-END', status: 'Delivered' });
      const ids = async (params: Params) => (await page(local, 1000, DETAIL, params)).data.map((i) => i.messageId);
      expect(local.truth(1000).find((i) => i.messageId === 'EDGE-END')!.statusDate).toBe('2026-03-02T23:59:59Z');
      expect(await ids({ startDate: '2026-03-02 00:00:00', endDate: '2026-03-02 00:00:00' })).toContain('EDGE-START');
      expect(await ids({ startDate: '2026-03-02 00:00:01' })).not.toContain('EDGE-START');
      expect(await ids({ endDate: '2026-03-01 23:59:59' })).not.toContain('EDGE-START');
      expect(await ids({ startDate: '2026-03-02 23:59:59', endDate: '2026-03-02 23:59:59' })).toContain('EDGE-END');
      expect(await ids({ startDate: '2026-03-03 00:00:00' })).not.toContain('EDGE-END');
    } finally {
      await local.close();
    }
    for (const [params, errorType] of [
      [{ startDate: '03/01/2026' }, 'InvalidDateFormat'],
      [{ endDate: '2026-02-30 00:00:00' }, 'InvalidDateFormat'],
      [{ startDate: '2026-03-02', endDate: '2026-03-01' }, 'InvalidDateRange'],
      [{ pageSize: 101 }, 'InvalidParameter'],
      [{ pageSize: 0 }, 'InvalidParameter'],
      [{ pageNumber: -1 }, 'InvalidParameter'],
      [{ sortField: 'nope' }, 'InvalidSortField'],
      [{ sortDirection: 'desc' }, 'InvalidSortDirection'],
    ] as const) {
      const res = await call(sim, 1000, DETAIL, params);
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect((await errorOf(res)).errorType).toBe(errorType);
    }
  });

  it('rejects dates outside the plan history instead of answering empty', async () => {
    // NOW is 2026-03-10; 90 days back is 2025-12-10.
    const outside = await call(sim, 1000, DETAIL, { startDate: '2025-12-09 23:59:59', endDate: '2025-12-31 00:00:00' });
    expect(outside.status).toBe(400);
    expect((await errorOf(outside)).errorType).toBe('DateRangeOutsidePlanLimit');
    expect((await call(sim, 1000, DETAIL, { startDate: '2025-12-10 00:00:00' })).status).toBe(200);
    const csv = await call(sim, 1000, DOWNLOAD, { startDate: '2024-01-01' });
    expect([csv.status, (await errorOf(csv)).errorType]).toEqual([400, 'DateRangeOutsidePlanLimit']);

    const short = await startV2Simulator({ ...base, historyDays: { 1006: 5 } });
    try {
      expect((await call(short, 1000, DETAIL, { startDate: '2026-03-01' })).status).toBe(200);
      const res = await call(short, 1006, DETAIL, { startDate: '2026-03-01' });
      expect((await errorOf(res)).errorType).toBe('DateRangeOutsidePlanLimit');
    } finally {
      await short.close();
    }
  });

  it('searches a recipient: delivery outcomes only, newest queuedTime first', async () => {
    const truth = sim.truth(1000);
    const outcome = (i: V2Item) => ['Delivered', 'Failed', 'Deferred', 'Suppressed'].includes(String(i.status));
    const target = truth.find(outcome)!;
    const address = String(target.to);
    const expected = truth
      .map((item, pos) => ({ item, pos }))
      .filter(({ item }) => outcome(item) && String(item.to).toLowerCase() === address.toLowerCase())
      .sort((a, b) => String(b.item.queuedTime).localeCompare(String(a.item.queuedTime)) || a.pos - b.pos)
      .map(({ item }) => ({
        from: item.from,
        to: item.to,
        subject: item.subject,
        status: item.status,
        statusDate: item.statusDate,
      }));
    const p = await page(sim, 1000, 'reports/recipient-search/', {
      toEmailAddress: address.toUpperCase(),
      sortField: 'queuedTime',
      sortDirection: 'dsc',
    });
    expect(p.total).toBe(expected.length);
    expect(p.data).toEqual(expected);
    const missing = await call(sim, 1000, 'reports/recipient-search/');
    expect([missing.status, (await errorOf(missing)).errorType]).toEqual([400, 'InvalidParameter']);
  });

  it('serves suppressions as JSON search and as a paged CSV download', async () => {
    const list = sim.suppressions(1006);
    const search = await allPages(sim, 1006, 'suppressions/search', { sortField: 'emailAddress' }, 100);
    expect(search.total).toBe(list.length);
    const addresses = search.items.map((s) => String(s.emailAddress).toLowerCase());
    expect(addresses).toEqual([...addresses].sort());
    expect(new Set(search.items)).toEqual(new Set(list));
    const gmail = await page(sim, 1006, 'suppressions/search', { filters: 'emailAddress=end:GMAIL.COM' });
    expect(gmail.total).toBe(list.filter((s) => String(s.emailAddress).toLowerCase().endsWith('gmail.com')).length);

    const newestFirst = [...list].reverse();
    const params = { sortField: 'suppressionLastUpdate', sortDirection: 'dsc', pageSize: 100 };
    const first = await call(sim, 1006, 'suppressions/download', { ...params, pageNumber: 0 });
    expect([first.status, first.headers.get('content-range')]).toEqual([206, `rows 0-99/${list.length}`]);
    const parsed = parseCsv(await first.text());
    expect(parsed.meta.fields).toEqual(v2SuppressionFields);
    const dates = parsed.data.map((r) => r.suppressionLastUpdate!);
    expect(dates).toEqual(newestFirst.slice(0, 100).map((s) => s.suppressionLastUpdate));
    const lastPage = Math.ceil(list.length / 100) - 1;
    const last = await call(sim, 1006, 'suppressions/download', { ...params, pageNumber: lastPage });
    expect(last.status).toBe(200);
    expect(last.headers.get('content-range')).toBe(`rows ${lastPage * 100}-${list.length - 1}/${list.length}`);
    await last.text();
  });

  it('answers unknown servers 403, unknown routes 404, other methods 405, and counts routes', async () => {
    sim.resetStats();
    const forbidden = await call(sim, 4242, DETAIL);
    expect([forbidden.status, (await errorOf(forbidden)).errorType]).toEqual([403, 'ServerAccessDenied']);
    expect((await call(sim, 1000, 'reports/messages/summary')).status).toBe(404);
    expect((await call(sim, 1000, DETAIL, {}, { method: 'POST' })).status).toBe(405);
    expect(sim.stats()).toMatchObject({
      requests: 3,
      byRoute: { 'messages/detail': 2, unknown: 1 },
      rateLimited: 0,
    });
    sim.resetStats();
    expect(sim.stats().requests).toBe(0);
  });
});

describe('socketlabs v2 simulator rate limits', () => {
  it('limits the overall and the message-report rates per key, both counting a message-report call', async () => {
    const sim = await startV2Simulator({
      ...base,
      limits: { overallPerMinute: 6, messageReportsPerMinute: 3, timeScale: 100 },
    });
    try {
      const status = async (path: string, params: Params = {}) => {
        const res = await call(sim, 1000, path, { pageSize: 1, ...params });
        await res.arrayBuffer();
        return res;
      };
      const message = [];
      for (let i = 0; i < 4; i++) message.push((await status(i % 2 ? DOWNLOAD : DETAIL)).status);
      expect(message).toEqual([200, 206, 200, 429]);
      const limited = await call(sim, 1000, DETAIL);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after-ms'))).toBeLessThanOrEqual(600);
      expect((await errorOf(limited)).errorType).toBe('TooManyRequests');
      // Three message calls already count against the overall six.
      const other = [];
      for (let i = 0; i < 4; i++) {
        other.push(
          (await status(i % 2 ? 'suppressions/search' : 'reports/recipient-search', { toEmailAddress: 'x@y.z' }))
            .status,
        );
      }
      expect(other).toEqual([200, 200, 200, 429]);
      expect(sim.stats().rateLimited).toBe(3);
      // Auth failures never reach the windows.
      expect((await call(sim, 1000, DETAIL, {}, { authorization: 'Bearer nope' })).status).toBe(401);
      await new Promise((r) => setTimeout(r, 650));
      expect((await status(DETAIL)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});

describe('socketlabs v2 simulator faults', () => {
  const withFault = (kind: V2FaultKind, run: (sim: V2Simulator) => Promise<void>) =>
    withSimulator(() => startV2Simulator({ ...base, faults: { probability: 1, kinds: [kind] } }), run);

  it('decides faults deterministically from the seed and request number', () => {
    const opts = { probability: 0.3, kinds: [...v2FaultKinds] };
    const a = expectReplayableFaults((i) => decideV2Fault(opts, 9, i));
    expect(new Set(a.filter((f) => f !== null).map((f) => f!.kind)).size).toBe(v2FaultKinds.length);
  });

  it('5xx: answers 500-504 on any route, never for rejected auth', async () => {
    await withFault('5xx', async (sim) => {
      for (const path of [DETAIL, DOWNLOAD, 'suppressions/search', 'suppressions/download']) {
        const res = await call(sim, 1000, path);
        expect([500, 502, 503, 504]).toContain(res.status);
        expect((await res.text()).length).toBeGreaterThan(0);
      }
      expect((await call(sim, 1000, DETAIL, {}, { authorization: null })).status).toBe(401);
      expect(sim.stats().faultsInjected['5xx']).toBe(4);
    });
  });

  it('429: answers 429 with Retry-After regardless of the windows', async () => {
    await withFault('429', async (sim) => {
      const res = await call(sim, 1000, 'suppressions/search');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^[01]$/);
      expect((await errorOf(res)).errorType).toBe('TooManyRequests');
      expect(sim.stats()).toMatchObject({ rateLimited: 0, faultsInjected: { '429': 1 } });
    });
  });

  it('non-json: answers 200 with an HTML page on JSON and CSV routes', async () => {
    await withFault('non-json', async (sim) => {
      for (const path of [DETAIL, DOWNLOAD]) {
        const res = await call(sim, 1000, path);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain('text/html');
        const text = await res.text();
        expect(() => JSON.parse(text)).toThrow();
      }
    });
  });

  it('hang: never answers, and close() still returns promptly', async () => {
    await withFault('hang', async (sim) => {
      await expect(call(sim, 1000, DETAIL, {}, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    });
    const sim = await startV2Simulator({ ...base, faults: { probability: 1, kinds: ['hang'] } });
    await expectCloseEndsHungRequest(sim, () => call(sim, 1000, DOWNLOAD));
  });

  it('truncated: half a JSON body, or CSV cut at a row boundary, then the connection drops', async () => {
    await withFault('truncated', async (sim) => {
      for (let i = 0; i < 2; i++) {
        const res = await call(sim, 1000, DETAIL);
        expect(res.status).toBe(200);
        await expect(res.text().then((t) => JSON.parse(t))).rejects.toThrow();
      }
      const raw = await rawGet(urlOf(sim, 1000, DOWNLOAD, { pageSize: 40 }));
      expect(raw.status).toBe(206);
      expect(raw.headers['content-range']).toBe('rows 0-39/180');
      expect(raw.complete).toBe(false);
      expect(raw.text.endsWith('\r\n')).toBe(true);
      const rows = parseCsv(raw.text).data;
      expect(rows).toEqual(
        sim
          .truth(1000)
          .slice(0, 20)
          .map((item) => asCsv(item, v2MessageFields)),
      );
      expect(sim.stats().faultsInjected.truncated).toBe(3);
    });
  });

  it('csv-cut-mid-row: ends a download inside a row; JSON answers are left alone', async () => {
    await withFault('csv-cut-mid-row', async (sim) => {
      const truth = sim.truth(1000);
      for (let i = 0; i < 3; i++) {
        const raw = await rawGet(urlOf(sim, 1000, DOWNLOAD, { pageSize: 100 }));
        expect(raw.status).toBe(206);
        expect(raw.complete).toBe(false);
        expect(raw.text.endsWith('\r\n')).toBe(false);
        const cutAt = raw.text.lastIndexOf('\r\n');
        const whole = parseCsv(raw.text.slice(0, cutAt + 2)).data;
        expect(whole.length).toBeLessThan(100);
        expect(whole).toEqual(truth.slice(0, whole.length).map((item) => asCsv(item, v2MessageFields)));
      }
      expect((await page(sim, 1000, DETAIL)).data).toEqual(truth.slice(0, 100));
      expect(sim.stats().faultsInjected).toEqual({ 'csv-cut-mid-row': 3 });
    });
  });

  it('recase: re-cases JSON keys and CSV header names, never to camelCase', async () => {
    await withFault('recase', async (sim) => {
      const truth = sim.truth(1000);
      const seen = new Set<string>();
      // Modes come from each request's fault variant; sixteen requests of this seed cover all three.
      for (let i = 0; i < 16; i++) {
        const body = (await (await call(sim, 1000, DETAIL, { pageSize: 2 })).json()) as Record<string, unknown>;
        expect(Object.keys(body).map((k) => k.toLowerCase())).toEqual(['data', 'total']);
        const data = Object.entries(body).find(([k]) => k.toLowerCase() === 'data')![1] as V2Item[];
        const keys = Object.keys(data[0]!);
        expect(keys.map((k) => k.toLowerCase())).toEqual(v2MessageFields.map((f) => f.toLowerCase()));
        expect(Object.values(data[0]!)).toEqual(Object.values(truth[0]!));
        seen.add(keys[0]!);
      }
      expect([...seen].sort()).toEqual(['MESSAGEID', 'MessageId', 'messageid']);
      const header = (await (await call(sim, 1000, DOWNLOAD, { pageSize: 1 })).text()).split('\r\n')[0]!;
      expect(header.toLowerCase()).toBe(v2MessageFields.join(',').toLowerCase());
      expect(header).not.toBe(v2MessageFields.join(','));
    });
  });

  it('extra-fields: adds unknown fields to JSON and unknown columns to CSV', async () => {
    await withFault('extra-fields', async (sim) => {
      const truth = sim.truth(1000);
      const body = (await (await call(sim, 1000, DETAIL, { pageSize: 3 })).json()) as Page & { newField: string };
      expect(body.newField).toBe('x');
      expect(body.total).toBe(truth.length);
      expect(body.data[0]).toMatchObject({ ...truth[0], newField: 'x' });
      expect(body.data[0]).toHaveProperty('tracking');
      const parsed = parseCsv(await (await call(sim, 1000, DOWNLOAD, { pageSize: 3 })).text());
      expect(parsed.meta.fields).toEqual([
        ...v2MessageFields.slice(0, 2),
        'newField',
        ...v2MessageFields.slice(2),
        'tags',
        'score',
      ]);
      parsed.data.forEach((row, i) => {
        expect(row).toMatchObject({ ...asCsv(truth[i]!, v2MessageFields), newField: 'x' });
      });
    });
  });

  it('insert-between-pages: adds an earlier item after a page, shifting the later pages', async () => {
    await withFault('insert-between-pages', async (sim) => {
      const before = sim.truth(1000);
      const params = { startDate: '2026-03-01', endDate: '2026-03-02 23:59:59', pageSize: 10 };
      const first = await page(sim, 1000, DETAIL, { ...params, pageNumber: 0 });
      expect(first.total).toBe(120);
      const after = sim.truth(1000);
      expect(after).toHaveLength(before.length + 1);
      const late = after.find((i) => String(i.messageId).startsWith('LATE-'))!;
      expect(at(late)).toBeLessThan(at(first.data.at(-1)!));
      expect(at(late)).toBeGreaterThan(Date.parse('2026-03-01T00:00:00Z'));
      const second = await page(sim, 1000, DETAIL, { ...params, pageNumber: 1 });
      expect(second.total).toBe(121);
      expect(second.data[0]).toEqual(first.data.at(-1));

      const csv = await call(sim, 1000, DOWNLOAD, { ...params, pageNumber: 0 });
      expect([csv.status, csv.headers.get('content-range')]).toEqual([206, 'rows 0-9/122']);
      await csv.text();
      expect(sim.truth(1000)).toHaveLength(before.length + 3);
      expect(sim.stats().faultsInjected['insert-between-pages']).toBe(3);
      // The last page gets no insertion.
      await page(sim, 1000, DETAIL, { ...params, pageSize: 100, pageNumber: 1 });
      expect(sim.stats().faultsInjected['insert-between-pages']).toBe(3);
    });
  });

  it('suppressions-change-between-pages: adds or removes an entry after a page that is not the last', async () => {
    await withFault('suppressions-change-between-pages', async (sim) => {
      const before = sim.suppressions(1000).length;
      const first = await page(sim, 1000, 'suppressions/search', { pageSize: 10, pageNumber: 0 });
      expect(first.total).toBe(before);
      const changed = sim.suppressions(1000).length;
      expect(Math.abs(changed - before)).toBe(1);
      const second = await page(sim, 1000, 'suppressions/search', { pageSize: 10, pageNumber: 1 });
      expect(second.total).toBe(changed);
      expect(sim.stats().faultsInjected['suppressions-change-between-pages']).toBe(2);
      // The last page (and message pages) get no change.
      const last = Math.ceil(sim.suppressions(1000).length / 10) - 1;
      const total = sim.suppressions(1000).length;
      await page(sim, 1000, 'suppressions/search', { pageSize: 10, pageNumber: last });
      await page(sim, 1000, DETAIL, { startDate: '2026-03-01', endDate: '2026-03-01 23:59:59', pageSize: 10 });
      expect(sim.suppressions(1000)).toHaveLength(total);
      expect(sim.stats().faultsInjected['suppressions-change-between-pages']).toBe(2);
    });
  });
});

describe('socketlabs v2 simulator determinism and scale', () => {
  it('answers identical bytes for the same seed and requests', async () => {
    const a = await startV2Simulator(base);
    const b = await startV2Simulator(base);
    try {
      const requests: [number, string, Params][] = [
        [1000, DETAIL, { pageSize: 50, pageNumber: 1 }],
        [1006, DOWNLOAD, { filters: 'to=end:gmail.com' }],
        [1000, 'suppressions/download', {}],
      ];
      for (const [serverId, path, params] of requests) {
        const [x, y] = await Promise.all([a, b].map(async (s) => (await call(s, serverId, path, params)).text()));
        expect(x).toBe(y);
      }
      expect(a.truth(1006)).toEqual(b.truth(1006));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('serves pages of a million-event day without scanning it, streaming large CSV pages', async () => {
    const sim = await startV2Simulator({
      ...base,
      serverIds: [1],
      from: '2026-03-05',
      to: '2026-03-05',
      profile: () => 1_000_000,
    });
    try {
      const started = performance.now();
      const last = await page(sim, 1, DETAIL, { pageNumber: 9_999 });
      expect(last.total).toBe(1_000_000);
      expect(last.data).toHaveLength(100);
      const hour = await page(sim, 1, DETAIL, {
        startDate: '2026-03-05 12:00:00',
        endDate: '2026-03-05 12:59:59',
        pageNumber: 3,
        pageSize: 5,
      });
      for (const item of hour.data) expect(String(item.statusDate).startsWith('2026-03-05T12:')).toBe(true);
      expect(performance.now() - started).toBeLessThan(3000);

      const res = await call(sim, 1, DOWNLOAD, { pageSize: 20_000, pageNumber: 7 });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe('rows 140000-159999/1000000');
      expect(res.headers.get('content-length')).toBeNull();
      expect(parseCsv(await res.text()).data).toHaveLength(20_000);
    } finally {
      await sim.close();
    }
  });
});
