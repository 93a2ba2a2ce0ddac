import type { AlertHistoryEvent } from '../lake/alert-history';
import { clean, localTime, metricLabel, num, plural, rate } from './format';
import type { IntradayAlert } from './model';

/**
 * The digest's intraday section from the alert history: the incidents (an alert id and its opening) with an opening
 * or a resolution in the day. An incident opened the day before and resolved in the day is listed with its opening
 * time; one opened in the day and still open is listed without a resolution. Its peak and severity are those of its
 * last announcement in the day (the history carries the peak so far), so the section tells the day as it was seen.
 */
export function intradayAlerts(events: readonly AlertHistoryEvent[], start: number, end: number): IntradayAlert[] {
  const incidents = new Map<string, AlertHistoryEvent[]>();
  for (const e of events) {
    const at = Date.parse(e.at);
    if (at < start || at >= end) continue;
    const key = `${e.id}\u0001${e.opened_at}`;
    incidents.set(key, [...(incidents.get(key) ?? []), e]);
  }
  const out: IntradayAlert[] = [];
  for (const list of incidents.values()) {
    if (!list.some((e) => e.event === 'opened' || e.event === 'resolved')) continue;
    const ordered = [...list].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const last = ordered[ordered.length - 1]!;
    out.push({
      id: last.id,
      metric: last.metric,
      severity: ordered.some((e) => e.severity === 'critical') ? 'critical' : 'warning',
      where: last.where,
      unit: last.unit,
      peak_value: last.peak_value,
      peak_baseline: last.peak_baseline,
      opened_at: new Date(last.opened_at).toISOString(),
      resolved_at: ordered.find((e) => e.event === 'resolved')?.at ?? null,
    });
  }
  return out.sort((a, b) => Date.parse(a.opened_at) - Date.parse(b.opened_at) || a.id.localeCompare(b.id));
}

/** Entries an intraday section lists at most; digest.json holds them all. */
export const MAX_INTRADAY_ROWS = 30;

/** The section's words for one entry, shared by the HTML and the text so both say the same. */
export function intradayWords(x: IntradayAlert, timeZone: string) {
  const figure = (v: number) => (x.unit === 'share' ? rate(v) : num(v));
  return {
    severity: x.severity.toUpperCase(),
    metric: metricLabel(x.metric),
    where: clean(x.where, 80),
    peak: `${figure(x.peak_value)} vs ${figure(x.peak_baseline)}`,
    opened: localTime(x.opened_at, timeZone),
    resolved: x.resolved_at === null ? 'still open' : localTime(x.resolved_at, timeZone),
  };
}

/** The line under the section heading. */
export const intradayNote = (n: number) =>
  n === 0
    ? 'No intraday alerts: the hourly evaluation opened or resolved none on this day.'
    : `${plural(n, 'alert')} opened or resolved during the day by the hourly evaluation; peak vs what was usual then.`;
