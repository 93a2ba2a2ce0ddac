import * as z from 'zod';

/**
 * `alerts.json`: the intraday alerts open at an instant. A stable, documented schema (version 1): fields are only
 * ever added, never renamed or retyped, so a chat bot or a dashboard can read it. Added since the first version: the
 * metric inbox_placement, the scope kind 'campaign' and the scope field campaign_id.
 */

export const alertMetrics = ['bounce_rate', 'complaint_rate', 'block_failures', 'volume', 'inbox_placement'] as const;
export type AlertMetric = (typeof alertMetrics)[number];

export const alertStates = ['open', 'reminder', 'ongoing', 'resolved'] as const;
export type AlertState = (typeof alertStates)[number];

/** What every scope carries, so a reader finds the same keys whatever the kind (null where they do not apply). */
const trafficScope = {
  server_id: z.number().int(),
  /** Recipient domain (block alerts), else null. */
  domain: z.string().nullable(),
  /** The dominant failure code in the window (block alerts), else null. */
  code: z.number().int().nullable(),
  /** Added with kind 'campaign': null for traffic scopes (and absent from documents written before it). */
  campaign_id: z.null().default(null),
};

/**
 * Where an alert is. 'server': a server's whole traffic; 'domain': its traffic to one recipient domain; 'campaign'
 * (added with inbox_placement): one SendSage placement test, which belongs to no server, so server_id, domain and
 * code are null there. The server and domain scopes are unchanged from the first version of the schema.
 */
export const alertScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('server'), ...trafficScope }),
  z.object({ kind: z.literal('domain'), ...trafficScope }),
  z.object({
    kind: z.literal('campaign'),
    server_id: z.null(),
    domain: z.null(),
    code: z.null(),
    /** SendSage campaign id of the test. */
    campaign_id: z.number().int(),
  }),
]);
export type AlertScope = z.infer<typeof alertScopeSchema>;

export const alertSchema = z.object({
  /** Stable per (metric, scope): the same incident keeps its id from one evaluation to the next. */
  id: z.string(),
  severity: z.enum(['warning', 'critical']),
  scope: alertScopeSchema,
  /**
   * bounce_rate: (hard + soft bounces) / queued; complaint_rate: complaints / delivered; block_failures: failures
   * with a block-type code at the domain; volume: messages queued (a server gone silent); inbox_placement: the share
   * of a finished SendSage test's seeds that reached the inbox (see shared/alerts/placement.ts).
   */
  metric: z.enum(alertMetrics),
  /** The metric over the window (a rate in 0..1 or a count; inbox_placement: a share in 0..1, not a percent). */
  value: z.number(),
  /**
   * What the baseline predicts for the same window (same unit as value). inbox_placement has no baseline model: it
   * is the placement threshold the test fell below (the critical one when below it, else the warning one).
   */
  baseline: z.number(),
  /**
   * Events counted (bounces, complaints, block failures, queued; inbox_placement: seeds in the inbox) and the volume
   * they are a share of (null: counts; inbox_placement: the seeds of the test, null when SendSage gave no counts).
   */
  count: z.number().int(),
  volume: z.number().int().nullable(),
  /**
   * Tail probability of a value this far from the baseline by chance (inbox_placement: of so few seeds in the inbox
   * were the true placement at the threshold; 1 when the seed counts are unknown).
   */
  p_value: z.number(),
  window_minutes: z.number().int(),
  /**
   * Since when the incident lasts (ISO UTC): the start of the first quarter-hour where the metric left its normal
   * range, as detected when the alert opened (kept from the alert state while it stays open); inbox_placement: when
   * the test was sent.
   */
  since: z.iso.datetime(),
  /** One line: what to do first. */
  advice: z.string(),
  /**
   * Where the alert stands in its lifecycle at this evaluation (see shared/alerts/lifecycle.ts): 'open' it opened
   * now (announced), 'reminder' still open and due a reminder (announced), 'ongoing' still open and already announced
   * (quiet), 'resolved' open at the previous evaluation and cleared now (announced; its figures are the last seen).
   */
  state: z.enum(alertStates),
});

export type Alert = z.infer<typeof alertSchema>;

export const alertsReportSchema = z.object({
  schema_version: z.literal(1),
  /** The instant evaluated (ISO UTC). */
  evaluated_at: z.iso.datetime(),
  /** End of the last closed quarter-hour at that instant: every window ends here. */
  closed_until: z.iso.datetime(),
  windows_minutes: z.array(z.number().int()),
  baseline_days: z.number().int(),
  /**
   * 'advanced': the evaluation moved the alert state in the lake forward and `alerts` carry their lifecycle states.
   * 'look_back': the instant is before the last evaluation the state records (a `--at` in the past): the alerts are
   * reported as detected (state 'open'), nothing is announced and the state is left as it is.
   */
  lifecycle: z.enum(['advanced', 'look_back']),
  /** Open, reminded, ongoing and resolved alerts (see `state`). */
  alerts: z.array(alertSchema),
  /** Rollup documents that could not be read and were left out. */
  unreadable_files: z.array(z.object({ key: z.string(), error: z.string() })),
});

export type AlertsReport = z.infer<typeof alertsReportSchema>;

/** Whether a metric's value and baseline are shares in 0..1 (shown as percents) rather than counts. */
export const isShareMetric = (m: AlertMetric) =>
  m === 'bounce_rate' || m === 'complaint_rate' || m === 'inbox_placement';

/** What the baseline is, in a word: the usual figure, or the threshold a placement test fell below. */
export const baselineWord = (m: AlertMetric) => (m === 'inbox_placement' ? 'threshold' : 'usual');

/** Whether a smaller value is further from normal (a silent server, a test outside the inbox). */
export const lowerIsWorse = (m: AlertMetric) => m === 'volume' || m === 'inbox_placement';

/** Where an alert is, in words: `server 42 yahoo.com code 1002`, `SendSage test 1234`. */
export function scopeLabel(scope: AlertScope, separator = ' '): string {
  if (scope.kind === 'campaign') return `SendSage test ${scope.campaign_id}`;
  return [`server ${scope.server_id}`, scope.domain, scope.code === null ? null : `code ${scope.code}`]
    .filter(Boolean)
    .join(separator);
}

/** The report as written to alerts.json. */
export const alertsJson = (report: AlertsReport) => `${JSON.stringify(alertsReportSchema.parse(report), null, 2)}\n`;
