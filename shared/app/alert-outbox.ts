import { noticesOf } from '../alerts/channels/notice';
import { OUTBOX_GIVE_UP_MS, type QueuedNotice, queueNotices, readOutbox } from '../alerts/outbox';
import type { ObjectStore } from '../lake/object-store';
import { silentLogger } from '../log';
import {
  type AlertTargets,
  type DeliveryDeps,
  type DeliveryReport,
  deliverEach,
  reportDeliveries,
  targetsOf,
} from './alert-delivery';
import type { AlertsResult } from './alerts';

export interface AnnounceDeps extends DeliveryDeps {
  /** The wall clock the outbox dates its entries by and measures their age against. */
  readonly now?: () => number;
}

export interface AnnounceReport extends DeliveryReport {
  /** Notices this evaluation announced (opened, reminders, resolved). */
  readonly announced: number;
  /** Of those delivered, the ones earlier evaluations had left in the outbox. */
  readonly earlier: number;
  /** Entries older than the cap, logged as errors and removed without being delivered. */
  readonly givenUp: number;
}

/**
 * Sends what an evaluation announces (opened, reminders, resolved), at least once: both doors call this after
 * produceAlerts. Each notice × configured target is queued in the lake's outbox before anything is sent, then every
 * entry waiting there is delivered, this evaluation's and those earlier failures left; a delivered entry is removed,
 * a failed one stays for the next evaluation and the failures are thrown together as deliverAlerts throws them.
 * An entry older than OUTBOX_GIVE_UP_MS is logged as an error and removed; one that cannot be read is named in a
 * warning and left. An entry for a target this door does not send to (the CLI without a topic) waits for one that
 * does. Two evaluations delivering at once may both send an entry: at least once, not exactly once.
 */
export async function announceAlerts(
  store: ObjectStore,
  result: AlertsResult,
  targets: AlertTargets,
  deps: AnnounceDeps = {},
): Promise<AnnounceReport> {
  const log = deps.log ?? silentLogger;
  const now = (deps.now ?? Date.now)();
  const notices = noticesOf(result.announcements, result.report.closed_until);
  const to = targetsOf(targets);
  if (to.length === 0) return { announced: notices.length, posted: 0, published: 0, earlier: 0, givenUp: 0 };
  const queued = new Set(await queueNotices(store, Date.parse(result.report.evaluated_at), notices, to, now));

  const { entries, unreadableFiles } = await readOutbox(store);
  for (const f of unreadableFiles) {
    log.warn(`alerts: left unreadable outbox entry ${store.location}/${f.key}: ${f.error}`, { key: f.key });
  }
  const expired = entries.filter((q) => now - Date.parse(q.entry.firstQueuedAt) > OUTBOX_GIVE_UP_MS);
  for (const { key, entry } of expired) {
    log.error(
      `alerts: gave up ${entry.notice.kind} ${entry.notice.alert.id} to the ${entry.target}: not delivered since ` +
        `${entry.firstQueuedAt} (the alert history still records it)`,
      { key },
    );
  }
  await store.delete(expired.map((q) => q.key));

  const due = entries.filter((q) => !expired.includes(q) && to.includes(q.entry.target));
  const outcomes = await deliverEach(
    due.map((q) => ({ notice: q.entry.notice, target: q.entry.target })),
    targets,
    deps,
  );
  const delivered: QueuedNotice[] = due.filter((_, i) => outcomes[i]?.failure === undefined);
  await store.delete(delivered.map((q) => q.key));
  const report = reportDeliveries(outcomes, log);
  return {
    announced: notices.length,
    ...report,
    earlier: delivered.filter((q) => !queued.has(q.key)).length,
    givenUp: expired.length,
  };
}
