import * as z from 'zod';
import { type Alert, type AlertMetric, alertSchema, baselineWord, isShareMetric, scopeLabel } from '../model';

/**
 * What every channel says about one announced alert, before any tool's format: the words are made once here, so
 * Slack, Teams, Google Chat and the SNS text cannot drift apart.
 */

/** Why an alert is announced at this evaluation (an 'ongoing' alert is not announced). */
export const noticeKinds = ['opened', 'reminder', 'resolved'] as const;
export type NoticeKind = (typeof noticeKinds)[number];

/** One announcement as it is kept until delivered (the alerts' outbox stores it as JSON). */
export const alertNoticeSchema = z.object({
  kind: z.enum(noticeKinds),
  alert: alertSchema,
  /** End of the last closed quarter-hour the evaluation saw (ISO UTC): "as of". */
  asOf: z.iso.datetime(),
});

export type AlertNotice = Readonly<z.infer<typeof alertNoticeSchema>>;

/** The announced alerts of an evaluation, in the order a reader wants them: new, still open, then cleared. */
export function noticesOf(
  announcements: {
    readonly opened: readonly Alert[];
    readonly reminders: readonly Alert[];
    readonly resolved: readonly Alert[];
  },
  asOf: string,
): AlertNotice[] {
  return [
    ...announcements.opened.map((alert) => ({ kind: 'opened' as const, alert, asOf })),
    ...announcements.reminders.map((alert) => ({ kind: 'reminder' as const, alert, asOf })),
    ...announcements.resolved.map((alert) => ({ kind: 'resolved' as const, alert, asOf })),
  ];
}

/**
 * The named query (shared/lake/named-queries/*.sql; an Athena named query in the stack) to run first for a metric.
 * Every metric names one: a metric added to the schema does not compile until it does.
 */
const queryOfMetric: Record<AlertMetric, string> = {
  block_failures: 'top-bouncing-domains',
  bounce_rate: 'top-bouncing-domains',
  complaint_rate: 'daily-rates',
  volume: 'daily-rates',
  inbox_placement: 'inbox-placement-by-isp',
};

/** The named query an alert's reader should run first. */
export const namedQueryFor = (metric: AlertMetric): string => queryOfMetric[metric];

/** Every named query the channels may point at (a test checks each exists). */
export const channelQueries = (): string[] => [...new Set(Object.values(queryOfMetric))];

const metricLabels: Record<AlertMetric, string> = {
  bounce_rate: 'Bounce-rate spike',
  complaint_rate: 'Complaint-rate spike',
  block_failures: 'Blocked by a provider',
  volume: 'Server gone silent',
  inbox_placement: 'Inbox placement below threshold',
};

const kindLabels: Record<NoticeKind, string> = {
  opened: 'new alert',
  reminder: 'still open (reminder)',
  resolved: 'resolved',
};

/** The channel-neutral content of a notice; every string is plain text (each format escapes for itself). */
export interface NoticeContent {
  /** e.g. "CRITICAL · Blocked by a provider · new alert". */
  readonly title: string;
  /** e.g. "server 42 · yahoo.com · code 1002". */
  readonly where: string;
  /** Value against the baseline, with the ratio and the counts. */
  readonly deviation: string;
  /** Since when, and (resolved) until when it was seen. */
  readonly since: string;
  readonly advice: string;
  /** The named query's name and the command that runs it locally. */
  readonly query: { readonly name: string; readonly command: string };
  readonly severity: Alert['severity'];
  readonly kind: NoticeKind;
  readonly metric: AlertMetric;
  readonly alertId: string;
}

/** A metric's value as people read it: rates and shares in percent, counts rounded. */
export function formatMetricValue(metric: AlertMetric, x: number): string {
  if (isShareMetric(metric)) return `${(x * 100).toFixed(x !== 0 && x < 0.001 ? 3 : 2)} %`;
  return String(Math.round(x * 10) / 10);
}

const thousands = (n: number) => n.toLocaleString('en-US');

/** The words of one notice. */
export function noticeContent(n: AlertNotice): NoticeContent {
  const a = n.alert;
  const metricLabel = metricLabels[a.metric];
  const where = scopeLabel(a.scope, ' · ');
  const fmt = (x: number) => formatMetricValue(a.metric, x);
  const usual = baselineWord(a.metric);
  const ratio = a.baseline > 0 ? ` (${(a.value / a.baseline).toFixed(1)}× ${usual})` : '';
  const counted = a.volume === null ? '' : `; ${thousands(a.count)} of ${thousands(a.volume)}`;
  const seen = n.kind === 'resolved' ? 'last seen ' : '';
  const deviation = `${seen}${fmt(a.value)} against ${fmt(a.baseline)} ${usual}${ratio} over the last ${a.window_minutes} min${counted}`;
  const since = n.kind === 'resolved' ? `${a.since} until ${n.asOf} (cleared)` : `${a.since} (as of ${n.asOf})`;
  const query = namedQueryFor(a.metric);
  return {
    title: `${a.severity.toUpperCase()} · ${metricLabel} · ${kindLabels[n.kind]}`,
    where,
    deviation,
    since,
    advice: a.advice,
    query: { name: query, command: `inboxlake query --named ${query}` },
    severity: a.severity,
    kind: n.kind,
    metric: a.metric,
    alertId: a.id,
  };
}
