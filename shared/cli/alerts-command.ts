import { resolve } from 'node:path';
import * as z from 'zod';
import { type Alert, baselineWord, isShareMetric, scopeLabel } from '../alerts/model';
import { loadAlertChannelsConfig, loadAlertThresholds } from '../app/alert-config';
import { snsPublisher } from '../app/alert-delivery';
import { announceAlerts } from '../app/alert-outbox';
import { type AlertsResult, produceAlerts } from '../app/alerts';
import { ConfigError } from '../core/errors';
import { createRedactor } from '../core/redact';
import type { ObjectStore } from '../lake/object-store';
import { createLogger } from '../log';

export const alertsArgs = z.object({
  at: z.iso.datetime({ offset: true, error: '--at must be an ISO instant, e.g. 2026-11-20T14:00:00Z' }).optional(),
  out: z.string().optional(),
  /** Post the announcements (opened, reminders, resolved) to INBOXLAKE_ALERT_WEBHOOK_URL (and the topic, if set). */
  send: z.boolean().default(false),
});

export type AlertsArgs = z.infer<typeof alertsArgs>;

/**
 * `inboxlake alerts`: evaluates the intraday alerts now (or --at), moves their lifecycle forward, prints the open
 * ones and those resolved since the last evaluation, writes alerts.json; with --send, posts what it announces to
 * the webhook (and publishes it to INBOXLAKE_ALERT_TOPIC_ARN when set), with what earlier sends left in the lake's
 * outbox. Without --send nothing leaves the machine.
 */
export async function runAlerts(
  args: AlertsArgs,
  store: ObjectStore,
  env: Record<string, string | undefined>,
  now: () => number = Date.now,
) {
  // Read before the evaluation moves the lifecycle on: a --send that cannot send must not swallow the announcements.
  const channels = args.send ? loadAlertChannelsConfig(env) : undefined;
  if (channels && !channels.webhook) {
    throw new ConfigError('--send needs INBOXLAKE_ALERT_WEBHOOK_URL (a Slack, Teams or Google Chat incoming webhook)');
  }
  const thresholds = loadAlertThresholds(env);
  const at = args.at ? Date.parse(args.at) : now();
  const log = createLogger({ redact: createRedactor([]), json: false });
  const result = await produceAlerts(store, { at, outDir: resolve(args.out ?? 'outbox/alerts'), thresholds }, { log });
  printAlerts(result);
  if (channels?.webhook) {
    const sent = await announceAlerts(
      store,
      result,
      { webhook: channels.webhook, topicArn: channels.topicArn },
      { publish: snsPublisher({ region: channels.region, endpoint: channels.snsEndpoint }), log, now },
    );
    process.stdout.write(
      `sent ${sent.announced} announcement${sent.announced === 1 ? '' : 's'}: ${sent.posted} to the ` +
        `${channels.webhook.kind} webhook${channels.topicArn ? `, ${sent.published} to the SNS topic` : ''}` +
        `${sent.earlier ? `; ${sent.earlier} of those left by earlier evaluations` : ''}\n`,
    );
  }
  return 0;
}

/**
 * An evaluation as `inboxlake alerts` prints it: how many are open and over which windows, one line each, those
 * resolved since the last evaluation, and the files written. `npm start` ends with the same lines.
 */
export function printAlerts(result: AlertsResult, out = (line: string) => process.stdout.write(`${line}\n`)): void {
  const { report } = result;
  const windows = report.windows_minutes.map((m) => `${m} min`).join(' and ');
  const open = report.alerts.filter((a) => a.state !== 'resolved');
  const resolved = report.alerts.filter((a) => a.state === 'resolved');
  out(
    `${open.length} open alert${open.length === 1 ? '' : 's'} at ${report.closed_until} ` +
      `(last ${windows} against the same hours of the previous ${report.baseline_days} days)` +
      (report.lifecycle === 'look_back' ? '; a look back: before the last evaluation, nothing announced' : ''),
  );
  for (const a of open) out(alertLine(a));
  if (resolved.length) out(`${resolved.length} resolved since the last evaluation`);
  for (const a of resolved) out(alertLine(a));
  for (const f of result.files) out(`  ${f}`);
}

const stateWords: Record<Alert['state'], string> = {
  open: 'new',
  reminder: 'reminder',
  ongoing: 'already announced',
  resolved: 'resolved',
};

/**
 * One alert on one line: severity, metric, where, how far from normal (last seen, when resolved), since when, where
 * it stands; the advice indented below.
 */
export function alertLine(a: Alert): string {
  const where = scopeLabel(a.scope);
  const fmt = (x: number) => (isShareMetric(a.metric) ? `${(x * 100).toFixed(2)} %` : String(Math.round(x * 10) / 10));
  return (
    `${a.severity.toUpperCase().padEnd(8)} ${a.metric.padEnd(14)} ${where}: ${fmt(a.value)} vs ${fmt(a.baseline)} ` +
    `${baselineWord(a.metric)} over ${a.window_minutes} min, since ${a.since} (${stateWords[a.state]})\n         ${a.advice}`
  );
}
