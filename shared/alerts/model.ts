import * as z from 'zod';

/**
 * `alerts.json`: the intraday alerts open at an instant. A stable, documented schema (version 1): fields are only
 * ever added, never renamed or retyped, so a chat bot or a dashboard can read it.
 */

export const alertMetrics = ['bounce_rate', 'complaint_rate', 'block_failures', 'volume'] as const;
export type AlertMetric = (typeof alertMetrics)[number];

export const alertStates = ['open', 'reminder', 'ongoing', 'resolved'] as const;
export type AlertState = (typeof alertStates)[number];

export const alertSchema = z.object({
  /** Stable per (metric, scope): the same incident keeps its id from one evaluation to the next. */
  id: z.string(),
  severity: z.enum(['warning', 'critical']),
  scope: z.object({
    /** 'server': a server's whole traffic; 'domain': its traffic to one recipient domain. */
    kind: z.enum(['server', 'domain']),
    server_id: z.number().int(),
    /** Recipient domain (block alerts), else null. */
    domain: z.string().nullable(),
    /** The dominant failure code in the window (block alerts), else null. */
    code: z.number().int().nullable(),
  }),
  /**
   * bounce_rate: (hard + soft bounces) / queued; complaint_rate: complaints / delivered; block_failures: failures
   * with a block-type code at the domain; volume: messages queued (a server gone silent).
   */
  metric: z.enum(alertMetrics),
  /** The metric over the window (a rate in 0..1 or a count). */
  value: z.number(),
  /** What the baseline predicts for the same window (same unit as value). */
  baseline: z.number(),
  /** Events counted (bounces, complaints, block failures, queued) and the volume they are a share of (null: counts). */
  count: z.number().int(),
  volume: z.number().int().nullable(),
  /** Tail probability of a value this far from the baseline by chance. */
  p_value: z.number(),
  window_minutes: z.number().int(),
  /**
   * Since when the incident lasts (ISO UTC): the start of the first quarter-hour where the metric left its normal
   * range, as detected when the alert opened (kept from the alert state while it stays open).
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

/** The report as written to alerts.json. */
export const alertsJson = (report: AlertsReport) => `${JSON.stringify(alertsReportSchema.parse(report), null, 2)}\n`;
