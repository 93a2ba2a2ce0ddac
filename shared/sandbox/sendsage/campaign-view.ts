/**
 * A delivery test as the API shows it at one moment: rows not collected yet read as missing, duplicate copies appear
 * once collected, per-ISP and total counts and percentages, and whether SpamAssassin has scored it. Pure in the
 * clock; apart from generation because it is the one place that decides what "running" hides.
 */
import {
  SENDSAGE_RUNNING_SECONDS,
  type SendSageCampaign,
  type SendSageCategory,
  type SendSageIsp,
  type SendSageLocation,
  type SendSageSeedResult,
} from './model';

/** What a row looks like at a moment: not collected yet reads as missing. */
export interface SendSageSeedView {
  readonly row: SendSageSeedResult;
  readonly location: SendSageLocation;
  readonly collectedSec: number | null;
}

/** Placement counts and percentages, as the API gives them per ISP and per test. */
export interface SendSagePlacementCounts {
  readonly countInbox: number;
  readonly countBulk: number;
  readonly countMissing: number;
  readonly countDuplicate: number;
  readonly countTotal: number;
  readonly pctInbox: number;
  readonly pctBulk: number;
  readonly pctMissing: number;
}

export interface SendSageIspView extends SendSagePlacementCounts {
  readonly name: string;
  readonly domain: string;
  readonly category: SendSageCategory;
}

/** A test as the API shows it at one moment. */
export interface SendSageCampaignView extends SendSagePlacementCounts {
  readonly campaign: SendSageCampaign;
  readonly status: 'done' | 'pending';
  /** Visible rows: every primary row, and the duplicate copies collected so far. */
  readonly rows: readonly SendSageSeedView[];
  readonly isps: readonly SendSageIspView[];
  /** Whether SpamAssassin has scored the message yet. */
  readonly spamProcessed: boolean;
}

/** count / total as a percentage with one decimal, as the API rounds it. */
export function sendSagePct(count: number, total: number): number {
  return total === 0 ? 0 : Math.round((count * 1000) / total) / 10;
}

/** Whether a test is still running at `nowSec`. */
export function isSendSageRunning(campaign: SendSageCampaign, nowSec: number): boolean {
  return nowSec < campaign.sentSec + SENDSAGE_RUNNING_SECONDS;
}

/** The state of a test at `nowSec` (which should not be before it was sent). */
export function sendSageCampaignView(
  campaign: SendSageCampaign,
  isps: readonly SendSageIsp[],
  nowSec: number,
): SendSageCampaignView {
  const rows: SendSageSeedView[] = [];
  for (const row of campaign.seeds) {
    const collected = row.collectedSec !== null && row.collectedSec <= nowSec;
    if (row.duplicate && !collected) continue;
    rows.push({
      row,
      location: collected ? row.location : 'missing',
      collectedSec: collected ? row.collectedSec : null,
    });
  }
  const ispViews: SendSageIspView[] = [];
  const totals: Tally = { inbox: 0, bulk: 0, missing: 0, duplicate: 0, total: 0 };
  for (const isp of isps) {
    const mine = rows.filter((r) => r.row.isp === isp.name);
    if (mine.length === 0) continue;
    const primary = mine.filter((r) => !r.row.duplicate);
    const dupSeeds = new Set(mine.filter((r) => r.row.duplicate).map((r) => r.row.seedId));
    const c = {
      inbox: primary.filter((r) => r.location === 'inbox').length,
      bulk: primary.filter((r) => r.location === 'bulk').length,
      missing: primary.filter((r) => r.location === 'missing').length,
      duplicate: dupSeeds.size,
      total: primary.length,
    };
    totals.inbox += c.inbox;
    totals.bulk += c.bulk;
    totals.missing += c.missing;
    totals.duplicate += c.duplicate;
    totals.total += c.total;
    ispViews.push({
      name: isp.name,
      domain: isp.domain,
      category: isp.category,
      ...placementCounts(c),
    });
  }
  return {
    campaign,
    status: isSendSageRunning(campaign, nowSec) ? 'pending' : 'done',
    rows,
    isps: ispViews,
    ...placementCounts(totals),
    spamProcessed: campaign.spam.processedSec <= nowSec,
  };
}

type Tally = { inbox: number; bulk: number; missing: number; duplicate: number; total: number };

function placementCounts(c: Tally): SendSagePlacementCounts {
  return {
    countInbox: c.inbox,
    countBulk: c.bulk,
    countMissing: c.missing,
    countDuplicate: c.duplicate,
    countTotal: c.total,
    pctInbox: sendSagePct(c.inbox, c.total),
    pctBulk: sendSagePct(c.bulk, c.total),
    pctMissing: sendSagePct(c.missing, c.total),
  };
}
