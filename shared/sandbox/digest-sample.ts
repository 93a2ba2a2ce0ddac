import { findAlerts } from '../digest/alerts';
import { zonedDay } from '../digest/day';
import {
  type Digest,
  type DigestCampaign,
  type DigestServer,
  definitions,
  digestSchema,
  type ServerMetrics,
} from '../digest/model';
import { defaultThresholds } from '../digest/thresholds';
import { describeFailureCode } from '../sources/socketlabs-common/failure-codes';
import { createRng, type Rng } from './random';
import { defaultSendSageIsps } from './sendsage/model';

/**
 * A realistic, deterministic digest for tests, the screenshot script and demos. It is a fixture, not the digest
 * computation: the figures are synthetic but self-consistent (rates follow the definitions, the baseline is the mean
 * of the 7 days before, the series ends with the day), and the alerts are what `findAlerts` raises for them.
 */
export interface SampleDigestOptions {
  /** The digest day, `YYYY-MM-DD`. Default `2026-11-22`. */
  readonly date?: string;
  /** IANA zone of the day. Default `Europe/Berlin`. */
  readonly timezone?: string;
  /** SocketLabs servers. Default 4: a complaint spike, a blocklisting, a server that sent nothing, a quiet one. */
  readonly servers?: number;
  /** SendSage placement tests. Default 3: one bulked, one fine, one still running. */
  readonly campaigns?: number;
  readonly seed?: number;
  /** A day on which nothing arrived at all: no servers, no campaigns (and the alert that says so). */
  readonly empty?: boolean;
}

type ServerScenario = 'complaints' | 'blocklisted' | 'silent' | 'soft-bounces' | 'normal';
type CampaignScenario = 'bulked' | 'fine' | 'running' | 'missing';

const DAY_MS = 86_400_000;

const serverIds = [1234, 5678, 4410, 9021];
const campaignSubjects = [
  'Black Friday: 40 % off everything, today only',
  'Your November statement is ready',
  'Welcome to Northwind — confirm your e-mail address',
  'Last chance: your cart is about to expire',
  'Northwind weekly: 5 recipes for cold evenings',
  'Your order #48213 has shipped',
];
const senders = ['offers@mail.northwind-shop.com', 'billing@northwind-shop.com', 'hello@mail.northwind-shop.com'];
const recipientDomains = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'aol.com', 'comcast.net', 'web.de'];
const firstNames = ['anna', 'ben', 'chloe', 'david', 'emma', 'felix', 'greta', 'hugo', 'ines', 'jonas', 'karla'];

const iso = (ms: number) => new Date(ms).toISOString();
const isoDate = (ms: number) => iso(ms).slice(0, 10);

interface DayFigures extends ServerMetrics {}

function dayFigures(
  queued: number,
  rates: { hard: number; soft: number; suppressed: number; complaint: number },
  rng: Rng,
): DayFigures {
  const jitter = () => rng.float(0.85, 1.15);
  const hard = Math.round(queued * rates.hard * jitter());
  const soft = Math.round(queued * rates.soft * jitter());
  const suppressed = Math.round(queued * rates.suppressed * jitter());
  const processed = Math.max(0, queued - hard - soft - suppressed);
  const complaints = Math.round(processed * rates.complaint * jitter());
  const opens = Math.round(processed * 0.19 * jitter());
  const clicks = Math.round(opens * 0.13 * jitter());
  return {
    queued,
    processed,
    hard_bounces: hard,
    soft_bounces: soft,
    suppressed,
    complaints,
    opens,
    clicks,
    bounce_rate: queued === 0 ? null : (hard + soft) / queued,
    complaint_rate: processed === 0 ? null : complaints / processed,
  };
}

const normalRates = { hard: 0.004, soft: 0.006, suppressed: 0.003, complaint: 0.0003 };
const scenarioRates: Record<ServerScenario, typeof normalRates> = {
  complaints: { ...normalRates, complaint: 0.0036 },
  blocklisted: { hard: 0.052, soft: 0.016, suppressed: 0.004, complaint: 0.0004 },
  silent: normalRates,
  'soft-bounces': { hard: 0.005, soft: 0.031, suppressed: 0.003, complaint: 0.0003 },
  normal: normalRates,
};

function serverScenario(i: number): ServerScenario {
  if (i < 3) return (['complaints', 'blocklisted', 'silent'] as const)[i]!;
  return i % 7 === 5 ? 'soft-bounces' : 'normal';
}

/** Splits `total` over weighted keys, largest remainder first, so the parts add up exactly. */
function split<K>(total: number, weights: readonly (readonly [K, number])[]): [K, number][] {
  const sum = weights.reduce((s, [, w]) => s + w, 0);
  const raw = weights.map(([k, w]) => [k, (total * w) / sum] as const);
  const out = raw.map(([k, x]) => [k, Math.floor(x)] as [K, number]);
  let rest = total - out.reduce((s, [, n]) => s + n, 0);
  const order = raw.map(([, x], i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (rest-- <= 0) break;
    out[i]![1]++;
  }
  return out.filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
}

function sampleServer(i: number, date: string, rng: Rng): DigestServer {
  const id = serverIds[i] ?? 20_000 + i * 7;
  const scenario = serverScenario(i);
  const usual = Math.round(rng.float(0.2, 1) ** 2 * 180_000 + 3_000);
  const day0 = Date.parse(`${date}T00:00:00Z`);
  const days: DayFigures[] = [];
  for (let k = 13; k >= 0; k--) {
    const t = day0 - k * DAY_MS;
    const weekday = new Date(t).getUTCDay();
    const weekly = weekday === 0 || weekday === 6 ? 0.8 : 1;
    const queued = k === 0 && scenario === 'silent' ? 0 : Math.round(usual * weekly * rng.float(0.88, 1.12));
    days.push(dayFigures(queued, k === 0 ? scenarioRates[scenario] : normalRates, rng));
  }
  const today = days[13]!;
  const week = days.slice(6, 13);
  const mean = (f: (x: DayFigures) => number) => Math.round((week.reduce((s, x) => s + f(x), 0) / 7) * 10) / 10;
  const bQueued = mean((x) => x.queued);
  const bProcessed = mean((x) => x.processed);
  const baseline = {
    queued: bQueued,
    processed: bProcessed,
    hard_bounces: mean((x) => x.hard_bounces),
    soft_bounces: mean((x) => x.soft_bounces),
    suppressed: mean((x) => x.suppressed),
    complaints: mean((x) => x.complaints),
    opens: mean((x) => x.opens),
    clicks: mean((x) => x.clicks),
    bounce_rate: mean((x) => x.hard_bounces + x.soft_bounces) / bQueued,
    complaint_rate: mean((x) => x.complaints) / bProcessed,
  };

  const bounces = today.hard_bounces + today.soft_bounces;
  const codeWeights: readonly (readonly [number, number])[] =
    scenario === 'blocklisted'
      ? [
          [1002, 62],
          [2001, 14],
          [3003, 9],
          [2004, 6],
          [3001, 5],
          [4003, 4],
        ]
      : scenario === 'soft-bounces'
        ? [
            [3001, 48],
            [4003, 22],
            [3003, 14],
            [2001, 10],
            [2004, 6],
          ]
        : [
            [2001, 41],
            [3001, 21],
            [2004, 15],
            [4003, 9],
            [1999, 8],
            [3002, 6],
          ];
  const top_failure_codes = split(bounces, codeWeights)
    .slice(0, 5)
    .map(([code, count]) => {
      const info = describeFailureCode(code);
      return { code, category: info?.category ?? null, meaning: info?.meaning ?? null, count };
    });
  const domainWeights = recipientDomains.map((d) => {
    const heavy = scenario === 'blocklisted' && (d === 'outlook.com' || d === 'hotmail.com');
    return [d, heavy ? 30 : rng.float(1, 6)] as const;
  });
  const hardShare = bounces === 0 ? 0 : today.hard_bounces / bounces;
  const top_bouncing_domains = split(bounces, domainWeights)
    .slice(0, 5)
    .map(([domain, total]) => {
      const hard = Math.round(total * hardShare);
      return { domain, hard, soft: total - hard, total };
    });
  const complaint_types = split(today.complaints, [
    ['abuse', 86],
    ['fraud', 6],
    ['other', 8],
  ]).map(([type, count]) => ({ type, count }));
  const series = days.map((x, k) => ({
    date: isoDate(day0 - (13 - k) * DAY_MS),
    queued: x.queued,
    processed: x.processed,
    bounces: x.hard_bounces + x.soft_bounces,
    complaints: x.complaints,
  }));
  const server: DigestServer = {
    server_id: id,
    source: i % 3 === 2 ? 'socketlabs-v1' : 'socketlabs-v2',
    ...today,
    baseline,
    top_failure_codes,
    top_bouncing_domains,
    complaint_types,
    series,
  };

  return server;
}

const goodRules = [
  { rule: 'RCVD_IN_RP_CERTIFIED', score: -3, description: 'Sender is in Return Path Certified (trusted relay)' },
  { rule: 'DKIM_VALID_AU', score: -0.1, description: "Message has a valid DKIM or DK signature from author's domain" },
  { rule: 'HTML_MESSAGE', score: 0.001, description: 'HTML included in message' },
];
const badRules = [
  { rule: 'CLICK_BELOW', score: 2.1, description: 'Asks you to "click below"' },
  { rule: 'URIBL_BLACK', score: 1.7, description: 'Contains an URL listed in the URIBL blacklist' },
  { rule: 'HTML_IMAGE_RATIO_02', score: 0.805, description: 'HTML has a low ratio of text to image area' },
  { rule: 'MIME_HTML_ONLY', score: 0.723, description: 'Message only has text/html MIME parts' },
  { rule: 'SPF_SOFTFAIL', score: 0.665, description: 'SPF: sender does not match SPF record (softfail)' },
];

function campaignScenario(i: number): CampaignScenario {
  if (i < 3) return (['bulked', 'fine', 'running'] as const)[i]!;
  return i % 11 === 4 ? 'missing' : 'fine';
}

const pct1 = (n: number, total: number) => (total === 0 ? 0 : Math.round((n / total) * 1000) / 10);

function sampleCampaign(i: number, windowStart: number, rng: Rng): DigestCampaign {
  const id = 3829 + i * 3;
  const scenario = campaignScenario(i);
  const sentAt = windowStart + rng.int(6 * 60, 20 * 60) * 60_000;
  const isps = defaultSendSageIsps.map((isp) => {
    const strict = scenario === 'bulked' && ['Gmail', 'Outlook', 'Hotmail'].includes(isp.name);
    const total = isp.seeds;
    const pBulk = strict ? 0.8 : scenario === 'bulked' ? 0.25 : (isp.strictness ?? 0.05) * rng.float(0.1, 0.8);
    const pMissing = scenario === 'missing' ? 0.25 : scenario === 'running' ? 0.12 : 0.01;
    let inbox = 0;
    let bulk = 0;
    let missing = 0;
    for (let s = 0; s < total; s++) {
      const r = rng.next();
      if (r < pMissing) missing++;
      else if (r < pMissing + pBulk) bulk++;
      else inbox++;
    }
    return { name: isp.name, total, inbox, bulk, missing };
  });
  const sum = (f: (x: (typeof isps)[number]) => number) => isps.reduce((s, x) => s + f(x), 0);
  const seeds = sum((x) => x.total);
  const running = scenario === 'running';
  const rules = scenario === 'bulked' ? [...badRules.slice(0, 4), goodRules[1]!, goodRules[2]!] : goodRules;
  const score = Math.round(rules.reduce((s, r) => s + r.score, 0) * 10) / 10;
  const bulkSeeds = sum((x) => x.bulk);
  const dmarcFail = scenario === 'bulked' ? Math.round(bulkSeeds * 0.2) : 0;
  const campaign: DigestCampaign = {
    campaign_id: id,
    subject: campaignSubjects[i % campaignSubjects.length]!,
    from_address: senders[i % senders.length]!,
    sent_at: iso(sentAt),
    status: running ? 'pending' : 'done',
    pct_inbox: pct1(
      sum((x) => x.inbox),
      seeds,
    ),
    pct_bulk: pct1(bulkSeeds, seeds),
    pct_missing: pct1(
      sum((x) => x.missing),
      seeds,
    ),
    spam_score: running ? null : score,
    spam_required: 5,
    isps: isps.map((x) => ({
      isp_name: x.name,
      count_total: x.total,
      pct_inbox: pct1(x.inbox, x.total),
      pct_bulk: pct1(x.bulk, x.total),
      pct_missing: pct1(x.missing, x.total),
    })),
    top_rules: running ? [] : [...rules].sort((a, b) => b.score - a.score),
    authentication: {
      spf: bulkSeeds === 0 ? {} : { pass: bulkSeeds },
      dkim: bulkSeeds === 0 ? {} : { pass: bulkSeeds },
      dmarc: bulkSeeds === 0 ? {} : { pass: bulkSeeds - dmarcFail, ...(dmarcFail > 0 ? { fail: dmarcFail } : {}) },
    },
  };

  return campaign;
}

const listed = (all: Digest['hard_bounced_addresses']) => ({
  hard_bounced_total: all.length,
  hard_bounced_addresses: all,
});

function sampleHardBounces(servers: readonly DigestServer[], rng: Rng): Digest['hard_bounced_addresses'] {
  const out: Digest['hard_bounced_addresses'] = [];
  for (const s of servers) {
    const n = Math.min(s.hard_bounces, 12);
    for (let k = 0; k < n; k++) {
      const address = `${rng.pick(firstNames)}.${rng.hex(4).toLowerCase()}@${rng.pick(recipientDomains)}`;
      const blocked = s.top_failure_codes[0]?.code === 1002 && k % 2 === 0;
      out.push({
        server_id: s.server_id,
        address,
        code: blocked ? 1002 : 2001,
        reason: blocked
          ? "550 5.7.1 Unfortunately, messages from [203.0.113.7] weren't sent. Please contact your Internet " +
            'service provider since part of their network is on our block list (S3150).'
          : `550 5.1.1 <${address}>: Recipient address rejected: User unknown in virtual mailbox table`,
      });
    }
  }
  return out;
}

/** Builds a realistic, schema-valid digest (deterministic for the same options). */
export function sampleDigest(options: SampleDigestOptions = {}): Digest {
  const date = options.date ?? '2026-11-22';
  const timezone = options.timezone ?? 'Europe/Berlin';
  const rng = createRng('inboxlake-sample-digest', options.seed ?? 1, date);
  const { start, end } = zonedDay(date, timezone);
  const servers: DigestServer[] = [];
  const campaigns: DigestCampaign[] = [];
  if (!options.empty) {
    for (let i = 0; i < (options.servers ?? 4); i++) servers.push(sampleServer(i, date, rng));
    for (let i = 0; i < (options.campaigns ?? 3); i++) campaigns.push(sampleCampaign(i, start, rng));
  }
  return digestSchema.parse({
    date,
    timezone,
    window: { start: iso(start), end: iso(end) },
    generated_at: iso(end + 5 * 3_600_000),
    socketlabs: { servers },
    sendsage: { campaigns },
    alerts: findAlerts(servers, campaigns, defaultThresholds),
    ...listed(sampleHardBounces(servers, rng)),
    definitions: { ...definitions },
  });
}
