import { readAlertHistory } from '../lake/alert-history';
import { ALERTS_HISTORY_PREFIX, tableAreaPrefix } from '../lake/layout';
import type { ObjectStore } from '../lake/object-store';
import { listingOnce, type RollupCount, visitRollups } from '../lake/rollup-reader';
import { epochMs, cellNumber as num, readRows, cellString as str } from '../lake/row-reader';
import { findAlerts } from './alerts';
import { addDays, localDate, zonedDay } from './day';
import { type Counters, withRates, zeroCounters } from './figures';
import { readHardBounces } from './hard-bounces';
import { intradayAlerts } from './intraday';
import {
  type Digest,
  type DigestCampaign,
  type DigestServer,
  definitions,
  MAX_LISTED_HARD_BOUNCES,
  type UnreadableFile,
} from './model';
import { type DigestTables, placementTables } from './roles';
import { defaultThresholds, type Thresholds } from './thresholds';

export interface DigestOptions {
  /** The calendar day, in `timeZone`. */
  readonly date: string;
  readonly timeZone: string;
  readonly now: number;
  readonly thresholds?: Thresholds;
  /** How many failure codes and domains the digest lists. */
  readonly top?: number;
  /** How many hard-bounced addresses the digest lists (default MAX_LISTED_HARD_BOUNCES). */
  readonly maxListedHardBounces?: number;
  /** The tables to read and their roles: `digestTables(sources)` of the registry, which the digest does not know. */
  readonly tables: DigestTables;
}

/**
 * Every lake prefix the digest reads: the rollups of the tables with a server role, the rows of the placement
 * tables and the alert history; never the rows of a per-message table (every recipient of every message). The
 * digest function's IAM is made from this list.
 */
export function digestReadPrefixes(tables: DigestTables): string[] {
  return [
    ...[...new Set([...tables.totals.map((t) => t.table), ...tables.bounces])].map((t) =>
      tableAreaPrefix('rollups', t),
    ),
    ...placementTables(tables).map((t) => tableAreaPrefix('data', t.name)),
    ALERTS_HISTORY_PREFIX,
  ];
}

/**
 * Computes the digest of a day from the lake's rollups (and the day's small SendSage tables): the coarse `totals`
 * rollups for the day, its 7-day baseline and the 14-day series; the detailed failure rollups for the day alone. The
 * trend work grows with servers and days, the day's detail with its distinct bounces; neither with the mail volume.
 */
export async function computeDigest(store: ObjectStore, opts: DigestOptions): Promise<Digest> {
  const tz = opts.timeZone;
  const top = opts.top ?? 5;
  const tables = opts.tables;
  const countsOf = new Map(tables.totals.map((t) => [t.table, t]));
  // The totals, bounces and hard-bounce rollups share their day folders: each is listed once.
  const rollups = listingOnce(store);
  // Damaged files are left out and listed, so the rest of the digest still goes out, marked incomplete.
  const unreadable: UnreadableFile[] = [];
  const day = zonedDay(opts.date, tz);
  const seriesStart = zonedDay(addDays(opts.date, -13), tz).start;
  // Per server and local date; the day's complaint types alongside.
  const byServer = new Map<number, { days: Map<string, Counters>; sources: Set<string> }>();
  const complaintTypes = new Map<string, Map<string | null, number>>();
  // Counts share a few thousand quarter-hours; the zone lookup is the costly part.
  const dates = new Map<number, string>();
  const addTotal = (r: RollupCount) => {
    const server = Number(r.partition.server_id);
    let date = dates.get(r.period);
    if (date === undefined) {
      date = localDate(r.period, tz);
      dates.set(r.period, date);
    }
    const role = countsOf.get(r.table);
    if (!role) return;
    const s = byServer.get(server) ?? { days: new Map(), sources: new Set() };
    byServer.set(server, s);
    s.sources.add(role.source);
    const c = s.days.get(date) ?? zeroCounters();
    s.days.set(date, c);
    const counters = role.counts(r.dims);
    for (const k of counters) c[k] += r.count;
    if (date !== opts.date) return;
    if (counters.includes('complaints')) {
      const key = String(server);
      const t = typeof r.dims.complaint_type === 'string' ? r.dims.complaint_type : null;
      const m = complaintTypes.get(key) ?? new Map();
      complaintTypes.set(key, m);
      m.set(t, (m.get(t) ?? 0) + r.count);
    }
  };
  for (const { table } of tables.totals) {
    await visitRollups(rollups, table, 'totals', seriesStart, day.end, addTotal, unreadable);
  }

  // The day's bounces by code and by recipient domain.
  const codes = new Map<string, Map<number | null, number>>();
  const domains = new Map<string, Map<string | null, { hard: number; soft: number }>>();
  const addBounce = (r: RollupCount) => {
    const type = r.dims.failure_type_name;
    if (type !== 'hard' && type !== 'soft') return;
    const key = String(Number(r.partition.server_id));
    const code = typeof r.dims.failure_code === 'number' ? r.dims.failure_code : null;
    const m = codes.get(key) ?? new Map();
    codes.set(key, m);
    m.set(code, (m.get(code) ?? 0) + r.count);
    const domain = typeof r.dims.recipient_domain === 'string' ? r.dims.recipient_domain : null;
    const d = domains.get(key) ?? new Map();
    domains.set(key, d);
    const e = d.get(domain) ?? { hard: 0, soft: 0 };
    d.set(domain, e);
    e[type] += r.count;
  };
  for (const table of tables.bounces) {
    await visitRollups(rollups, table, 'bounces', day.start, day.end, addBounce, unreadable);
  }

  const servers: DigestServer[] = [...byServer.entries()]
    .sort(([a], [b]) => a - b)
    .map(([serverId, s]) => {
      const key = String(serverId);
      const today = withRates(s.days.get(opts.date) ?? zeroCounters());
      const before = Array.from({ length: 7 }, (_, i) => s.days.get(addDays(opts.date, -(i + 1))));
      const history = before.filter((c): c is Counters => c !== undefined);
      const sum = history.reduce<Counters>((acc, c) => {
        for (const k of Object.keys(acc) as (keyof Counters)[]) acc[k] += c[k];
        return acc;
      }, zeroCounters());
      const baseline = history.length
        ? withRates(Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, v / 7])) as Counters)
        : null;
      return {
        server_id: serverId,
        // The first generation in registry order that counted for the server (v2 before v1).
        source: tables.sourceOrder.find((name) => s.sources.has(name)) ?? '',
        ...today,
        baseline,
        top_failure_codes: [...(codes.get(key) ?? new Map<number | null, number>())]
          .sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]))
          .slice(0, top)
          .map(([code, count]) => ({
            code,
            count,
            category: tables.describeFailureCode(code)?.category ?? null,
            meaning: tables.describeFailureCode(code)?.meaning ?? null,
          })),
        top_bouncing_domains: [...(domains.get(key) ?? new Map<string | null, { hard: number; soft: number }>())]
          .map(([domain, v]) => ({ domain, hard: v.hard, soft: v.soft, total: v.hard + v.soft }))
          .sort((a, b) => b.total - a.total || String(a.domain).localeCompare(String(b.domain)))
          .slice(0, top),
        complaint_types: [...(complaintTypes.get(key) ?? new Map<string | null, number>())]
          .map(([type, count]) => ({ type, count }))
          .sort((a, b) => b.count - a.count),
        series: Array.from({ length: 14 }, (_, i) => {
          const date = addDays(opts.date, i - 13);
          const c = s.days.get(date) ?? zeroCounters();
          return {
            date,
            queued: c.queued,
            processed: c.processed,
            bounces: c.hard_bounces + c.soft_bounces,
            complaints: c.complaints,
          };
        }),
      };
    });

  const campaigns = tables.placement
    ? await readCampaigns(store, tables.placement, day.start, day.end, top, unreadable)
    : [];
  const hardBounces = await readHardBounces(
    rollups,
    tables.bounces,
    day.start,
    day.end,
    opts.maxListedHardBounces ?? MAX_LISTED_HARD_BOUNCES,
    unreadable,
  );
  const intraday = intradayAlerts(await readAlertHistory(store, day.start, day.end, unreadable), day.start, day.end);
  const thresholds = opts.thresholds ?? defaultThresholds;
  return {
    date: opts.date,
    timezone: tz,
    window: { start: new Date(day.start).toISOString(), end: new Date(day.end).toISOString() },
    generated_at: new Date(opts.now).toISOString(),
    socketlabs: { servers },
    sendsage: { campaigns },
    alerts: findAlerts(servers, campaigns, thresholds),
    intraday,
    ...hardBounces,
    unreadable_files: unreadable.sort((a, b) => a.key.localeCompare(b.key)),
    definitions,
  };
}

/** The SendSage tests sent within the window, with their providers, costliest rules and authentication results. */
async function readCampaigns(
  store: ObjectStore,
  placement: NonNullable<DigestTables['placement']>,
  start: number,
  end: number,
  top: number,
  unreadable: UnreadableFile[],
): Promise<DigestCampaign[]> {
  const inWindow = (row: Record<string, unknown>) => {
    const t = epochMs(row.sent_at);
    return t !== null && t >= start && t < end;
  };
  const campaigns = (await readRows(store, placement.campaigns, start, end, unreadable)).filter(inWindow);
  if (!campaigns.length) return [];
  const isps = (await readRows(store, placement.ispResults, start, end, unreadable)).filter(inWindow);
  const rules = (await readRows(store, placement.spamRules, start, end, unreadable)).filter(inWindow);
  const messages = (await readRows(store, placement.messages, start, end, unreadable)).filter(inWindow);
  const of = (rows: Record<string, unknown>[], id: number) => rows.filter((r) => num(r.campaign_id) === id);
  const tally = (rows: Record<string, unknown>[], column: string) => {
    const out: Record<string, number> = {};
    for (const r of rows) {
      const k = str(r[column]) ?? 'unknown';
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  };
  return campaigns
    .map((c) => {
      const id = num(c.campaign_id)!;
      const own = of(messages, id);
      return {
        campaign_id: id,
        subject: str(c.subject),
        from_address: str(c.from_address),
        sent_at: new Date(epochMs(c.sent_at)!).toISOString(),
        status: str(c.status),
        pct_inbox: num(c.pct_inbox),
        pct_bulk: num(c.pct_bulk),
        pct_missing: num(c.pct_missing),
        spam_score: num(c.spam_score),
        spam_required: num(c.spam_required),
        isps: of(isps, id)
          .map((r) => ({
            isp_name: str(r.isp_name),
            count_total: num(r.count_total),
            pct_inbox: num(r.pct_inbox),
            pct_bulk: num(r.pct_bulk),
            pct_missing: num(r.pct_missing),
          }))
          .sort((a, b) => (a.pct_inbox ?? 101) - (b.pct_inbox ?? 101)),
        top_rules: of(rules, id)
          .map((r) => ({ rule: str(r.rule), score: num(r.score), description: str(r.description) }))
          .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))
          .slice(0, top),
        authentication: { spf: tally(own, 'spf'), dkim: tally(own, 'dkim'), dmarc: tally(own, 'dmarc') },
      };
    })
    .sort((a, b) => a.sent_at.localeCompare(b.sent_at) || a.campaign_id - b.campaign_id);
}
