import * as z from 'zod';

/**
 * `digest.json`: the stable, documented form of a day's digest. The HTML, text and e-mail renderings are made from
 * it, and tests compare it with SQL over the raw lake. Types are inferred from this schema, never written twice.
 */
const rate = z.number().nullable().describe('A fraction (0.0123 = 1.23 %); null when the denominator is 0.');

export const serverMetricsSchema = z.object({
  queued: z.number().int(),
  processed: z.number().int().describe('Delivered: accepted by the receiving server.'),
  hard_bounces: z.number().int(),
  soft_bounces: z.number().int(),
  suppressed: z.number().int(),
  complaints: z.number().int(),
  opens: z.number().int(),
  clicks: z.number().int(),
  bounce_rate: rate.describe('(hard + soft) / queued'),
  complaint_rate: rate.describe('complaints / processed'),
});
export type ServerMetrics = z.infer<typeof serverMetricsSchema>;

/** The same metrics as averages per day (fractions, so not integers). */
export const baselineSchema = z.object({
  queued: z.number(),
  processed: z.number(),
  hard_bounces: z.number(),
  soft_bounces: z.number(),
  suppressed: z.number(),
  complaints: z.number(),
  opens: z.number(),
  clicks: z.number(),
  bounce_rate: rate,
  complaint_rate: rate,
});

export const digestServerSchema = serverMetricsSchema.extend({
  server_id: z.number().int(),
  /** Which source's tables the figures come from (`socketlabs-v1`, `socketlabs-v2`; the first in registry order). */
  source: z.string(),
  /** Average of the 7 days before, per day; null where there is no history yet. */
  baseline: baselineSchema.nullable(),
  top_failure_codes: z.array(
    z.object({
      code: z.number().int().nullable(),
      category: z.string().nullable(),
      meaning: z.string().nullable(),
      count: z.number().int(),
    }),
  ),
  top_bouncing_domains: z.array(
    z.object({
      domain: z.string().nullable(),
      hard: z.number().int(),
      soft: z.number().int(),
      total: z.number().int(),
    }),
  ),
  complaint_types: z.array(z.object({ type: z.string().nullable(), count: z.number().int() })),
  /** The last 14 days, oldest first, ending with the digest's day. */
  series: z.array(
    z.object({
      date: z.iso.date(),
      queued: z.number().int(),
      processed: z.number().int(),
      bounces: z.number().int(),
      complaints: z.number().int(),
    }),
  ),
});
export type DigestServer = z.infer<typeof digestServerSchema>;

export const digestCampaignSchema = z.object({
  campaign_id: z.number().int(),
  subject: z.string().nullable(),
  from_address: z.string().nullable(),
  sent_at: z.iso.datetime(),
  status: z.string().nullable(),
  pct_inbox: z.number().nullable(),
  pct_bulk: z.number().nullable(),
  pct_missing: z.number().nullable(),
  spam_score: z.number().nullable(),
  spam_required: z.number().nullable(),
  isps: z.array(
    z.object({
      isp_name: z.string().nullable(),
      count_total: z.number().int().nullable(),
      pct_inbox: z.number().nullable(),
      pct_bulk: z.number().nullable(),
      pct_missing: z.number().nullable(),
    }),
  ),
  top_rules: z.array(
    z.object({ rule: z.string().nullable(), score: z.number().nullable(), description: z.string().nullable() }),
  ),
  /** Counts of SPF/DKIM/DMARC results among the seed messages collected whole. */
  authentication: z.object({
    spf: z.record(z.string(), z.number().int()),
    dkim: z.record(z.string(), z.number().int()),
    dmarc: z.record(z.string(), z.number().int()),
  }),
});
export type DigestCampaign = z.infer<typeof digestCampaignSchema>;

/** What a finding is about: a server, a placement test (at one provider or overall), or every source at once. */
export const alertScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('server'), server_id: z.number().int() }),
  z.object({ kind: z.literal('campaign'), campaign_id: z.number().int(), provider: z.string().nullable() }),
  z.object({ kind: z.literal('all-sources') }),
  /** A label this version does not know (a digest.json written by hand or by a later version), kept as written. */
  z.object({ kind: z.literal('other'), label: z.string() }),
]);
export type AlertScope = z.infer<typeof alertScopeSchema>;

/** The scope as digest.json and the e-mail write it: `server 1234`, `campaign 3829`, `campaign 3829 / Gmail`. */
export function scopeLabel(scope: AlertScope): string {
  switch (scope.kind) {
    case 'server':
      return `server ${scope.server_id}`;
    case 'campaign':
      return scope.provider === null
        ? `campaign ${scope.campaign_id}`
        : `campaign ${scope.campaign_id} / ${scope.provider}`;
    case 'all-sources':
      return 'all sources';
    case 'other':
      return scope.label;
  }
}

/** A label read back from digest.json as the scope it names; only here, where JSON comes in, is the text parsed. */
export function parseScopeLabel(label: string): AlertScope {
  const m = /^\s*(server|campaign)\s+(\d+)\s*(?:\/\s*(.*))?$/i.exec(label);
  if (!m) return label === 'all sources' ? { kind: 'all-sources' } : { kind: 'other', label };
  const id = Number(m[2]);
  return m[1]!.toLowerCase() === 'server'
    ? { kind: 'server', server_id: id }
    : { kind: 'campaign', campaign_id: id, provider: m[3]?.trim() || null };
}

export const alertSchema = z.object({
  severity: z.enum(['critical', 'warning', 'info']),
  /** In digest.json the label (`scopeLabel`); in memory the structure, so nothing parses it back. */
  scope: z.union([alertScopeSchema, z.string().transform(parseScopeLabel)]),
  metric: z.string(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  /** One line: what it usually means and what to check. */
  advice: z.string(),
});
export type Alert = z.infer<typeof alertSchema>;

/**
 * A lake file the digest found but could not decode (truncated, corrupt, not the shape the lake writes): left out of
 * the figures and named, so one damaged file costs its own counts, not the whole digest.
 */
export const unreadableFileSchema = z.object({ key: z.string(), error: z.string() });
export type UnreadableFile = z.infer<typeof unreadableFileSchema>;

/**
 * An intraday alert (`inboxlake alerts`, evaluated hourly) that opened or resolved during the digest's day, from the
 * alert history in the lake: one entry per incident (alert id and opening).
 */
export const intradayAlertSchema = z.object({
  id: z.string(),
  /** The alerts.json metric name: bounce_rate, complaint_rate, block_failures, volume, inbox_placement. */
  metric: z.string(),
  /** The worst severity it was announced with during the day. */
  severity: z.enum(['warning', 'critical']),
  /** Where, in words: `server 42 yahoo.com code 1002`, `SendSage test 1234`. */
  where: z.string(),
  /** 'share': value and baseline are fractions (0.034 = 3.4 %); 'count': numbers of messages or failures. */
  unit: z.enum(['share', 'count']),
  /** The figure furthest from normal while it was open (as of its last announcement that day), and the usual then. */
  peak_value: z.number(),
  peak_baseline: z.number(),
  /** When it was announced as opened, and as resolved (null: still open at its last announcement that day). */
  opened_at: z.iso.datetime(),
  resolved_at: z.iso.datetime().nullable(),
});
export type IntradayAlert = z.infer<typeof intradayAlertSchema>;

export const digestSchema = z.object({
  date: z.iso.date(),
  timezone: z.string(),
  /** The UTC instants the calendar day covers in that zone: [start, end). */
  window: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }),
  generated_at: z.iso.datetime(),
  socketlabs: z.object({ servers: z.array(digestServerSchema) }),
  sendsage: z.object({ campaigns: z.array(digestCampaignSchema) }),
  alerts: z.array(alertSchema),
  /** The intraday alerts opened or resolved during the day, in order of opening (empty: none; see intradayAlertSchema). */
  intraday: z.array(intradayAlertSchema).default([]),
  /** How many distinct addresses (per server) hard-bounced that day. */
  hard_bounced_total: z.number().int().nonnegative(),
  /**
   * The day's hard-bounced addresses (for suppression), attached to the e-mail as CSV: all of them, or the first
   * `MAX_LISTED_HARD_BOUNCES` by server and address when more bounced (an e-mail cannot carry more).
   */
  hard_bounced_addresses: z.array(
    z.object({
      server_id: z.number().int(),
      address: z.string(),
      code: z.number().int().nullable(),
      reason: z.string().nullable(),
    }),
  ),
  /**
   * Lake files the digest found but could not read (truncated or corrupt), with the reason; their figures are left
   * out. Empty for a complete digest; otherwise the HTML and text say the digest is incomplete and name them.
   */
  unreadable_files: z.array(unreadableFileSchema).default([]),
  definitions: z.record(z.string(), z.string()),
});
export type Digest = z.infer<typeof digestSchema>;
/** One listed hard-bounced address. */
export type DigestHardBounce = Digest['hard_bounced_addresses'][number];

/** `digest.json`: the digest as JSON, each alert's scope written as its label. */
export function digestJson(d: Digest): string {
  const alerts = d.alerts.map((a) => ({ ...a, scope: scopeLabel(a.scope) }));
  return `${JSON.stringify({ ...d, alerts }, null, 2)}\n`;
}

/**
 * At most this many hard-bounced addresses go into the digest and its CSV: about 2.5 MB of CSV, which keeps the
 * e-mail well under SES's 10 MB message limit; the lake keeps every one of them.
 */
export const MAX_LISTED_HARD_BOUNCES = 20_000;

/** The metric definitions, in the JSON, the README and the e-mail footer alike. */
export const definitions: Record<string, string> = {
  bounce_rate: '(hard + soft bounces) / queued; null when nothing was queued',
  complaint_rate: 'complaints / processed (delivered); null when nothing was delivered',
  baseline: 'average per day over the 7 days before the digest day',
  day: 'a calendar day in the digest time zone, from 00:00 to 24:00 local time',
  intraday:
    'alerts the hourly evaluation opened or resolved during the day; peak is the figure furthest from normal while ' +
    'open, against what was usual then (a placement alert: against the threshold it fell below)',
};
