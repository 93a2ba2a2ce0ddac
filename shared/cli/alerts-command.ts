import { resolve } from 'node:path';
import * as z from 'zod';
import type { Alert } from '../alerts/model';
import { type AlertsResult, produceAlerts } from '../app/alerts';
import { createRedactor } from '../core/redact';
import type { ObjectStore } from '../lake/object-store';
import { createLogger } from '../log';

export const alertsArgs = z.object({
  at: z.iso.datetime({ offset: true, error: '--at must be an ISO instant, e.g. 2026-11-20T14:00:00Z' }).optional(),
  out: z.string().optional(),
});

export type AlertsArgs = z.infer<typeof alertsArgs>;

/**
 * `inboxlake alerts`: evaluates the intraday alerts now (or --at), moves their lifecycle forward, prints the open
 * ones and those resolved since the last evaluation, writes alerts.json.
 */
export async function runAlerts(args: AlertsArgs, store: ObjectStore, now: () => number = Date.now) {
  const at = args.at ? Date.parse(args.at) : now();
  const result = await produceAlerts(
    store,
    { at, outDir: resolve(args.out ?? 'outbox/alerts') },
    { log: createLogger({ redact: createRedactor([]), json: false }) },
  );
  printAlerts(result);
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
  const where = [`server ${a.scope.server_id}`, a.scope.domain, a.scope.code === null ? null : `code ${a.scope.code}`]
    .filter(Boolean)
    .join(' ');
  const fmt = (x: number) =>
    a.metric.endsWith('_rate') ? `${(x * 100).toFixed(2)} %` : String(Math.round(x * 10) / 10);
  return (
    `${a.severity.toUpperCase().padEnd(8)} ${a.metric.padEnd(14)} ${where}: ${fmt(a.value)} vs ${fmt(a.baseline)} ` +
    `usual over ${a.window_minutes} min, since ${a.since} (${stateWords[a.state]})\n         ${a.advice}`
  );
}
