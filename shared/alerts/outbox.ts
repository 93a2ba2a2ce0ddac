import * as z from 'zod';
import { ALERTS_OUTBOX_PREFIX, alertOutboxKey } from '../lake/layout';
import type { ObjectStore } from '../lake/object-store';
import { readObject, type UnreadableFile, unreadable } from '../lake/rollup-reader';
import { type AlertNotice, alertNoticeSchema } from './channels/notice';

/**
 * The alerts' transactional outbox: each announcement × delivery target waits under `_state/alerts/outbox/` from
 * before it is sent until its channel has taken it. The evaluation that wins the alert state write queues its
 * announcements there; every evaluation then delivers whatever waits (its own and those earlier deliveries left),
 * so a channel that fails once gets the announcement at the next evaluation rather than at the alert's reminder.
 */

/** Where an announcement goes: the chat webhook or the SNS topic. */
export const deliveryTargets = ['webhook', 'sns'] as const;
export type DeliveryTarget = (typeof deliveryTargets)[number];

export const outboxEntrySchema = z.object({
  schema_version: z.literal(1),
  notice: alertNoticeSchema,
  target: z.enum(deliveryTargets),
  /** When the evaluation that announced it queued it (ISO UTC, the wall clock): the age the give-up cap reads. */
  firstQueuedAt: z.iso.datetime(),
});

export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

/**
 * How long an announcement may wait for its channel before it is given up. A day is four reminders' worth: by then
 * an open alert has been announced again and a resolved one is old news, while a channel down for a night (a revoked
 * webhook, an SNS outage) still gets what it missed. The alert history keeps every transition regardless.
 */
export const OUTBOX_GIVE_UP_MS = 24 * 3_600_000;

/** An entry waiting in the outbox, with the key it is deleted by once delivered. */
export interface QueuedNotice {
  readonly key: string;
  readonly entry: OutboxEntry;
}

/**
 * Queues each notice for each target, keyed by the evaluation instant (`evaluatedAt`, epoch ms); a notice already
 * queued (the same evaluation queuing again) keeps its first document. Returns the keys of this evaluation's entries.
 */
export async function queueNotices(
  store: ObjectStore,
  evaluatedAt: number,
  notices: readonly AlertNotice[],
  targets: readonly DeliveryTarget[],
  now: number,
): Promise<string[]> {
  const firstQueuedAt = new Date(now).toISOString();
  const keys: string[] = [];
  for (const notice of notices) {
    for (const target of targets) {
      const entry: OutboxEntry = { schema_version: 1, notice, target, firstQueuedAt };
      const key = alertOutboxKey(evaluatedAt, notice.kind, notice.alert.id, target);
      await store.putIfAbsent(key, `${JSON.stringify(outboxEntrySchema.parse(entry))}\n`, 'application/json');
      keys.push(key);
    }
  }
  return keys;
}

/** Every entry waiting, oldest first; one that does not parse is named in `unreadableFiles` and left where it is. */
export async function readOutbox(
  store: ObjectStore,
): Promise<{ entries: QueuedNotice[]; unreadableFiles: UnreadableFile[] }> {
  const entries: QueuedNotice[] = [];
  const unreadableFiles: UnreadableFile[] = [];
  for (const key of (await store.list(ALERTS_OUTBOX_PREFIX)).sort()) {
    const body = await readObject(store, key);
    // Gone since the listing: another evaluation delivered it.
    if (!body) continue;
    try {
      entries.push({ key, entry: outboxEntrySchema.parse(JSON.parse(body.toString('utf8'))) });
    } catch (err) {
      unreadableFiles.push(unreadable(key, err));
    }
  }
  return { entries, unreadableFiles };
}
