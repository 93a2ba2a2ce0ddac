import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSendSageData } from '../../../shared/sandbox/sendsage/dataset';
import { formatSendSageDate, parseSendSageDate, sendSageOffsetMinutes } from '../../../shared/sandbox/sendsage/dates';
import {
  decideSendSageFault,
  type SendSageFaultKind,
  sendSageFaultKinds,
} from '../../../shared/sandbox/sendsage/faults';
import {
  SENDSAGE_RUNNING_SECONDS,
  type SendSageCampaign,
  sendSagePreviewViews,
} from '../../../shared/sandbox/sendsage/model';
import {
  type SendSageSimulator,
  type SendSageSimulatorOptions,
  startSendSageSimulator,
} from '../../../shared/sandbox/sendsage/server';
import { sendSageTruth } from '../../../shared/sandbox/sendsage/truth';
import { expectCloseEndsHungRequest, expectReplayableFaults, withSimulator } from './simulator-helpers';

const USER = 'testman';
const PASS = 'secret&123=/ü';
const FINAL = new Date('2026-03-11T12:00:00Z');
const base: SendSageSimulatorOptions = {
  seed: 7,
  from: '2026-03-01',
  to: '2026-03-10',
  username: USER,
  password: PASS,
};

type Params = Record<string, string | number>;
type Via = 'GET' | 'POST';
// biome-ignore lint/suspicious/noExplicitAny: API answers are checked field by field.
type Json = any;

interface Reply {
  status: number;
  text: string;
}

/** One API call; POST sends every parameter, credentials included, in a form body. */
async function call(sim: SendSageSimulator, params: Params, via: Via = 'POST', init: RequestInit = {}): Promise<Reply> {
  const all = new URLSearchParams();
  for (const [k, v] of Object.entries({ output: 'json', username: USER, password: PASS, ...params })) {
    all.set(k, String(v));
  }
  const res =
    via === 'GET'
      ? await fetch(`${sim.url}?${all}`, init)
      : await fetch(sim.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: all.toString(),
          ...init,
        });
  return { status: res.status, text: await res.text() };
}

async function api(sim: SendSageSimulator, params: Params, via: Via = 'POST'): Promise<Json> {
  const reply = await call(sim, params, via);
  expect(reply.status, reply.text).toBe(200);
  return JSON.parse(reply.text);
}

const stampRe = /^(\d{4})-(\d{2})-(\d{2}) T (\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):?(\d{2})$/;

/** Epoch seconds of an API date, parsed independently of the simulator. */
function stampSec(text: string): number {
  const m = stampRe.exec(text);
  if (!m) throw new Error(`not an API date: ${text}`);
  const n = m.slice(1).map(Number) as number[];
  const offset = (m[7] === '-' ? -1 : 1) * (n[7]! * 60 + n[8]!);
  return Date.UTC(n[0]!, n[1]! - 1, n[2]!, n[3]!, n[4]!, n[5]!) / 1000 - offset * 60;
}

const pct = (count: number, total: number) => (total === 0 ? 0 : Math.round((count * 1000) / total) / 10);

describe('sendsage dataset', () => {
  const opts = { seed: 3, from: '2026-01-01', to: '2026-02-28' };

  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateSendSageData(opts);
    expect(generateSendSageData(opts)).toEqual(a);
    expect(generateSendSageData({ ...opts, seed: 4 }).campaigns).not.toEqual(a.campaigns);
    // Early in the range keeps the comparison cheap: truth builds every message's content.
    const at = Date.parse('2026-01-08T00:00:00Z') / 1000;
    expect(sendSageTruth(generateSendSageData(opts), at)).toEqual(sendSageTruth(a, at));
  });

  it('varies subjects, senders, ids, auth results and spam verdicts the way real accounts do', () => {
    const { campaigns, seedPool, isps } = generateSendSageData(opts);
    expect(campaigns.length).toBeGreaterThan(120);
    const subjects = campaigns.map((c) => c.subject).join('\n');
    for (const needle of ['<b>', '<script>alert(1)</script>', '"', "'", '☕', '🥐', 'Ünïcödé', '\\']) {
      expect(subjects).toContain(needle);
    }
    for (let i = 1; i < campaigns.length; i++) {
      expect(campaigns[i]!.campaignId).toBeGreaterThan(campaigns[i - 1]!.campaignId);
      expect(campaigns[i]!.sentSec).toBeGreaterThanOrEqual(campaigns[i - 1]!.sentSec);
    }
    const customerIds = campaigns.map((c) => c.customerDefinedCampaignId);
    expect(new Set(customerIds).size).toBeLessThan(customerIds.length);
    expect(customerIds).toContain('');
    for (const key of ['spf', 'dkim', 'dmarc'] as const) {
      const seen = new Set(campaigns.map((c) => c.auth[key]));
      expect(seen).toEqual(new Set(key === 'spf' ? ['pass', 'softfail', 'fail', 'none'] : ['pass', 'fail', 'none']));
    }
    expect(new Set(campaigns.map((c) => Number(c.spam.score) >= Number(c.spam.required)))).toEqual(
      new Set([true, false]),
    );
    for (const c of campaigns) {
      const sum = c.spam.rules.reduce((acc, r) => acc + Number(r.score), 0);
      expect(Math.abs(sum - Number(c.spam.score))).toBeLessThan(0.051);
      expect(c.spam.required).toBe('5.0');
      expect(c.spam.version).toMatch(/^SpamAssassin \d/);
      // Tens of seeds, every ISP of the panel, each seed once as a primary row.
      const primary = c.seeds.filter((s) => !s.duplicate);
      expect(primary.length).toBeGreaterThanOrEqual(30);
      expect(new Set(primary.map((s) => s.isp))).toEqual(new Set(isps.map((i) => i.name)));
      expect(new Set(primary.map((s) => s.seedId)).size).toBe(primary.length);
      for (const s of c.seeds) {
        expect(s.address).toBe(`${s.username}@${s.domain}`);
        if (s.collectedSec !== null) expect(s.collectedSec - c.sentSec).toBeLessThan(SENDSAGE_RUNNING_SECONDS);
      }
    }
    const rows = campaigns.flatMap((c) => c.seeds);
    expect(new Set(rows.map((r) => r.location))).toEqual(new Set(['inbox', 'bulk', 'missing']));
    expect(rows.some((r) => r.duplicate)).toBe(true);
    expect(new Set(rows.map((r) => r.messageId)).size).toBe(rows.length);
    expect(new Set(isps.map((i) => i.category))).toEqual(new Set(['Global', 'US', 'EU']));
    expect(isps.filter((i) => i.domain === 'aol.com').map((i) => i.name)).toEqual(['AOL', 'AOL 2']);
    expect(new Set(seedPool.map((s) => s.address)).size).toBe(seedPool.length);
  });

  it('formats and parses dates in US Central time, DST included', () => {
    const winter = Date.parse('2026-03-01T18:45:40Z') / 1000;
    const summer = Date.parse('2026-03-09T17:45:40Z') / 1000;
    expect(formatSendSageDate(winter)).toBe('2026-03-01 T 12:45:40-0600');
    expect(formatSendSageDate(winter, true)).toBe('2026-03-01 T 12:45:40-06:00');
    expect(formatSendSageDate(summer)).toBe('2026-03-09 T 12:45:40-0500');
    expect(sendSageOffsetMinutes(Date.parse('2026-11-01T06:59:59Z') / 1000)).toBe(-300);
    expect(sendSageOffsetMinutes(Date.parse('2026-11-01T07:00:00Z') / 1000)).toBe(-360);
    for (const text of [
      '2026-03-01 T 12:45:40-06:00',
      '2026-03-01 T 12:45:40-0600',
      '2026-03-01T18:45:40Z',
      '2026-03-01 12:45:40',
      String(winter),
    ]) {
      expect(parseSendSageDate(text), text).toBe(winter);
    }
    expect(parseSendSageDate('2026-02-30 T 12:00:00-0600')).toBeNull();
    expect(parseSendSageDate('yesterday')).toBeNull();
  });
});

describe('sendsage simulator', () => {
  let sim: SendSageSimulator;
  let clock = FINAL;

  beforeAll(async () => {
    sim = await startSendSageSimulator({ ...base, now: () => clock });
  });
  afterAll(() => sim.close());

  it('answers every method the same via GET and POST, and counts credentials sent in the query', async () => {
    clock = FINAL;
    const c = sim.data.campaigns[5]!;
    const rowId = c.seeds[0]!.messageId;
    const preview = sim.data.previews[0]!;
    const calls: Params[] = [
      { method: 'delivery_test_list', days: 30 },
      { method: 'delivery_test_get_info', campaign_id: c.campaignId },
      { method: 'delivery_test_get_email_list', campaign_id: c.campaignId },
      { method: 'delivery_message_get', message_id: rowId },
      { method: 'delivery_seedlist_get' },
      { method: 'preview_list', days: 30 },
      { method: 'preview_get_info', preview_id: preview.previewId },
      {
        method: 'campaignGetStats',
        customerid: sim.data.campaigns.find((x) => x.customerDefinedCampaignId !== '')!.customerDefinedCampaignId,
      },
    ];
    sim.resetStats();
    for (const params of calls) {
      const viaGet = await call(sim, params, 'GET');
      const viaPost = await call(sim, params, 'POST');
      expect(viaGet.status).toBe(200);
      expect(viaPost.text, String(params.method)).toBe(viaGet.text);
      expect(JSON.parse(viaGet.text).success, viaGet.text.slice(0, 200)).not.toBe(0);
    }
    const stats = sim.stats();
    expect(stats.requests).toBe(calls.length * 2);
    expect(stats.credentialsInQuery).toBe(calls.length);
    expect(stats.authFailures).toBe(0);
    expect(stats.byMethod.delivery_test_get_info).toBe(2);
    expect(stats.byMethod.campaignGetStats).toBe(2);

    // A POST with only the method in the query still keeps the credentials out of it.
    const res = await fetch(`${sim.url}?method=delivery_seedlist_get&output=json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: USER, password: PASS }).toString(),
    });
    expect(await res.json()).toEqual({ seeds: sim.truth().seedlist });
    expect(sim.stats().credentialsInQuery).toBe(calls.length);
  });

  it('answers login failures, missing methods and other errors with HTTP 200 and success 0', async () => {
    clock = FINAL;
    sim.resetStats();
    const loginFailed = '{"success":0,"error":"Login failed: invalid username or password"}';
    for (const via of ['GET', 'POST'] as const) {
      const wrong = await call(sim, { method: 'delivery_test_list', password: 'nope' }, via);
      expect(wrong).toEqual({ status: 200, text: loginFailed });
    }
    expect((await call(sim, { method: 'delivery_test_list', Username: USER, username: '' })).text).toBe(loginFailed);
    expect(sim.stats().authFailures).toBe(3);

    expect(await api(sim, {})).toEqual({ success: 0, error: 'No method specified' });
    expect(await api(sim, { method: 'Delivery_Test_List' })).toEqual({ success: 0, error: 'Unknown method' });
    expect(await api(sim, { method: 'delivery_test_get_info', campaign_id: 1 })).toEqual({
      success: 0,
      error: 'Campaign not found',
    });
    expect(await api(sim, { method: 'delivery_test_get_info', customer_defined_campaign_id: 'nope' })).toEqual({
      success: 0,
      error: 'Campaign not found',
    });
    expect((await api(sim, { method: 'delivery_test_get_info' })).success).toBe(0);
    expect((await api(sim, { method: 'campaignGetStats' })).error).toBe('Missing parameter: customerid');
    expect((await api(sim, { method: 'delivery_message_get', message_id: 5 })).error).toBe('Message not found');
    expect((await api(sim, { method: 'preview_get_info', preview_id: 'x' })).error).toBe('Preview not found');
    const php = await call(sim, { method: 'delivery_test_list', output: 'php' });
    expect(php.status).toBe(200);
    expect(php.text).toMatch(/^a:2:\{s:7:"success";i:0;s:5:"error";s:\d+:".+";\}$/);
    expect((await api(sim, { method: 'delivery_test_list', output: 'xml' })).success).toBe(0);

    const notFound = await fetch(sim.url.replace('/api.php', '/index.php'));
    expect(notFound.status).toBe(404);
    await notFound.text();
  });

  it('reproduces the documented shapes: bare arrays, API dates, unix fields sometimes strings, PHP escaping', async () => {
    clock = FINAL;
    const list: Json[] = await api(sim, { method: 'delivery_test_list', days: 30 });
    expect(Array.isArray(list)).toBe(true);
    expect(list.map((i) => i.campaign_id)).toEqual(
      sim
        .truth()
        .campaigns.map((c) => c.campaignId)
        .reverse(),
    );
    for (const item of list) {
      expect(Object.keys(item)).toEqual([
        'campaign_id',
        'date',
        'date_unix',
        'from_address',
        'from_name',
        'from_domain',
        'subject',
        'customer_defined_campaign_id',
      ]);
      expect(typeof item.campaign_id).toBe('number');
      expect(stampSec(item.date)).toBe(Number(item.date_unix));
    }
    const dates = list.map((i) => String(i.date));
    expect(dates.some((d) => /[+-]\d{4}$/.test(d))).toBe(true);
    expect(dates.some((d) => /[+-]\d{2}:\d{2}$/.test(d))).toBe(true);
    expect(dates.some((d) => d.endsWith('-0600')) && dates.some((d) => d.endsWith('-0500'))).toBe(true);
    expect(new Set(list.map((i) => typeof i.date_unix))).toEqual(new Set(['number', 'string']));

    const rows: Json[] = [];
    for (const item of list.slice(0, 6)) {
      rows.push(...(await api(sim, { method: 'delivery_test_get_email_list', campaign_id: item.campaign_id })));
    }
    for (const row of rows) {
      if (row.time_collected !== '') expect(stampSec(row.time_collected)).toBe(Number(row.time_collected_unix));
      else expect(row.location).toBe('missing');
      expect(typeof row.message_id).toBe('number');
      expect(typeof row.duplicate).toBe('boolean');
    }
    expect(new Set(rows.map((r) => typeof r.time_collected_unix))).toEqual(new Set(['number', 'string']));

    const raw = await call(sim, { method: 'delivery_test_list', days: 30 });
    expect(raw.text).not.toMatch(/[^\x00-\x7f]/);
    expect(raw.text).toContain('\\/');
    expect(list.map((i) => i.subject).join('')).toContain('<script>alert(1)</script>');
  });

  it('keeps counts as strings and percentages consistent with the seed rows', async () => {
    clock = FINAL;
    const truth = sim.truth();
    for (const c of truth.campaigns.slice(-8)) {
      const info = await api(sim, { method: 'delivery_test_get_info', campaign_id: c.campaignId });
      const rows: Json[] = await api(sim, { method: 'delivery_test_get_email_list', campaign_id: c.campaignId });
      expect(info.success).toBe(1);
      expect(info).not.toHaveProperty('campaign_id');
      expect(info.customer_defined_campaign_id).toBe(c.customerDefinedCampaignId);
      const primary = rows.filter((r) => !r.duplicate);
      let total = 0;
      let inbox = 0;
      let bulk = 0;
      let missing = 0;
      for (const isp of info.isp_stats) {
        for (const key of ['count_inbox', 'count_bulk', 'count_missing', 'count_duplicate', 'count_total']) {
          expect(isp[key]).toMatch(/^\d+$/);
        }
        for (const key of ['pct_inbox', 'pct_bulk', 'pct_missing']) expect(typeof isp[key]).toBe('number');
        const mine = primary.filter((r) => r.isp === isp.name);
        const n = Number(isp.count_total);
        expect(mine.length).toBe(n);
        const counts = { inbox: 0, bulk: 0, missing: 0 };
        for (const r of mine) counts[r.location as 'inbox' | 'bulk' | 'missing']++;
        expect([isp.count_inbox, isp.count_bulk, isp.count_missing].map(Number)).toEqual([
          counts.inbox,
          counts.bulk,
          counts.missing,
        ]);
        expect(Number(isp.count_inbox) + Number(isp.count_bulk) + Number(isp.count_missing)).toBe(n);
        expect(isp.pct_inbox).toBe(pct(counts.inbox, n));
        expect(isp.pct_bulk).toBe(pct(counts.bulk, n));
        expect(isp.pct_missing).toBe(pct(counts.missing, n));
        const dupSeeds = new Set(rows.filter((r) => r.duplicate && r.isp === isp.name).map((r) => r.address));
        expect(Number(isp.count_duplicate)).toBe(dupSeeds.size);
        total += n;
        inbox += counts.inbox;
        bulk += counts.bulk;
        missing += counts.missing;
      }
      expect(total).toBe(primary.length);
      expect([info.pct_inbox, info.pct_bulk, info.pct_missing]).toEqual([
        pct(inbox, total),
        pct(bulk, total),
        pct(missing, total),
      ]);
      expect([info.pct_inbox, info.pct_bulk, info.pct_missing]).toEqual([c.pctInbox, c.pctBulk, c.pctMissing]);

      const sa = info.spamassassin;
      expect(sa._status).toBe('done');
      expect(sa.result).toBe(Number(sa.score) >= Number(sa.required) ? 'Yes' : 'No');
      expect(sa.required).toBe('5.0');
      expect(Object.keys(sa.rules_matched[0])).toEqual(['area', 'rule', 'score', 'description']);
      expect(sa.message_id).toBe(c.spamMessageId);

      expect(truth.seedResults.filter((s) => s.campaignId === c.campaignId).map((s) => s.messageId)).toEqual(
        rows.map((r) => r.message_id),
      );
    }
  });

  it('serves message contents with LF lines and authentication headers matching the truth', async () => {
    clock = FINAL;
    const truth = sim.truth();
    const received = truth.messages.filter((m) => m.content !== null);
    const sample = [...new Set(received.map((m) => m.campaignId))].slice(0, 10).map((id) => {
      const mine = received.filter((m) => m.campaignId === id);
      return mine[id % mine.length]!;
    });
    for (const m of sample) {
      const msg = await api(sim, { method: 'delivery_message_get', message_id: m.messageId });
      expect(msg.campaign_id).toBe(m.campaignId);
      expect(msg.seed_id).toBe(m.seedId);
      expect(msg.location).toBe(m.location);
      expect(msg.content).toBe(m.content);
      const content = String(msg.content);
      expect(content).not.toContain('\r');
      const [head, body] = [content.slice(0, content.indexOf('\n\n')), content.slice(content.indexOf('\n\n') + 2)];
      expect(head).toMatch(/^Authentication-Results: /m);
      expect(head).toMatch(/^Received-SPF: /im);
      expect(head.includes('DKIM-Signature: ')).toBe(m.auth!.dkim !== 'none');
      expect(head).toContain(`dkim=${m.auth!.dkim}`);
      if (m.auth!.dmarc !== null) expect(head).toContain(`dmarc=${m.auth!.dmarc}`);
      expect(body).toContain('<html>');
    }
    const missing = truth.messages.find((m) => m.content === null)!;
    const msg = await api(sim, { method: 'delivery_message_get', message_id: missing.messageId });
    expect(msg).toMatchObject({ location: 'missing', content: null, time_collected: '' });
  });

  it('finds a repeated customer id nearest the given date, or the latest without one', async () => {
    clock = FINAL;
    const truth = sim.truth();
    const groups = new Map<string, typeof truth.campaigns>();
    for (const c of truth.campaigns) {
      if (c.customerDefinedCampaignId !== '') {
        groups.set(c.customerDefinedCampaignId, [...(groups.get(c.customerDefinedCampaignId) ?? []), c]);
      }
    }
    const [customerId, matches] = [...groups].find(([, g]) => g.length >= 3)!;
    const spamId = async (params: Params) =>
      (await api(sim, { method: 'delivery_test_get_info', customer_defined_campaign_id: customerId, ...params }))
        .spamassassin.message_id;
    expect(await spamId({})).toBe(matches[matches.length - 1]!.spamMessageId);
    for (const [i, c] of matches.entries()) {
      const epoch = c.sentAt + (i % 2 === 0 ? 3_000 : -3_000);
      expect(await spamId({ date: epoch })).toBe(c.spamMessageId);
      expect(await spamId({ date: formatSendSageDate(epoch, true) })).toBe(c.spamMessageId);
      expect(await spamId({ date: new Date(epoch * 1000).toISOString().replace('.000', '') })).toBe(c.spamMessageId);
    }
    // A campaign_id wins over a customer id, as the date only applies to the latter.
    const first = matches[0]!;
    const byBoth = await api(sim, {
      method: 'delivery_test_get_info',
      campaign_id: first.campaignId,
      customer_defined_campaign_id: 'nope',
    });
    expect(byBoth.spamassassin.message_id).toBe(first.spamMessageId);
    const rows = await api(sim, {
      method: 'delivery_test_get_email_list',
      customer_defined_campaign_id: customerId,
      date: first.sentAt,
    });
    expect(rows.map((r: Json) => r.message_id)).toEqual(
      truth.seedResults.filter((s) => s.campaignId === first.campaignId).map((s) => s.messageId),
    );
    expect(
      (await api(sim, { method: 'delivery_test_get_info', customer_defined_campaign_id: customerId, date: 'x' })).error,
    ).toBe('Invalid date');

    // The legacy method returns the same body, with the customer id under `customerid`.
    const legacy = await api(sim, { method: 'campaignGetStats', customerid: customerId, date: first.sentAt });
    const info = await api(sim, { method: 'delivery_test_get_info', campaign_id: first.campaignId });
    const { customerid, ...rest } = legacy;
    const { customer_defined_campaign_id, ...infoRest } = info;
    expect(customerid).toBe(customer_defined_campaign_id);
    expect(rest).toEqual(infoRest);
    expect(Object.keys(legacy).indexOf('customerid')).toBe(Object.keys(info).indexOf('customer_defined_campaign_id'));
  });

  it('shows running tests as pending with incomplete placements, and done once the clock moves on', async () => {
    const c: SendSageCampaign = sim.data.campaigns[sim.data.campaigns.length - 4]!;
    const infoOf = () => api(sim, { method: 'delivery_test_get_info', campaign_id: c.campaignId });
    const listed = async () =>
      ((await api(sim, { method: 'delivery_test_list', days: 1 })) as Json[]).some(
        (i) => i.campaign_id === c.campaignId,
      );

    clock = new Date((c.sentSec - 1) * 1000);
    expect(await listed()).toBe(false);
    expect((await infoOf()).error).toBe('Campaign not found');

    clock = new Date((c.sentSec + 2) * 1000);
    const fresh = await infoOf();
    expect(fresh.spamassassin).toMatchObject({
      _status: 'pending',
      time_processed: null,
      score: '',
      rules_matched: [],
    });
    expect(fresh.pct_missing).toBe(100);

    clock = new Date((c.sentSec + 300) * 1000);
    expect(await listed()).toBe(true);
    const running = await infoOf();
    expect(running.spamassassin._status).toBe('pending');
    expect(running.spamassassin.score).toBe(c.spam.score);
    const runningRows: Json[] = await api(sim, { method: 'delivery_test_get_email_list', campaign_id: c.campaignId });
    const waiting = runningRows.filter((r) => r.time_collected === '');
    expect(waiting.length).toBeGreaterThan(0);
    for (const r of waiting) expect(r.location).toBe('missing');
    const total = running.isp_stats.reduce((acc: number, i: Json) => acc + Number(i.count_total), 0);
    expect(total).toBe(c.seeds.filter((s) => !s.duplicate).length);
    const late = c.seeds.find((s) => !s.duplicate && s.collectedSec !== null && s.collectedSec > c.sentSec + 300)!;
    expect(await api(sim, { method: 'delivery_message_get', message_id: late.messageId })).toMatchObject({
      location: 'missing',
      content: null,
    });
    expect(sim.truth().campaigns.find((t) => t.campaignId === c.campaignId)!.status).toBe('pending');

    clock = new Date((c.sentSec + SENDSAGE_RUNNING_SECONDS) * 1000);
    const done = await infoOf();
    expect(done.spamassassin._status).toBe('done');
    const doneRows: Json[] = await api(sim, { method: 'delivery_test_get_email_list', campaign_id: c.campaignId });
    expect(doneRows.length).toBe(c.seeds.length);
    expect(doneRows.map((r) => r.location)).toEqual(c.seeds.map((s) => s.location));
    expect((await api(sim, { method: 'delivery_message_get', message_id: late.messageId })).location).toBe(
      late.location,
    );
    const truth = sim.truth();
    const t = truth.campaigns.find((x) => x.campaignId === c.campaignId)!;
    expect(t.status).toBe('done');
    expect([done.pct_inbox, done.pct_bulk, done.pct_missing]).toEqual([t.pctInbox, t.pctBulk, t.pctMissing]);
    clock = FINAL;
  });

  it('lists by days back from the clock and serves previews with their images', async () => {
    clock = FINAL;
    const nowSec = FINAL.getTime() / 1000;
    const two: Json[] = await api(sim, { method: 'delivery_test_list', days: 2 });
    expect(two.map((i) => i.campaign_id)).toEqual(
      sim.data.campaigns
        .filter((c) => c.sentSec >= nowSec - 2 * 86_400)
        .map((c) => c.campaignId)
        .reverse(),
    );
    const byDefault: Json[] = await api(sim, { method: 'delivery_test_list' });
    expect(byDefault.length).toBe(sim.data.campaigns.length);
    expect(await api(sim, { method: 'delivery_test_list', days: 'abc' })).toEqual([]);

    const previews: Json[] = await api(sim, { method: 'preview_list' });
    const truth = sim.truth().previews;
    expect(previews.map((p) => p.preview_id)).toEqual(truth.map((p) => p.previewId).reverse());
    expect(Object.keys(previews[0])).toEqual([
      'preview_id',
      'date',
      'date_unix',
      'from_address',
      'from_name',
      'from_domain',
      'subject',
    ]);
    const seen = new Set<string>();
    for (const p of truth.slice(0, 3)) {
      const info = await api(sim, { method: 'preview_get_info', preview_id: p.previewId });
      expect(Object.keys(info)).toEqual(['applications']);
      expect(Object.keys(info.applications)).toEqual(p.applications.map((a) => a.appId));
      for (const app of p.applications) {
        const got = info.applications[app.appId];
        expect(Object.keys(got)).toEqual(['platform', 'name', ...sendSagePreviewViews]);
        expect(got.platform).toBe(app.platform);
        for (const view of sendSagePreviewViews) {
          expect(got[view]).toEqual(app.views[view]);
          expect(got[view].url === null).toBe(got[view].status === 'not available');
          seen.add(got[view].status);
        }
      }
    }
    expect(seen).toEqual(new Set(['done', 'not available']));
  });

  it('is deterministic: another simulator with the same seed answers byte for byte the same', async () => {
    clock = FINAL;
    await withSimulator(
      () => startSendSageSimulator({ ...base, now: () => FINAL }),
      async (twin) => {
        const c = sim.data.campaigns[2]!;
        const calls: Params[] = [
          { method: 'delivery_test_list', days: 30 },
          { method: 'delivery_test_get_info', campaign_id: c.campaignId },
          { method: 'delivery_test_get_email_list', campaign_id: c.campaignId },
          { method: 'delivery_message_get', message_id: c.seeds[1]!.messageId },
          { method: 'preview_get_info', preview_id: sim.data.previews[1]!.previewId },
        ];
        for (const params of calls) {
          expect((await call(twin, params)).text).toBe((await call(sim, params)).text);
        }
        expect(twin.truth()).toEqual(sim.truth());
      },
    );
    await withSimulator(
      () => startSendSageSimulator({ ...base, seed: 8, now: () => FINAL }),
      async (other) => {
        expect((await call(other, { method: 'delivery_test_list' })).text).not.toBe(
          (await call(sim, { method: 'delivery_test_list' })).text,
        );
      },
    );
  });
});

describe('sendsage faults', () => {
  const info = (c: SendSageCampaign): Params => ({ method: 'delivery_test_get_info', campaign_id: c.campaignId });
  const start = (kind: SendSageFaultKind) =>
    startSendSageSimulator({ ...base, now: () => FINAL, faults: { probability: 1, kinds: [kind] } });

  it('decides faults replayably from the seed', () => {
    const options = { probability: 0.3, kinds: sendSageFaultKinds };
    const decisions = expectReplayableFaults((n) => decideSendSageFault(options, 7, n));
    expect(new Set(decisions.filter((d) => d !== null).map((d) => d!.kind))).toEqual(new Set(sendSageFaultKinds));
  });

  it.each([['5xx'], ['truncated'], ['recase'], ['extra-fields'], ['success0'], ['non-json']] as const)(
    'makes a %s fault observable',
    async (kind) => {
      await withSimulator(
        () => start(kind),
        async (sim) => {
          const c = sim.data.campaigns[0]!;
          const plain = sendSageTruth(sim.data, FINAL.getTime() / 1000).campaigns[0]!;
          const wrongLogin = await call(sim, { ...info(c), password: 'x' });
          expect(JSON.parse(wrongLogin.text).error).toMatch(/^Login failed/);
          if (kind === 'truncated') {
            await expect(call(sim, info(c)).then((r) => JSON.parse(r.text))).rejects.toThrow();
          } else {
            const reply = await call(sim, info(c));
            if (kind === '5xx') {
              expect(reply.status).toBeGreaterThanOrEqual(500);
              expect(reply.text).toContain('<html>');
            } else if (kind === 'non-json') {
              expect(reply.status).toBe(200);
              expect(() => JSON.parse(reply.text)).toThrow();
            } else if (kind === 'success0') {
              expect(JSON.parse(reply.text)).toEqual({ success: 0, error: 'Database temporarily unavailable' });
            } else {
              const body = JSON.parse(reply.text);
              if (kind === 'recase') {
                expect(body).not.toHaveProperty('pct_inbox');
                const normalised = Object.keys(body).map((k) => k.toLowerCase().replaceAll('_', ''));
                expect(normalised).toContain('pctinbox');
                expect(normalised).toContain('ispstats');
              } else {
                expect(body.api_version).toBe('2.4.1');
                expect(body.pct_inbox).toBe(plain.pctInbox);
                expect(body.spamassassin.message_id).toBe(plain.spamMessageId);
              }
            }
          }
          // Faults are only drawn for requests past the login; error answers are not rewritten.
          const stats = sim.stats();
          expect(stats.faultsInjected).toEqual({ [kind]: 1 });
          expect(stats.authFailures).toBe(1);
          if (kind === 'recase' || kind === 'extra-fields' || kind === 'truncated') {
            expect(await api(sim, { method: 'delivery_test_get_info', campaign_id: 1 })).toEqual({
              success: 0,
              error: 'Campaign not found',
            });
            expect(sim.stats().faultsInjected).toEqual({ [kind]: 1 });
          }
        },
      );
    },
  );

  it('makes a hang fault observable, and close() ends the hung request', async () => {
    const sim = await start('hang');
    const c = sim.data.campaigns[0]!;
    const aborted = await call(sim, info(c), 'POST', { signal: AbortSignal.timeout(200) }).catch((e: Error) => e);
    expect(aborted).toBeInstanceOf(Error);
    expect(sim.stats().faultsInjected).toEqual({ hang: 1 });
    sim.resetStats();
    await expectCloseEndsHungRequest(sim, () => call(sim, info(c)));
  });

  it('rejects unknown fault kinds', async () => {
    await expect(
      startSendSageSimulator({ ...base, faults: { probability: 0.5, kinds: ['429' as SendSageFaultKind] } }),
    ).rejects.toThrow(/unknown fault kind/);
  });
});
