import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluateAlerts } from '../alerts/evaluate';
import { type AlertStateDoc, advanceAlertState, alertStateSchema, emptyAlertState } from '../alerts/lifecycle';
import { type Alert, type AlertsReport, alertsJson } from '../alerts/model';
import { type AlertThresholds, defaultAlertThresholds } from '../alerts/thresholds';
import { CorruptStateError, InboxlakeError } from '../core/errors';
import { digestTables } from '../digest/roles';
import { recordAlertHistory } from '../lake/alert-history';
import { alertStateKey } from '../lake/layout';
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

/** What an evaluation has to say: the alerts that opened, are due a reminder or resolved, and those open but quiet. */
export interface AlertAnnouncements {
  readonly opened: readonly Alert[];
  readonly reminders: readonly Alert[];
  readonly resolved: readonly Alert[];
  readonly ongoing: readonly Alert[];
}

export interface AlertsResult {
  readonly report: AlertsReport;
  readonly announcements: AlertAnnouncements;
  readonly files: readonly string[];
}

/** Another evaluation replaced the alert state twice while this one tried to write it. */
export class AlertStateContentionError extends InboxlakeError {
  override name = 'AlertStateContentionError';
}

/**
 * Evaluates the intraday alerts at an instant from the lake's rollups (the tables and roles the digest reads), moves
 * their lifecycle forward in the lake's alert state and writes alerts.json. Rollup documents that cannot be read are
 * named in a warning each and left out.
 */
export async function produceAlerts(
  store: ObjectStore,
  request: AlertsRequest,
  deps: { log?: Logger; registry?: Registry } = {},
): Promise<AlertsResult> {
  const thresholds = request.thresholds ?? defaultAlertThresholds;
  const detection = await evaluateAlerts(store, {
    at: request.at,
    tables: digestTables(deps.registry ?? sources),
    thresholds,
  });
  const step = await advanceStoredState(store, detection.alerts, request.at, {
    reminderMs: thresholds.reminderHours * 3_600_000,
    complete: detection.unreadable_files.length === 0,
  });
  const report: AlertsReport = { ...detection, lifecycle: step.lifecycle, alerts: [...step.alerts] };
  const announcements = step.lifecycle === 'look_back' ? noAnnouncements(step.alerts) : announce(step.alerts);
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
  return { report, announcements, files };
}

/**
 * Reads the alert state with its tag, advances it and writes it back only if nobody replaced it meanwhile (created
 * with putIfAbsent, replaced with putIfMatch). On a lost race it re-reads and advances once more from what the winner
 * wrote, so an opening the winner announced comes back 'ongoing' here: two evaluations never announce it twice.
 * Only the winner records its transitions in the alert history, after its write; each evaluation first records the
 * ones the state says were announced last (a no-op unless the evaluation that announced them stopped before).
 */
async function advanceStoredState(
  store: ObjectStore,
  detected: readonly Alert[],
  at: number,
  opts: { readonly reminderMs: number; readonly complete: boolean },
) {
  const key = alertStateKey();
  for (let attempt = 1; attempt <= 2; attempt++) {
    const current = await store.getWithTag(key);
    const state = current ? parseState(current.body, `${store.location}/${key}`) : emptyAlertState;
    await recordAlertHistory(store, state.announced);
    const step = advanceAlertState(state, detected, at, opts);
    if (step.lifecycle === 'look_back') return step;
    const body = `${JSON.stringify(step.state)}\n`;
    const written = current
      ? (await store.putIfMatch(key, body, 'application/json', current.tag)) !== null
      : await store.putIfAbsent(key, body, 'application/json');
    if (written) {
      await recordAlertHistory(store, step.events);
      return step;
    }
  }
  throw new AlertStateContentionError(
    `alert state ${store.location}/${key} was replaced by other evaluations twice while this one wrote it; nothing ` +
      'was announced: evaluate again',
  );
}

function parseState(body: Buffer, where: string): AlertStateDoc {
  try {
    return alertStateSchema.parse(JSON.parse(body.toString('utf8')));
  } catch (err) {
    throw new CorruptStateError(`alert state ${where} cannot be read: ${err instanceof Error ? err.message : err}`, {
      cause: err,
    });
  }
}

function announce(alerts: readonly Alert[]): AlertAnnouncements {
  return {
    opened: alerts.filter((a) => a.state === 'open'),
    reminders: alerts.filter((a) => a.state === 'reminder'),
    resolved: alerts.filter((a) => a.state === 'resolved'),
    ongoing: alerts.filter((a) => a.state === 'ongoing'),
  };
}

/** A look back announces nothing: what it detects is reported, not news. */
const noAnnouncements = (alerts: readonly Alert[]): AlertAnnouncements => ({
  opened: [],
  reminders: [],
  resolved: [],
  ongoing: alerts,
});
