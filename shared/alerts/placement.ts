import { providerBelow } from '../core/placement';
import { binomialLowerTail } from '../core/stats';
import type { ObjectStore } from '../lake/object-store';
import type { UnreadableFile } from '../lake/rollup-reader';
import { epochMs, cellNumber as num, readRows, cellString as str } from '../lake/row-reader';
import type { TableDef } from '../lake/table';
import type { Alert } from './model';
import type { AlertThresholds } from './thresholds';

/**
 * SendSage placement alerts: a seed test that finished within the evaluated window with its inbox placement below
 * the digest's thresholds. A test is a one-off measurement, not a rate over quarter-hours, so there is no baseline
 * and no rollup: the campaign rows (small: a few tests a day) are read as the digest reads them. A test "finished"
 * when the lake holds its row with status 'done'; the instant is that row's `ingested_at`, since the collection
 * fetches a test until it is done and never again after (shared/engine/collect-items.ts), so it is when the lake
 * learned the final result. The alert stays open while that instant is within the longest window, then resolves:
 * the resolution says the test is no longer news, not that the placement got better.
 */

/** The placement tables, as the digest's roles name them (structural: the alerts never import the digest). */
export interface PlacementTables {
  readonly campaigns: TableDef;
  readonly ispResults: TableDef;
}

/** A finished test as the detection needs it. */
export interface FinishedTest {
  readonly campaignId: number;
  readonly sentAt: number;
  readonly finishedAt: number;
  readonly subject: string | null;
  readonly fromAddress: string | null;
  /** Percent of seeds in the inbox (0–100). */
  readonly pctInbox: number;
  readonly seedsInbox: number | null;
  readonly seedsTotal: number | null;
  readonly providers: readonly { readonly name: string; readonly seeds: number | null; readonly pctInbox: number }[];
}

/** The tests that finished in (`at` − window, `at`], read from the campaign and per-provider rows. */
export async function readFinishedTests(
  store: ObjectStore,
  tables: PlacementTables,
  opts: { readonly at: number; readonly windowMs: number; readonly maxRunMs: number },
  unreadable: UnreadableFile[],
): Promise<FinishedTest[]> {
  const from = opts.at - opts.windowMs;
  // Partitions are the send day: a test finishing now was sent up to maxRunMs before the window.
  const start = from - opts.maxRunMs;
  const end = opts.at + 1;
  const finished = (await readRows(store, tables.campaigns, start, end, unreadable)).filter((r) => {
    const t = epochMs(r.ingested_at);
    return str(r.status) === 'done' && num(r.pct_inbox) !== null && t !== null && t > from && t <= opts.at;
  });
  if (!finished.length) return [];
  const isps = await readRows(store, tables.ispResults, start, end, unreadable);
  return finished.map((r) => {
    const id = num(r.campaign_id)!;
    return {
      campaignId: id,
      sentAt: epochMs(r.sent_at) ?? epochMs(r.ingested_at)!,
      finishedAt: epochMs(r.ingested_at)!,
      subject: str(r.subject),
      fromAddress: str(r.from_address),
      pctInbox: num(r.pct_inbox)!,
      seedsInbox: num(r.seeds_inbox),
      seedsTotal: num(r.seeds_total),
      providers: isps
        .filter((i) => num(i.campaign_id) === id && num(i.pct_inbox) !== null)
        .map((i) => ({ name: str(i.isp_name) ?? 'unknown', seeds: num(i.count_total), pctInbox: num(i.pct_inbox)! })),
    };
  });
}

/** An alert for each finished test below the warning threshold, most severe and lowest placement first. */
export function detectPlacementAlerts(tests: readonly FinishedTest[], t: AlertThresholds): Alert[] {
  const windowMinutes = Math.max(...t.windowsMinutes);
  return tests
    .filter((x) => x.pctInbox < t.inboxWarn)
    .sort((a, b) => a.pctInbox - b.pctInbox || a.campaignId - b.campaignId)
    .map((x): Alert => {
      const critical = x.pctInbox < t.inboxCritical;
      const threshold = critical ? t.inboxCritical : t.inboxWarn;
      const known = x.seedsTotal !== null && x.seedsInbox !== null && x.seedsTotal > 0;
      const low = x.providers
        .filter((p) => providerBelow(p.pctInbox, p.seeds, t.inboxWarn, t.minSeeds))
        .sort((a, b) => a.pctInbox - b.pctInbox || a.name.localeCompare(b.name));
      const where = low.length ? ` (lowest: ${low.map((p) => `${p.name} ${pct(p.pctInbox)}`).join(', ')})` : '';
      const test = `SendSage test ${x.campaignId}${x.subject ? ` "${x.subject}"` : ''}`;
      return {
        id: `inbox_placement:${x.campaignId}`,
        severity: critical ? 'critical' : 'warning',
        scope: { kind: 'campaign', server_id: null, domain: null, code: null, campaign_id: x.campaignId },
        metric: 'inbox_placement',
        value: x.pctInbox / 100,
        baseline: threshold / 100,
        count: x.seedsInbox ?? 0,
        volume: known ? x.seedsTotal : null,
        p_value: known ? binomialLowerTail(x.seedsInbox!, x.seedsTotal!, threshold / 100) : 1,
        window_minutes: windowMinutes,
        since: new Date(x.sentAt).toISOString(),
        advice: `${test}${x.fromAddress ? ` from ${x.fromAddress}` : ''} finished with ${pct(x.pctInbox)} of seeds in the inbox, below the ${pct(threshold)} threshold${where}: check the SpamAssassin rules that cost the most points and SPF/DKIM/DMARC alignment before the campaign goes out (named query inbox-placement-by-isp).`,
        state: 'open',
      };
    });
}

const pct = (x: number) => `${Math.round(x * 10) / 10} %`;
