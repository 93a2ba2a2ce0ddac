import * as z from 'zod';
import { alertHistoryDayPrefix, alertHistoryEventKey } from './layout';
import type { ObjectStore } from './object-store';
import { readObject, type UnreadableFile, unreadable, utcDates } from './rollup-reader';

/**
 * The alert history: every transition an evaluation announced (opened, reminder, resolved), one small JSON document
 * each under `_state/alerts/history/<utc-date>/`. The alerts write it, the digest reads it for its intraday section;
 * it lives in the lake because both stand on it and neither imports the other. Written with a conditional create on
 * a key made of the evaluation instant, the event and the alert id, so recording an announcement again (a retry, a
 * recovery after a crash between the state write and the history write) changes nothing.
 */

export const alertHistoryEvents = ['opened', 'reminder', 'resolved'] as const;

export const alertHistoryEventSchema = z.object({
  schema_version: z.literal(1),
  event: z.enum(alertHistoryEvents),
  /** The instant of the evaluation that announced it (ISO UTC). */
  at: z.iso.datetime(),
  /** The alert's id: one (metric, scope); with opened_at, one incident. */
  id: z.string(),
  /** The alerts.json metric name (bounce_rate, block_failures, inbox_placement, …). */
  metric: z.string(),
  severity: z.enum(['warning', 'critical']),
  /** Where, in words (`server 42 yahoo.com code 1002`, `SendSage test 1234`), for readers that only show it. */
  where: z.string(),
  /** The alerts.json scope: server, recipient domain and code, or SendSage test (null where they do not apply). */
  scope: z.object({
    kind: z.string(),
    server_id: z.number().int().nullable(),
    domain: z.string().nullable(),
    code: z.number().int().nullable(),
    campaign_id: z.number().int().nullable(),
  }),
  /** The unit of the figures: a share in 0..1 (a rate, a placement) or a count. */
  unit: z.enum(['share', 'count']),
  /** The figures at this evaluation (for 'resolved': the last seen while open), in that unit. */
  value: z.number(),
  baseline: z.number(),
  /** The figures at the evaluation where the alert stood furthest from normal so far. */
  peak_value: z.number(),
  peak_baseline: z.number(),
  /** When the incident was first announced (ISO UTC). */
  opened_at: z.iso.datetime(),
  /** Since when the incident lasts, as the alert says (ISO UTC). */
  since: z.iso.datetime(),
  window_minutes: z.number().int(),
  advice: z.string(),
});

export type AlertHistoryEvent = z.infer<typeof alertHistoryEventSchema>;

/** Records announced transitions; one already recorded is left as it is. */
export async function recordAlertHistory(store: ObjectStore, events: readonly AlertHistoryEvent[]): Promise<void> {
  for (const e of events) {
    const body = `${JSON.stringify(alertHistoryEventSchema.parse(e))}\n`;
    await store.putIfAbsent(alertHistoryEventKey(Date.parse(e.at), e.event, e.id), body, 'application/json');
  }
}

/** The transitions announced in [start, end), oldest first; a document that does not parse is left out and named. */
export async function readAlertHistory(
  store: ObjectStore,
  start: number,
  end: number,
  unreadableFiles: UnreadableFile[],
): Promise<AlertHistoryEvent[]> {
  const out: AlertHistoryEvent[] = [];
  for (const date of utcDates(start, end)) {
    for (const key of (await store.list(alertHistoryDayPrefix(date))).sort()) {
      const body = await readObject(store, key);
      if (!body) continue;
      let e: AlertHistoryEvent;
      try {
        e = alertHistoryEventSchema.parse(JSON.parse(body.toString('utf8')));
      } catch (err) {
        unreadableFiles.push(unreadable(key, err));
        continue;
      }
      const at = Date.parse(e.at);
      if (at >= start && at < end) out.push(e);
    }
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id.localeCompare(b.id));
}
