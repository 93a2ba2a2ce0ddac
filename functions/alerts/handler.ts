import middy from '@middy/core';
import * as z from 'zod';
import { alertTargets, loadAlertChannelsConfig, loadAlertThresholds } from '../../shared/app/alert-config';
import { snsPublisher } from '../../shared/app/alert-delivery';
import { announceAlerts } from '../../shared/app/alert-outbox';
import { produceAlerts } from '../../shared/app/alerts';
import { openLake } from '../../shared/app/lake';
import { once } from '../../shared/app/secrets';
import { loadLakeConfig } from '../../shared/config';
import { createLogger } from '../../shared/log';
import { redactErrors } from '../redact-errors';

/**
 * The intraday alerts: invoked by each collector's loop once it has caught up (asynchronously, so a collection never
 * waits on it), it evaluates the last closed quarter-hours, moves the alert lifecycle forward in `_state/alerts/`
 * and sends what that announces to the SNS topic and the chat webhook, through the outbox in `_state/alerts/outbox/`
 * (what a channel failed to take is sent again by the next evaluation). Several collectors finishing in the same
 * hour evaluate the same instant: the lifecycle's conditional writes let only the first announce.
 */
const env = { ...process.env };
const lakeConfig = loadLakeConfig(env);
const channels = loadAlertChannelsConfig(env);
const thresholds = loadAlertThresholds(env);
const store = openLake(lakeConfig);
const log = createLogger({ json: true });
const publish = snsPublisher({ region: channels.region, endpoint: channels.snsEndpoint });
// The webhook URL is read from its secret on the first invocation and kept for the container's life.
const targets = once(() => alertTargets(channels));

/** The loop sends which collector finished; an operator may evaluate another instant with {"at": ISO}. */
const eventSchema = z.object({ at: z.iso.datetime({ offset: true }).optional(), collector: z.string().optional() });

export const handler = middy(
  async (rawEvent: unknown, _context: unknown, { signal }: { signal: AbortSignal }) => {
    const event = eventSchema.parse(rawEvent ?? {});
    const at = event.at ? Date.parse(event.at) : Date.now();
    // The targets first: a webhook secret that cannot be read must fail the run before the lifecycle moves on.
    const to = await targets();
    const lake = await store;
    const result = await produceAlerts(lake, { at, thresholds }, { log });
    const sent = await announceAlerts(lake, result, to, { publish, log, signal });
    const { report, announcements } = result;
    const summary = {
      collector: event.collector ?? null,
      closedUntil: report.closed_until,
      lifecycle: report.lifecycle,
      open: report.alerts.filter((a) => a.state !== 'resolved').length,
      opened: announcements.opened.length,
      reminders: announcements.reminders.length,
      resolved: announcements.resolved.length,
      ...sent,
      unreadableFiles: report.unreadable_files.length,
    };
    log.info('alerts evaluated', summary);
    return summary;
  },
  { timeoutEarlyInMillis: 10_000 },
).use(redactErrors());
