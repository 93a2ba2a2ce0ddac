import * as z from 'zod';

/**
 * `alerts.json`: the intraday alerts open at an instant. A stable, documented schema (version 1): fields are only
 * ever added, never renamed or retyped, so a chat bot or a dashboard can read it.
 */

export const alertMetrics = ['bounce_rate', 'complaint_rate', 'block_failures', 'volume'] as const;
export type AlertMetric = (typeof alertMetrics)[number];

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
  /** Start of the first quarter-hour (ISO UTC) of the evaluated windows where the metric left its normal range. */
  since: z.iso.datetime(),
  /** One line: what to do first. */
  advice: z.string(),
  /** Always 'open' for now: the lifecycle (reminders, resolved) is not evaluated yet. */
  state: z.literal('open'),
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
  alerts: z.array(alertSchema),
  /** Rollup documents that could not be read and were left out. */
  unreadable_files: z.array(z.object({ key: z.string(), error: z.string() })),
});

export type AlertsReport = z.infer<typeof alertsReportSchema>;

/** The report as written to alerts.json. */
export const alertsJson = (report: AlertsReport) => `${JSON.stringify(alertsReportSchema.parse(report), null, 2)}\n`;
