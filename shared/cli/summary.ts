import type { CollectSummary, ItemSummary } from '../app/collect';
import { windowId } from '../core/windows';

/** A plain-text table: header, rule, rows; numbers right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: readonly string[], raw: readonly (string | number)[]) =>
    r.map((c, i) => (typeof raw[i] === 'number' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [
    line(cells[0]!, header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((r, i) => line(cells[i + 1]!, r)),
  ].join('\n');
}

/** The end-of-run summary: rows per table and server, quarantined, left, failed; calls, retries, elapsed. */
export function formatCollectSummary(s: CollectSummary): string {
  const rows = s.datasets.map((d) => [
    d.table,
    d.scope,
    d.route ?? 'json',
    d.windows,
    d.skippedFinal,
    d.rows,
    d.quarantined,
    d.rereads,
    d.left.length,
    d.failed.length,
  ]);
  // "2026-11-23 13:00 UTC" when the range ended within today, else the last whole day.
  const until = (x: CollectSummary) =>
    x.until.endsWith('T00:00:00.000Z') ? x.to : `${x.until.slice(0, 10)} ${x.until.slice(11, 16)} UTC`;
  const total = (k: 'rows' | 'quarantined') => s.datasets.reduce((n, d) => n + d[k], 0);
  const c = s.counters;
  const lines = [
    formatTable(
      ['table', 'server', 'route', 'windows', 'skipped', 'rows', 'quarantined', 're-reads', 'left', 'failed'],
      rows,
    ),
    '',
    `${s.source} ${s.from} → ${until(s)}: ${total('rows')} rows, ${total('quarantined')} quarantined; ` +
      `${c.apiCalls} API calls, ${c.retries} retries, ${c.rateLimited} rate-limited; ${(s.elapsedMs / 1000).toFixed(1)} s`,
  ];
  const short = s.datasets.filter((d) => d.shortBy > 0);
  for (const d of s.datasets) for (const w of d.warnings) lines.push(`warning: ${w}`);
  for (const d of short)
    lines.push(`warning: ${d.table} server ${d.scope}: the API announced ${d.shortBy} rows it did not deliver`);
  for (const d of s.datasets) {
    if (d.outsideHistory.length) {
      lines.push(
        `skipped: ${d.table} server ${d.scope}: ${d.outsideHistory.length} day(s) are older than the plan's reporting history (the API refused them)`,
      );
    }
    for (const f of d.failed) lines.push(`failed: ${d.table} server ${d.scope} ${windowId(f.window)}: ${f.error}`);
  }
  if (s.windowsLeft > 0) lines.push(`stopped before the deadline: ${s.windowsLeft} windows left for the next run`);
  return lines.join('\n');
}

/** Items listed, collected, still running at the API, skipped as complete, rows, quarantined, failures. */
export function formatItemSummary(s: ItemSummary): string {
  const rows = s.datasets.map((d) => [
    d.dataset,
    d.listed,
    d.collected,
    d.pending,
    d.skippedComplete,
    d.rows,
    d.quarantined,
    d.failed.length,
  ]);
  const lines = [
    formatTable(['dataset', 'listed', 'collected', 'running', 'skipped (done)', 'rows', 'quarantined', 'failed'], rows),
    '',
    `${s.source}, last ${s.days} days: ${s.counters.apiCalls} API calls, ${s.counters.retries} retries; ${(s.elapsedMs / 1000).toFixed(1)} s`,
  ];
  for (const d of s.datasets) for (const w of d.warnings) lines.push(`warning: ${w}`);
  for (const d of s.datasets) for (const f of d.failed) lines.push(`failed: ${d.dataset} ${f.key}: ${f.error}`);
  if (s.itemsLeft > 0) lines.push(`stopped before the deadline: ${s.itemsLeft} items left for the next run`);
  return lines.join('\n');
}
