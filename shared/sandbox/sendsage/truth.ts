/**
 * The canonical, typed records of everything the API shows at one moment, for tests to compare a collection against.
 * Apart from the server and the generator: it answers "what should have been collected", from the same views the
 * server answers with.
 */
import { type SendSageIspView, type SendSagePlacementCounts, sendSageCampaignView } from './campaign-view';
import { type SendSageHeaderAuth, sendSageHeaderAuth, sendSageMessageContent } from './message-content';
import type { SendSageData, SendSageLocation, SendSagePreviewApp } from './model';

export interface SendSageTruthCampaign extends SendSagePlacementCounts {
  readonly campaignId: number;
  readonly customerDefinedCampaignId: string;
  readonly sentAt: number;
  readonly fromAddress: string;
  readonly fromName: string;
  readonly fromDomain: string;
  readonly subject: string;
  readonly status: 'done' | 'pending';
  readonly spamMessageId: number;
  /** Null while SpamAssassin has not scored the message. */
  readonly spamTimeProcessed: number | null;
  readonly spamScore: number | null;
  readonly spamRequired: number;
  readonly spamResult: 'Yes' | 'No' | null;
  readonly spamVersion: string | null;
}

export interface SendSageTruthIspResult extends SendSageIspView {
  readonly campaignId: number;
}

export interface SendSageTruthSeedResult {
  readonly campaignId: number;
  readonly messageId: number;
  readonly seedId: number;
  readonly isp: string;
  readonly address: string;
  readonly username: string;
  readonly domain: string;
  readonly location: SendSageLocation;
  readonly duplicate: boolean;
  readonly collectedAt: number | null;
}

export interface SendSageTruthSpamRule {
  readonly campaignId: number;
  readonly messageId: number;
  readonly area: string;
  readonly rule: string;
  readonly score: number;
  readonly description: string;
}

export interface SendSageTruthPreview {
  readonly previewId: number;
  readonly sentAt: number;
  readonly fromAddress: string;
  readonly fromName: string;
  readonly fromDomain: string;
  readonly subject: string;
  readonly applications: readonly SendSagePreviewApp[];
}

export interface SendSageTruthMessage {
  readonly campaignId: number;
  readonly messageId: number;
  readonly seedId: number;
  readonly location: SendSageLocation;
  readonly duplicate: boolean;
  readonly collectedAt: number | null;
  readonly content: string | null;
  /** What the headers say; null for a message not received (yet). */
  readonly auth: SendSageHeaderAuth | null;
}

/** Canonical, typed records of everything visible at one moment, for tests to compare a collection against. */
export interface SendSageTruth {
  readonly campaigns: readonly SendSageTruthCampaign[];
  readonly ispResults: readonly SendSageTruthIspResult[];
  readonly seedResults: readonly SendSageTruthSeedResult[];
  readonly spamRules: readonly SendSageTruthSpamRule[];
  readonly previews: readonly SendSageTruthPreview[];
  readonly messages: readonly SendSageTruthMessage[];
  readonly seedlist: readonly string[];
}

/** Everything the API shows at `nowSec`: tests and previews sent by then, in the state they are in then. */
export function sendSageTruth(data: SendSageData, nowSec: number): SendSageTruth {
  const campaigns: SendSageTruthCampaign[] = [];
  const ispResults: SendSageTruthIspResult[] = [];
  const seedResults: SendSageTruthSeedResult[] = [];
  const spamRules: SendSageTruthSpamRule[] = [];
  const messages: SendSageTruthMessage[] = [];
  for (const c of data.campaigns) {
    if (c.sentSec > nowSec) break;
    const view = sendSageCampaignView(c, data.isps, nowSec);
    const scored = view.spamProcessed;
    campaigns.push({
      campaignId: c.campaignId,
      customerDefinedCampaignId: c.customerDefinedCampaignId,
      sentAt: c.sentSec,
      fromAddress: c.fromAddress,
      fromName: c.fromName,
      fromDomain: c.fromDomain,
      subject: c.subject,
      status: view.status,
      countInbox: view.countInbox,
      countBulk: view.countBulk,
      countMissing: view.countMissing,
      countDuplicate: view.countDuplicate,
      countTotal: view.countTotal,
      pctInbox: view.pctInbox,
      pctBulk: view.pctBulk,
      pctMissing: view.pctMissing,
      spamMessageId: c.spam.messageId,
      spamTimeProcessed: scored ? c.spam.processedSec : null,
      spamScore: scored ? Number(c.spam.score) : null,
      spamRequired: Number(c.spam.required),
      spamResult: scored ? (Number(c.spam.score) >= Number(c.spam.required) ? 'Yes' : 'No') : null,
      spamVersion: scored ? c.spam.version : null,
    });
    for (const isp of view.isps) ispResults.push({ campaignId: c.campaignId, ...isp });
    if (scored) {
      for (const r of c.spam.rules)
        spamRules.push({ campaignId: c.campaignId, messageId: c.spam.messageId, ...r, score: Number(r.score) });
    }
    for (const v of view.rows) {
      const r = v.row;
      seedResults.push({
        campaignId: c.campaignId,
        messageId: r.messageId,
        seedId: r.seedId,
        isp: r.isp,
        address: r.address,
        username: r.username,
        domain: r.domain,
        location: v.location,
        duplicate: r.duplicate,
        collectedAt: v.collectedSec,
      });
      const received = v.collectedSec !== null;
      messages.push({
        campaignId: c.campaignId,
        messageId: r.messageId,
        seedId: r.seedId,
        location: v.location,
        duplicate: r.duplicate,
        collectedAt: v.collectedSec,
        content: received ? sendSageMessageContent(data, c, r) : null,
        auth: received ? sendSageHeaderAuth(c, r) : null,
      });
    }
  }
  const previews: SendSageTruthPreview[] = data.previews
    .filter((p) => p.sentSec <= nowSec)
    .map((p) => ({
      previewId: p.previewId,
      sentAt: p.sentSec,
      fromAddress: p.fromAddress,
      fromName: p.fromName,
      fromDomain: p.fromDomain,
      subject: p.subject,
      applications: p.applications,
    }));
  return { campaigns, ispResults, seedResults, spamRules, previews, messages, seedlist: data.seedlist };
}
