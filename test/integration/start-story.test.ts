/**
 * The story `npm start` tells a newcomer: a healthy simulated week (a digest whose bounce and complaint figures are
 * ordinary) and one incident planted in the last collected hours — gmail.com blocking server 1234 with code 1002 —
 * that the intraday alerts name. Told alike by the v2 simulator (the default) and the v1 Reporting API one.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertsReportSchema } from '../../shared/alerts/model';
import { digestSchema } from '../../shared/digest/model';
import { defaultThresholds } from '../../shared/digest/thresholds';
import { scratch } from '../helpers/collect';
import { startFrozen } from '../helpers/start';

/**
 * The clocks the story must hold at: a Wednesday afternoon (the collection ends at 15:00 UTC, so the block runs from
 * 12:00) and a Sunday night, when the servers send least (it ends at 04:00 UTC, the block runs from 01:00, and in New
 * York yesterday is Friday).
 */
const CLOCKS = [
  {
    name: 'a Wednesday afternoon',
    now: Date.UTC(2026, 10, 18, 15, 30, 0),
    closedUntil: '2026-11-18T15:00:00.000Z',
    since: '2026-11-18T12:00:00.000Z',
    digestDay: '2026-11-17',
  },
  {
    name: 'a Sunday night',
    now: Date.UTC(2026, 10, 22, 4, 30, 0),
    closedUntil: '2026-11-22T04:00:00.000Z',
    since: '2026-11-22T01:00:00.000Z',
    digestDay: '2026-11-20',
  },
] as const;

describe.each(CLOCKS.flatMap((clock) => (['v2', 'v1'] as const).map((sandbox) => ({ ...clock, sandbox }))))(
  'npm start with the $sandbox simulator on $name',
  ({ sandbox, now, closedUntil, since, digestDay }) => {
    it('ends with exactly one open alert, the planted block, after a digest whose rates are ordinary', async () => {
      const dir = await scratch(`start-story-${sandbox}-${now}`);
      const env: Record<string, string> = {
        INBOXLAKE_LAKE: join(dir, 'lake'),
        INBOXLAKE_TIMEZONE: 'America/New_York',
        ...(sandbox === 'v1' ? { INBOXLAKE_SANDBOX: 'v1' } : {}),
      };
      const { code, output } = await startFrozen(dir, env, now);
      expect(code, output).toBe(0);

      const report = alertsReportSchema.parse(
        JSON.parse(await readFile(join(dir, 'outbox/alerts/alerts.json'), 'utf8')),
      );
      expect(report.closed_until).toBe(closedUntil);
      expect(report.alerts, output).toHaveLength(1);
      expect(report.alerts[0]).toMatchObject({
        metric: 'block_failures',
        severity: 'critical',
        scope: { kind: 'domain', server_id: 1234, domain: 'gmail.com', code: 1002 },
        since,
        state: 'open',
      });
      // The output ends with the alert, as `inboxlake alerts` prints it.
      const tail = output.slice(output.indexOf('Intraday alerts'));
      expect(tail).toContain(`1 open alert at ${closedUntil}`);
      expect(tail).toMatch(/CRITICAL +block_failures +server 1234 gmail\.com code 1002: \d+ vs/);

      const digest = digestSchema.parse(
        JSON.parse(await readFile(join(dir, `outbox/${digestDay}/digest.json`), 'utf8')),
      );
      expect(digest.socketlabs.servers.map((s) => s.server_id).sort()).toEqual([1234, 5678]);
      for (const s of digest.socketlabs.servers) {
        // Realistic figures: bounces of a few percent at most, complaints well under the bulk-sender limit of 0.3 %.
        expect(s.bounce_rate, `server ${s.server_id}`).toBeGreaterThan(0.003);
        expect(s.bounce_rate, `server ${s.server_id}`).toBeLessThan(defaultThresholds.bounceCritical);
        expect(s.complaint_rate ?? 0, `server ${s.server_id}`).toBeLessThan(defaultThresholds.complaintCritical);
      }
      const rateAlerts = digest.alerts.filter((a) => a.metric === 'bounce rate' || a.metric === 'complaint rate');
      expect(rateAlerts.filter((a) => a.severity === 'critical')).toEqual([]);
      await rm(dir, { recursive: true, force: true });
    }, 300_000);
  },
);
