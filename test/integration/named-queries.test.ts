import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileWriters } from '../../shared/app/lake';
import { allTables } from '../../shared/catalog';
import { main } from '../../shared/cli/main';
import { systemClock } from '../../shared/core/clock';
import { ConfigError } from '../../shared/core/errors';
import { addDays } from '../../shared/digest/day';
import { computeDigest } from '../../shared/digest/metrics';
import { digestTables } from '../../shared/digest/roles';
import { RateBudgetRegistry } from '../../shared/engine/rate-budget';
import { defaultRetryPolicy } from '../../shared/engine/retry';
import { loadNamedQueries, namedQuery, withReferenceDate } from '../../shared/lake/named-queries';
import { openLakeQuery } from '../../shared/lake/query';
import { silentLogger } from '../../shared/log';
import { type SendSageSimulator, startSendSageSimulator } from '../../shared/sandbox/sendsage/server';
import type { V1Dataset } from '../../shared/sandbox/socketlabs-v1/model';
import { startV1Simulator, type V1Simulator } from '../../shared/sandbox/socketlabs-v1/server';
import { startV2Simulator, type V2Simulator } from '../../shared/sandbox/socketlabs-v2/server';
import { sources } from '../../shared/sources';
import { loadSendSageConfig } from '../../shared/sources/sendsage/config';
import { parseApiTimestamp } from '../../shared/sources/timestamps';
import { runCli } from '../helpers/cli';
import { KEY, localStore, runCollection, scratch, simulatorEnv, USER } from '../helpers/collect';
import { EXTREME_V2_EVENTS, KEY_V2, v2Env } from '../helpers/collect-v2';
import { collectSendSage } from '../helpers/sources';

/**
 * Every named query runs on DuckDB over lakes collected from the simulators, pinned to REF as "today", and is checked
 * against figures computed here another way: from the simulators' ground truth, or in JS over raw rows.
 */
const REF = '2026-11-16';
const YESTERDAY = addDays(REF, -1);
// The lakes hold days on both sides of every window: before the 30 (and 31) days, and REF itself.
const FROM = '2026-10-12';
const TO = REF;
const V1_SERVERS = [1234, 5678];
const V2_SERVERS = [42];
const SCALE = 100;

/** Small days so the lakes collect in a second or two; one day without queued and one without processed. */
const v1Profile = (dataset: V1Dataset, date: string, server: number) => {
  if (dataset === 'engagement') return 0;
  if (dataset === 'queued' && date === '2026-11-03' && server === 1234) return 0;
  if (dataset === 'processed' && date === '2026-11-04' && server === 5678) return 0;
  const wiggle = (Number(date.slice(8)) * 7 + server) % 9;
  return { queued: 30, processed: 26, failed: 12, complaints: 1 }[dataset] + wiggle;
};
const v2Profile = (date: string) => (date === '2026-11-03' ? 0 : 40 + (Number(date.slice(8)) % 7) * 3);

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const inDays = (date: string, from: string, to: string) => date >= from && date < to;
const cmpText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Runs a named query on DuckDB over a lake as if today were REF. */
async function runNamed(lakeDir: string, name: string, date = REF) {
  const q = await openLakeQuery({ lakeDir, tables: allTables });
  try {
    return await q.run(withReferenceDate(namedQuery(name).sql, date));
  } finally {
    await q.close();
  }
}

/** Rows as objects by column name. */
const records = (r: { columns: { name: string }[]; rows: unknown[][] }) =>
  r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));

// ---------------------------------------------------------------------------------------------------------------------
// Expectations from ground truth, one uniform record shape for both generations

interface TruthEvent {
  server: number;
  ms: number;
  kind: 'queued' | 'processed' | 'complaint' | 'failure' | 'other';
  failureType: 'hard' | 'soft' | 'suppressed' | null;
  to: string | null;
  code: number | null;
  reason: string | null;
}

const blankToNull = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
const v1FailureTypes = ['soft', 'hard', 'suppressed'] as const;

function v1Truth(sim: V1Simulator): TruthEvent[] {
  const kinds = { queued: 'queued', processed: 'processed', complaints: 'complaint', failed: 'failure' } as const;
  const out: TruthEvent[] = [];
  for (const server of V1_SERVERS) {
    for (const [dataset, kind] of Object.entries(kinds) as [keyof typeof kinds, TruthEvent['kind']][]) {
      for (const r of sim.truth(dataset, server)) {
        out.push({
          server,
          ms: parseApiTimestamp(r.DateTime)!,
          kind,
          failureType: kind === 'failure' ? (v1FailureTypes[Number(r.FailureType)] ?? null) : null,
          to: blankToNull(r.ToAddress),
          code: typeof r.FailureCode === 'number' ? r.FailureCode : null,
          reason: blankToNull(r.Reason),
        });
      }
    }
  }
  return out;
}

function v2Truth(sim: V2Simulator): TruthEvent[] {
  const kinds: Record<string, TruthEvent['kind']> = {
    Queued: 'queued',
    Delivered: 'processed',
    Complained: 'complaint',
  };
  return V2_SERVERS.flatMap((server) =>
    sim.truth(server).map((item) => ({
      server,
      ms: parseApiTimestamp(item.statusDate)!,
      kind: kinds[String(item.status)] ?? 'other',
      failureType: typeof item.failureType === 'string' ? (item.failureType.toLowerCase() as 'hard') : null,
      to: blankToNull(item.to),
      code: item.failureCode === null || item.failureCode === undefined ? null : Number(item.failureCode),
      reason: blankToNull(item.reason),
    })),
  );
}

/** Per server and UTC day of the 30 before REF: the counts and rates the project defines. */
function expectedDailyRates(events: TruthEvent[]) {
  const days = new Map<string, { dt: string; server_id: string; c: number[] }>();
  for (const e of events) {
    const dt = utcDate(e.ms);
    if (!inDays(dt, addDays(REF, -30), REF)) continue;
    const key = `${e.server}/${dt}`;
    const d = days.get(key) ?? { dt, server_id: String(e.server), c: [0, 0, 0, 0, 0] };
    days.set(key, d);
    if (e.kind === 'queued') d.c[0]!++;
    if (e.kind === 'processed') d.c[1]!++;
    if (e.failureType === 'hard') d.c[2]!++;
    if (e.failureType === 'soft') d.c[3]!++;
    if (e.kind === 'complaint') d.c[4]!++;
  }
  return (
    [...days.values()]
      // server_id is a string partition key (as in Athena): ordered as text.
      .sort((a, b) => cmpText(a.server_id, b.server_id) || a.dt.localeCompare(b.dt))
      .map(({ dt, server_id, c }) => {
        const [queued, processed, hard, soft, complaints] = c as [number, number, number, number, number];
        return {
          dt,
          server_id,
          queued,
          processed,
          hard_bounces: hard,
          soft_bounces: soft,
          complaints,
          bounce_rate: queued > 0 ? (hard + soft) / queued : null,
          complaint_rate: processed > 0 ? complaints / processed : null,
        };
      })
  );
}

/** Per server: addresses (lower-cased) that hard-bounced yesterday and not in the 30 days before, first bounce first. */
function expectedNewHardBounces(events: TruthEvent[]) {
  const hard = events.filter((e) => e.failureType === 'hard' && e.to !== null);
  const seenBefore = new Set(
    hard
      .filter((e) => inDays(utcDate(e.ms), addDays(REF, -31), YESTERDAY))
      .map((e) => `${e.server}/${e.to!.toLowerCase()}`),
  );
  const byKey = new Map<string, TruthEvent[]>();
  for (const e of hard.filter((h) => utcDate(h.ms) === YESTERDAY)) {
    const key = `${e.server}/${e.to!.toLowerCase()}`;
    if (!seenBefore.has(key)) byKey.set(key, [...(byKey.get(key) ?? []), e]);
  }
  const cmp = (a: unknown, b: unknown) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a! < b! ? -1 : 1);
  return [...byKey.values()]
    .map((list) => {
      const first = [...list].sort(
        (a, b) => a.ms - b.ms || cmp(a.code, b.code) || cmp(a.reason, b.reason) || cmp(a.to, b.to),
      )[0]!;
      return {
        server_id: String(first.server),
        to_address: first.to,
        failure_code: first.code,
        reason: first.reason,
        first_bounced_at: new Date(first.ms).toISOString(),
        hard_bounces: list.length,
      };
    })
    .sort((a, b) => cmp(a.server_id, b.server_id) || cmp(a.to_address!.toLowerCase(), b.to_address!.toLowerCase()));
}

// ---------------------------------------------------------------------------------------------------------------------
// Late records that give new-hard-bounces every case to decide

const at = (day: string, time: string) => `${day}T${time}Z`;
interface PlantedBounce {
  day: string;
  time: string;
  to: string;
  hard: boolean;
  code: number;
}
/** On the first server: what the list must and must not hold, with addresses in mixed case. */
const planted: PlantedBounce[] = [
  // Bounced hard within the 30 days before: not new.
  { day: '2026-11-01', time: '08:00:00', to: 'repeat.bouncer@example.org', hard: true, code: 2001 },
  { day: YESTERDAY, time: '09:00:00', to: 'Repeat.Bouncer@Example.org', hard: true, code: 2001 },
  // Bounced hard only before the 31-day window: new again.
  { day: '2026-10-14', time: '08:00:00', to: 'old.bouncer@example.org', hard: true, code: 2001 },
  { day: YESTERDAY, time: '10:00:00', to: 'OLD.bouncer@example.org', hard: true, code: 2002 },
  // A soft failure before does not count.
  { day: '2026-11-05', time: '08:00:00', to: 'soft.before@example.org', hard: false, code: 3001 },
  { day: YESTERDAY, time: '11:00:00', to: 'soft.before@example.org', hard: true, code: 2001 },
  // Twice yesterday, two spellings: one row, the first bounce's code and spelling, hard_bounces 2.
  { day: YESTERDAY, time: '12:00:00', to: 'twice.yesterday@example.org', hard: true, code: 2002 },
  { day: YESTERDAY, time: '18:00:00', to: 'TWICE.Yesterday@example.org', hard: true, code: 2001 },
  // Today is not yesterday.
  { day: REF, time: '01:00:00', to: 'today.only@example.org', hard: true, code: 2001 },
];
/** On the second server (v1) before, and on the first server yesterday: new, because lists are per server. */
const otherServer = 'other.server@example.org';

const plantedV1 = (p: PlantedBounce) => ({
  DateTime: at(p.day, p.time),
  MessageId: `planted-${p.day}-${p.time}`,
  MailingId: 'planted',
  ToAddress: p.to,
  FromAddress: 'news@acme-mail.com',
  FailureType: p.hard ? 1 : 0,
  FailureCode: p.code,
  Reason: `550 planted ${p.code} for <${p.to}>`,
});

const plantedV2 = (template: Record<string, unknown>, p: PlantedBounce) => ({
  ...template,
  messageId: `planted-${p.day}-${p.time}`,
  to: p.to,
  status: 'Failed',
  queuedTime: at(p.day, p.time),
  statusDate: at(p.day, p.time),
  deliveryTime: null,
  failureType: p.hard ? 'Hard' : 'Soft',
  failureCode: p.code,
  bounceStatus: '5.1.1',
  reason: `550 5.1.1 planted ${p.code} for <${p.to}>`,
  fblType: null,
  url: null,
});

// ---------------------------------------------------------------------------------------------------------------------

describe('named queries on DuckDB over simulated lakes', () => {
  let v1: V1Simulator;
  let v2: V2Simulator;
  let lakeV1: string;
  let lakeV2: string;

  beforeAll(async () => {
    v1 = await startV1Simulator({
      seed: 17,
      serverIds: V1_SERVERS,
      from: FROM,
      to: TO,
      profile: v1Profile,
      username: USER,
      apiKey: KEY,
      requestsPerSecond: 1000,
      burst: 8,
    });
    for (const p of planted) v1.insert('failed', V1_SERVERS[0]!, plantedV1(p));
    v1.insert(
      'failed',
      V1_SERVERS[1]!,
      plantedV1({ day: '2026-11-05', time: '08:00:00', to: otherServer, hard: true, code: 2001 }),
    );
    v1.insert(
      'failed',
      V1_SERVERS[0]!,
      plantedV1({ day: YESTERDAY, time: '13:00:00', to: otherServer, hard: true, code: 2001 }),
    );
    lakeV1 = await scratch('named-v1');
    const s1 = await runCollection({
      store: localStore(lakeV1),
      env: simulatorEnv(v1, V1_SERVERS),
      from: FROM,
      to: TO,
      datasets: ['failed', 'queued', 'processed', 'complaints'],
    });
    expect(s1.windowsFailed).toBe(0);

    v2 = await startV2Simulator({
      seed: 23,
      serverIds: V2_SERVERS,
      from: FROM,
      to: TO,
      profile: v2Profile,
      // Bounces at ten domains and more per server in a few hundred items: top-bouncing-domains needs a full top 10.
      events: EXTREME_V2_EVENTS,
      apiKey: KEY_V2,
      limits: { timeScale: SCALE },
      now: () => new Date('2026-11-23T00:00:00Z'),
    });
    const template = { ...v2.truth(V2_SERVERS[0]!)[0]! };
    for (const p of planted) v2.insert(V2_SERVERS[0]!, plantedV2(template, p));
    // A day with failures only: both rates NULL, not a division by zero.
    v2.insert(
      V2_SERVERS[0]!,
      plantedV2(template, { day: '2026-11-03', time: '07:00:00', to: 'x@example.org', hard: true, code: 2001 }),
    );
    lakeV2 = await scratch('named-v2');
    const s2 = await runCollection({
      store: localStore(lakeV2),
      env: v2Env(v2, V2_SERVERS, SCALE),
      from: FROM,
      to: TO,
    });
    expect(s2.windowsFailed).toBe(0);
  });
  afterAll(async () => {
    await v1?.close();
    await v2?.close();
  });

  describe('daily-rates', () => {
    it('v1 tables: the 30 days before the reference date, counts and rates as the ground truth gives them', async () => {
      const got = records(await runNamed(lakeV1, 'daily-rates'));
      const want = expectedDailyRates(v1Truth(v1));
      expect(want).toHaveLength(30 * V1_SERVERS.length);
      expect(want.some((d) => d.bounce_rate === null)).toBe(true);
      expect(want.some((d) => d.complaint_rate === null)).toBe(true);
      expect(got).toEqual(want);
    });

    it('v2 messages table: the same definitions over event and failure types', async () => {
      const got = records(await runNamed(lakeV2, 'daily-rates'));
      const want = expectedDailyRates(v2Truth(v2));
      expect(want.find((d) => d.dt === '2026-11-03')).toMatchObject({
        queued: 0,
        bounce_rate: null,
        complaint_rate: null,
      });
      expect(got).toEqual(want);
    });

    it.each([
      ['v1', () => lakeV1],
      ['v2', () => lakeV2],
    ])('%s: equals the digest run in UTC, day by day', async (_, lake) => {
      const rows = records(await runNamed(lake(), 'daily-rates'));
      const digest = await computeDigest(localStore(lake()), {
        tables: digestTables(sources),
        date: YESTERDAY,
        timeZone: 'UTC',
        now: Date.now(),
      });
      expect(digest.socketlabs.servers.length).toBeGreaterThan(0);
      for (const s of digest.socketlabs.servers) {
        const fromQuery = rows
          .filter((r) => r.server_id === String(s.server_id) && String(r.dt) >= s.series[0]!.date)
          .map((r) => ({
            date: r.dt,
            queued: r.queued,
            processed: r.processed,
            bounces: Number(r.hard_bounces) + Number(r.soft_bounces),
            complaints: r.complaints,
          }));
        expect(fromQuery).toEqual(s.series);
        const last = rows.find((r) => r.server_id === String(s.server_id) && r.dt === YESTERDAY)!;
        expect([last.bounce_rate, last.complaint_rate]).toEqual([s.bounce_rate, s.complaint_rate]);
      }
    });

    it('moves with the reference date', async () => {
      const got = records(await runNamed(lakeV1, 'daily-rates', YESTERDAY));
      const dates = [...new Set(got.map((r) => r.dt))].sort();
      expect([dates[0], dates.at(-1), dates.length]).toEqual([addDays(YESTERDAY, -30), addDays(YESTERDAY, -1), 30]);
    });
  });

  describe('top-bouncing-domains', () => {
    /** From every raw failure row: UTC day of event_time, hard and soft only, ranked in JS. */
    async function expected(lakeDir: string) {
      const q = await openLakeQuery({ lakeDir, tables: allTables });
      const raw = await q.run(
        `select server_id, recipient_domain, failure_type_name, epoch_ms(event_time) from socketlabs_failed
         union all
         select server_id, recipient_domain, failure_type_name, epoch_ms(event_time) from socketlabs_messages`,
      );
      await q.close();
      const servers = new Map<string, Map<string | null, { hard: number; soft: number }>>();
      for (const [server, domain, type, ms] of raw.rows as [string, string | null, string | null, number][]) {
        if (!inDays(utcDate(ms), addDays(REF, -7), REF) || (type !== 'hard' && type !== 'soft')) continue;
        const domains = servers.get(server) ?? new Map();
        servers.set(server, domains);
        const d = domains.get(domain) ?? { hard: 0, soft: 0 };
        domains.set(domain, d);
        d[type]++;
      }
      return [...servers.entries()]
        .sort(([a], [b]) => cmpText(a, b))
        .flatMap(([server, domains]) => {
          const list = [...domains.entries()].map(([domain, d]) => ({ domain, ...d, total: d.hard + d.soft }));
          const all = list.reduce((n, d) => n + d.total, 0);
          return list
            .sort(
              (a, b) =>
                b.total - a.total ||
                (a.domain === b.domain
                  ? 0
                  : a.domain === null
                    ? 1
                    : b.domain === null
                      ? -1
                      : a.domain < b.domain
                        ? -1
                        : 1),
            )
            .slice(0, 10)
            .map((d, i) => ({
              server_id: server,
              domain_rank: i + 1,
              recipient_domain: d.domain,
              hard: d.hard,
              soft: d.soft,
              total: d.total,
              share: d.total / all,
            }));
        });
    }

    it.each([
      ['v1', () => lakeV1, V1_SERVERS.length],
      ['v2', () => lakeV2, V2_SERVERS.length],
    ])('%s: top 10 per server over the 7 days before the reference date', async (_, lake, servers) => {
      const got = records(await runNamed(lake(), 'top-bouncing-domains'));
      const want = await expected(lake());
      expect(want).toHaveLength(10 * servers);
      expect(got).toEqual(want);
    });
  });

  describe('new-hard-bounces', () => {
    it('v1: new addresses of yesterday as the ground truth gives them, each planted case decided', async () => {
      const got = records(await runNamed(lakeV1, 'new-hard-bounces'));
      expect(got).toEqual(expectedNewHardBounces(v1Truth(v1)));
      const listed = got
        .filter((r) => r.server_id === String(V1_SERVERS[0]))
        .map((r) => String(r.to_address).toLowerCase());
      expect(listed).toEqual(
        expect.arrayContaining([
          'old.bouncer@example.org',
          'soft.before@example.org',
          'twice.yesterday@example.org',
          otherServer,
        ]),
      );
      expect(listed).not.toContain('repeat.bouncer@example.org');
      expect(listed).not.toContain('today.only@example.org');
      expect(got.find((r) => r.to_address === 'twice.yesterday@example.org')).toMatchObject({
        failure_code: 2002,
        hard_bounces: 2,
        first_bounced_at: `${YESTERDAY}T12:00:00.000Z`,
      });
      expect(got.find((r) => r.to_address === 'OLD.bouncer@example.org')).toMatchObject({ failure_code: 2002 });
    });

    it('v2: the same list from the messages table', async () => {
      const got = records(await runNamed(lakeV2, 'new-hard-bounces'));
      expect(got).toEqual(expectedNewHardBounces(v2Truth(v2)));
      const listed = got.map((r) => String(r.to_address).toLowerCase());
      expect(listed).toContain('old.bouncer@example.org');
      expect(listed).not.toContain('repeat.bouncer@example.org');
    });
  });

  describe('inboxlake query', () => {
    it('--named NAME --date prints the rows the query gives; --list prints every name and description', async () => {
      const env = { INBOXLAKE_LAKE: lakeV1 };
      const [named, list] = await Promise.all([
        runCli(['query', '--named', 'new-hard-bounces', '--date', REF], env),
        runCli(['query', '--list'], env),
      ]);
      expect(named.code, named.stderr).toBe(0);
      const want = records(await runNamed(lakeV1, 'new-hard-bounces'));
      expect(named.stdout.split('\n')[0]).toMatch(/^server_id\s+to_address\s+failure_code\s+reason/);
      expect(named.stdout).toContain(`(${want.length} rows)`);
      for (const r of want.filter((w) => String(w.to_address).includes('@example.org'))) {
        expect(named.stdout).toMatch(
          new RegExp(`^\\s*${r.server_id}\\s+${escapeRe(String(r.to_address))}\\s+${r.failure_code}\\s`, 'm'),
        );
      }
      expect(list.code, list.stderr).toBe(0);
      for (const q of loadNamedQueries())
        expect(list.stdout).toMatch(new RegExp(`^${q.name}\\s+${escapeRe(q.description)}$`, 'm'));
    });

    it('an unknown name lists the known ones; --date without --named and SQL with --named are usage errors', async () => {
      const env = { INBOXLAKE_LAKE: lakeV1 };
      await expect(main(['query', '--named', 'nope'], env)).rejects.toThrow(
        new ConfigError(
          `no named query 'nope'; known: ${loadNamedQueries()
            .map((q) => q.name)
            .join(', ')}`,
        ),
      );
      await expect(main(['query', 'select 1', '--date', REF], env)).rejects.toThrow(/--date goes with --named/);
      await expect(main(['query', 'select 1', '--named', 'daily-rates'], env)).rejects.toThrow(/one of/);
      await expect(main(['query', '--named', 'daily-rates', '--date', '2026-13-01'], env)).rejects.toThrow(
        /--date must be a date/,
      );
      await expect(main(['query'], env)).rejects.toThrow(/query takes one of/);
    });
  });
});

describe('inbox-placement-by-isp on DuckDB over a SendSage lake', () => {
  const USERNAME = 'monitor-user';
  const PASSWORD = 'S3cret-pa55word!';
  let sim: SendSageSimulator;
  let lakeDir: string;
  let now = Date.parse('2026-11-16T00:00:00Z');

  beforeAll(async () => {
    sim = await startSendSageSimulator({
      seed: 12,
      from: FROM,
      to: YESTERDAY,
      username: USERNAME,
      password: PASSWORD,
      campaignsPerDay: 1,
      now: () => new Date(now),
    });
    // Half an hour after the last test went out, so that test (yesterday) is still running.
    now = Math.max(...sim.data.campaigns.map((c) => c.sentSec)) * 1000 + 30 * 60_000;
    lakeDir = await scratch('named-sendsage');
    const summary = await collectSendSage(
      loadSendSageConfig({
        SENDSAGE_API_URL: sim.url,
        SENDSAGE_USERNAME: USERNAME,
        SENDSAGE_PASSWORD: PASSWORD,
        SENDSAGE_REQUESTS_PER_SECOND: '500',
        SENDSAGE_CONCURRENCY: '4',
        SENDSAGE_MESSAGES: 'none',
      }),
      { days: 40 },
      {
        store: localStore(lakeDir),
        formats: ['parquet'],
        writers: fileWriters,
        tmpDir: await scratch('named-sendsage-tmp'),
        fetch: (url, init) => fetch(url, init),
        clock: systemClock,
        budgets: new RateBudgetRegistry(),
        log: silentLogger,
        retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 12 },
      },
    );
    expect(summary.itemsFailed).toBe(0);
  });
  afterAll(() => sim?.close());

  it('finished tests of the 30 days before the reference date, seed-weighted per ISP', async () => {
    const truth = sim.truth();
    const day = (c: { sentAt: number }) => utcDate(c.sentAt * 1000);
    const inWindow = truth.campaigns.filter((c) => inDays(day(c), addDays(REF, -30), REF));
    expect(inWindow.some((c) => c.status === 'pending')).toBe(true);
    expect(truth.campaigns.some((c) => !inDays(day(c), addDays(REF, -30), REF))).toBe(true);
    const finished = new Set(inWindow.filter((c) => c.status === 'done').map((c) => c.campaignId));
    const isps = new Map<string, { category: string; campaigns: Set<number>; n: number[] }>();
    for (const r of truth.ispResults) {
      if (!finished.has(r.campaignId) || r.countTotal <= 0) continue;
      const e = isps.get(r.name) ?? { category: r.category, campaigns: new Set(), n: [0, 0, 0, 0] };
      isps.set(r.name, e);
      e.campaigns.add(r.campaignId);
      e.n = [e.n[0]! + r.countTotal, e.n[1]! + r.countInbox, e.n[2]! + r.countBulk, e.n[3]! + r.countMissing];
    }
    const want = [...isps.entries()].map(([name, e]) => {
      const [seeds, inbox, bulk, missing] = e.n as [number, number, number, number];
      return { isp_name: name, category: e.category, campaigns: e.campaigns.size, seeds, inbox, bulk, missing };
    });

    const got = records(await runNamed(lakeDir, 'inbox-placement-by-isp'));
    expect(got.map((r) => r.isp_name).sort()).toEqual(want.map((w) => w.isp_name).sort());
    for (const w of want) {
      const g = got.find((r) => r.isp_name === w.isp_name)!;
      expect(g, w.isp_name).toMatchObject({ category: w.category, campaigns: w.campaigns, seeds: w.seeds });
      // One decimal, as SendSage rounds: within half a tenth of the exact share.
      expect(Number(g.pct_inbox)).toBeCloseTo((100 * w.inbox) / w.seeds, 1);
      expect(Number(g.pct_bulk)).toBeCloseTo((100 * w.bulk) / w.seeds, 1);
      expect(Number(g.pct_missing)).toBeCloseTo((100 * w.missing) / w.seeds, 1);
    }
    const order = got.map((r) => Number(r.pct_inbox));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
