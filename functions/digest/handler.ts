import middy from '@middy/core';
import * as z from 'zod';
import { produceDigest } from '../../shared/app/digest';
import { openLake } from '../../shared/app/lake';
import { loadDigestConfig, loadLakeConfig } from '../../shared/config';
import { createRedactor } from '../../shared/core/redact';
import { yesterdayIn } from '../../shared/digest/day';
import { createLogger } from '../../shared/log';
import { createMetrics } from '../metrics';

/** The daily digest: yesterday in the configured zone, computed from the lake's rollups and sent through SES once. */
const lakeConfig = loadLakeConfig();
const config = loadDigestConfig();
const log = createLogger({ redact: createRedactor([]), json: true });
const store = openLake(lakeConfig);
const metrics = createMetrics(process.env);

/** A schedule sends no fields; an operator may name a date or force a resend. */
const eventSchema = z.object({ date: z.iso.date().optional(), force: z.boolean().optional() });

export const handler = middy(async (rawEvent: unknown) => {
  const event = eventSchema.parse(rawEvent ?? {});
  const date = event.date ?? yesterdayIn(config.timeZone);
  const result = await produceDigest(
    await store,
    config,
    { date, timeZone: config.timeZone, send: true, force: event.force ?? false },
    { now: Date.now, log },
  );
  const report = {
    date,
    subject: result.subject,
    alerts: result.digest.alerts.length,
    unreadableFiles: result.digest.unreadable_files.length,
    ...result.sent,
  };
  log.info('digest finished', report);
  // 0 when the date had been sent already: the "digest not sent" alarm wants one send a day, not one per retry.
  metrics.count('DigestSent', result.sent?.sent ? 1 : 0, { Source: 'digest' });
  return report;
});
