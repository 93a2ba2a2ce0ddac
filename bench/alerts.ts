/**
 * Alerts bench (issue 15, "false alarms measured"): 60 simulated normal days of four servers with realistic rates
 * (bounces ~0.5–3 %, complaints ~0.01–0.1 %, a weekly rhythm and quiet nights, given explicitly: see
 * test/helpers/normal-traffic.ts), landed in a lake, then evaluated every hour over the last 50 days by the real
 * `produceAlerts` with its lifecycle. Prints the rates the servers had, the alerts opened per server-day and the
 * thresholds that gave them; then the same with looser thresholds, to show how much room the defaults leave.
 * The rollups are built directly from the simulator's items (real v2 mapping and window writer), not via HTTP
 * collection, which would take far longer for the same quarter-hours.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AlertThresholds, alertThresholdsSchema, defaultAlertThresholds } from '../shared/alerts/thresholds';
import { DAY_MS } from '../shared/core/windows';
import { ALERTS_STATE_PREFIX } from '../shared/lake/layout';
import { evaluateHourly, landNormalTraffic, normalServers } from '../test/helpers/normal-traffic';

const FROM = '2026-08-03';
const DAYS = 60;
const EVALUATED_DAYS = 50;

const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)} %`;

/** The thresholds that decide whether normal traffic raises an alert, in one line each. */
function thresholdLines(t: AlertThresholds): string[] {
  return [
    `windows ${t.windowsMinutes.join(' and ')} min against the same window on each of the ${t.baselineDays} days before; alpha ${t.alpha}`,
    `bounce rate: ≥ ${t.bounceMinQueued} queued, ≥ ${t.bounceMinCount} bounces, ≥ ${t.bounceMinRatio}× baseline (floor ${pct(t.bounceRateFloor)})`,
    `complaint rate: ≥ ${t.complaintMinProcessed} delivered, ≥ ${t.complaintMinCount} complaints, ≥ ${t.complaintMinRatio}× baseline (floor ${pct(t.complaintRateFloor, 3)})`,
    `block failures: ≥ ${t.blockMinCount} at one domain, ≥ ${t.blockMinRatio}× expected (floor ${t.blockExpectedFloor})`,
    `silence: active on ≥ ${t.silenceMinActiveDays} baseline days, ≥ ${t.silenceMinExpected} expected, now ≤ ${pct(t.silenceMaxFraction, 0)}`,
  ];
}

async function evaluatePass(lake: string, label: string, thresholds: AlertThresholds): Promise<void> {
  // Each pass starts with no alert state, so its lifecycle is its own.
  rmSync(join(lake, ALERTS_STATE_PREFIX), { recursive: true, force: true });
  const from = Date.parse(`${FROM}T00:00:00Z`) + (DAYS - EVALUATED_DAYS) * DAY_MS;
  const started = performance.now();
  const result = await evaluateHourly(lake, { from, to: from + EVALUATED_DAYS * DAY_MS, thresholds });
  const seconds = (performance.now() - started) / 1000;
  const serverDays = normalServers.length * EVALUATED_DAYS;
  console.log(`\n${label}:`);
  for (const line of thresholdLines(thresholds)) console.log(`  ${line}`);
  console.log(
    `  ${result.evaluations} hourly evaluations in ${seconds.toFixed(0)} s; ${result.opened.length} alerts opened over ` +
      `${serverDays} server-days = ${(result.opened.length / serverDays).toFixed(4)} per server-day`,
  );
  for (const { at, alert } of result.opened) {
    console.log(
      `    ${new Date(at).toISOString()} ${alert.id} ${alert.severity}: ${alert.value.toPrecision(3)} vs ` +
        `${alert.baseline.toPrecision(3)} (p ${alert.p_value.toExponential(1)})`,
    );
  }
}

/** `npm run bench -- alerts`. */
export async function benchAlerts(): Promise<void> {
  console.log(
    `\n## Alerts: false alarms over ${EVALUATED_DAYS} of ${DAYS} simulated normal days, hourly evaluation (issue 15)`,
  );
  const lake = mkdtempSync(join(tmpdir(), 'bench-alerts-'));
  try {
    const started = performance.now();
    const figures = await landNormalTraffic(lake, { from: FROM, days: DAYS, servers: normalServers, seed: 15 });
    console.log(
      `Landed ${DAYS} days of ${normalServers.length} servers from ${FROM} (rollups built from the v2 simulator's ` +
        `items, not collected over HTTP) in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
    );
    console.log('| server | queued/day | weekend | bounce rate | complaint rate |');
    console.log('|---|---:|---:|---:|---:|');
    for (const s of normalServers) {
      const f = figures.get(s.id)!;
      console.log(
        `| ${s.id} | ${Math.round(f.queued / DAYS)} | ×${s.weekendFactor} | ${pct(f.bounces / f.queued)} | ` +
          `${pct(f.complaints / f.delivered, 3)} |`,
      );
    }
    await evaluatePass(lake, 'Default thresholds', defaultAlertThresholds);
    await evaluatePass(
      lake,
      'Looser thresholds (alpha 1e-3, every ratio 1.5×, half the minimum counts)',
      alertThresholdsSchema.parse({
        alpha: 1e-3,
        bounceMinRatio: 1.5,
        complaintMinRatio: 1.5,
        blockMinRatio: 1.5,
        bounceMinCount: Math.ceil(defaultAlertThresholds.bounceMinCount / 2),
        complaintMinCount: Math.ceil(defaultAlertThresholds.complaintMinCount / 2),
        blockMinCount: Math.ceil(defaultAlertThresholds.blockMinCount / 2),
      }),
    );
  } finally {
    rmSync(lake, { recursive: true, force: true });
  }
}
