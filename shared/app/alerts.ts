import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluateAlerts } from '../alerts/evaluate';
import { type AlertsReport, alertsJson } from '../alerts/model';
import { type AlertThresholds, defaultAlertThresholds } from '../alerts/thresholds';
import { digestTables } from '../digest/roles';
import type { ObjectStore } from '../lake/object-store';
import { type Logger, silentLogger } from '../log';
import { type Registry, sources } from '../sources';

export interface AlertsRequest {
  /** The instant evaluated (epoch ms): its last closed quarter-hours are the windows. */
  readonly at: number;
  /** Folder for alerts.json; none: nothing is written locally. */
  readonly outDir?: string;
  readonly thresholds?: AlertThresholds;
}

export interface AlertsResult {
  readonly report: AlertsReport;
  readonly files: readonly string[];
}

/**
 * Evaluates the intraday alerts at an instant from the lake's rollups (the tables and roles the digest reads) and
 * writes alerts.json. Rollup documents that cannot be read are named in a warning each and left out.
 */
export async function produceAlerts(
  store: ObjectStore,
  request: AlertsRequest,
  deps: { log?: Logger; registry?: Registry } = {},
): Promise<AlertsResult> {
  const report = await evaluateAlerts(store, {
    at: request.at,
    tables: digestTables(deps.registry ?? sources),
    thresholds: request.thresholds ?? defaultAlertThresholds,
  });
  const log = deps.log ?? silentLogger;
  for (const f of report.unreadable_files) {
    log.warn(`alerts: left out unreadable lake file ${store.location}/${f.key}: ${f.error}`, { key: f.key });
  }
  const files: string[] = [];
  if (request.outDir) {
    await mkdir(request.outDir, { recursive: true });
    const path = join(request.outDir, 'alerts.json');
    await writeFile(path, alertsJson(report));
    files.push(path);
  }
  return { report, files };
}
