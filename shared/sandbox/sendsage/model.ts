/**
 * The shapes of a simulated SendSage Monitor account (ISPs and seeds, delivery tests in their final state, rendering
 * previews) and the default seed panel: what the generator produces and the views, message contents and truth read.
 * Apart so that those readers depend on the records only, not on how they are drawn.
 */

/** How long after sending a test counts as running: every message is collected (or given up on) within it. */
export const SENDSAGE_RUNNING_SECONDS = 7_200;

export type SendSageCategory = 'Global' | 'US' | 'EU';
export type SendSageLocation = 'inbox' | 'bulk' | 'missing';
export type SendSageAuthResult = 'pass' | 'fail' | 'softfail' | 'none';
export type SendSagePreviewView = 'thumbnail' | 'images_on' | 'images_off' | 'preview_images_on' | 'preview_images_off';

/** The five images of a preview application, in the order the API lists them. */
export const sendSagePreviewViews: readonly SendSagePreviewView[] = [
  'thumbnail',
  'images_on',
  'images_off',
  'preview_images_on',
  'preview_images_off',
];

/** A seed-account provider as the isp_stats list names it; several may share a domain ("AOL" and "AOL 2"). */
export interface SendSageIsp {
  readonly name: string;
  readonly domain: string;
  readonly category: SendSageCategory;
  /** Seed accounts at this ISP. */
  readonly seeds: number;
  /** 0..1: how much more readily this ISP files mail as bulk. Default 0.05. */
  readonly strictness?: number;
}

/** The default panel: about fifty seeds over eleven ISPs in the three categories. */
export const defaultSendSageIsps: readonly SendSageIsp[] = [
  { name: 'Gmail', domain: 'gmail.com', category: 'Global', seeds: 8, strictness: 0.08 },
  { name: 'Yahoo', domain: 'yahoo.com', category: 'Global', seeds: 6, strictness: 0.05 },
  { name: 'Outlook', domain: 'outlook.com', category: 'Global', seeds: 5, strictness: 0.1 },
  { name: 'Hotmail', domain: 'hotmail.com', category: 'Global', seeds: 4, strictness: 0.1 },
  { name: 'AOL', domain: 'aol.com', category: 'Global', seeds: 5, strictness: 0.04 },
  { name: 'AOL 2', domain: 'aol.com', category: 'Global', seeds: 4, strictness: 0.04 },
  { name: 'AT&T', domain: 'att.net', category: 'US', seeds: 4, strictness: 0 },
  { name: 'Comcast', domain: 'comcast.net', category: 'US', seeds: 4, strictness: 0.02 },
  { name: 'GMX', domain: 'gmx.de', category: 'EU', seeds: 4, strictness: 0.06 },
  { name: 'Orange', domain: 'orange.fr', category: 'EU', seeds: 3, strictness: 0.03 },
  { name: 'Web.de', domain: 'web.de', category: 'EU', seeds: 3, strictness: 0.06 },
];

export interface SendSageDataOptions {
  readonly seed: number;
  /** First UTC date with tests, inclusive (`YYYY-MM-DD`). */
  readonly from: string;
  /** Last UTC date with tests, inclusive (`YYYY-MM-DD`). */
  readonly to: string;
  /** Average delivery tests per day; the actual number varies by ±1. Default 3. */
  readonly campaignsPerDay?: number;
  readonly isps?: readonly SendSageIsp[];
  /**
   * Added to a test's base inbox probability by its send time (seconds), e.g. −0.6 to plant a test far below the
   * placement thresholds. Default: none (the draws are the same with or without it).
   */
  readonly inboxShift?: (sentSec: number) => number;
}

/** One seed account of the panel. */
export interface SendSageSeed {
  readonly seedId: number;
  readonly isp: string;
  readonly address: string;
  readonly username: string;
  readonly domain: string;
}

/** One message row of a test: the copy a seed received (or not), or a duplicate copy of it. */
export interface SendSageSeedResult extends SendSageSeed {
  readonly messageId: number;
  /** Final placement, once the test is done. */
  readonly location: SendSageLocation;
  readonly duplicate: boolean;
  /** When SendSage collected the message; null if it never arrives. */
  readonly collectedSec: number | null;
  readonly colonOffset: boolean;
  /** Whether `time_collected_unix` goes out as a string, as it sometimes does. */
  readonly unixAsString: boolean;
}

export interface SendSageSpamRule {
  readonly area: string;
  readonly rule: string;
  /** As SpamAssassin prints it, e.g. `-3.0` or `0.001`. */
  readonly score: string;
  readonly description: string;
}

export interface SendSageSpam {
  readonly messageId: number;
  readonly processedSec: number;
  /** The rounded sum of the rule scores, e.g. `-2.5`. */
  readonly score: string;
  readonly required: string;
  readonly version: string;
  readonly rules: readonly SendSageSpamRule[];
}

export interface SendSageAuth {
  readonly spf: SendSageAuthResult;
  readonly dkim: SendSageAuthResult;
  readonly dmarc: SendSageAuthResult;
}

/** One delivery test, in its final state. */
export interface SendSageCampaign {
  readonly campaignId: number;
  readonly sentSec: number;
  readonly fromAddress: string;
  readonly fromName: string;
  readonly fromDomain: string;
  readonly subject: string;
  /** The X-CampaignID header: not unique, and empty when the sender did not set one. */
  readonly customerDefinedCampaignId: string;
  readonly colonOffset: boolean;
  /** Whether `date_unix` goes out as a string. */
  readonly dateUnixAsString: boolean;
  readonly sendingIp: string;
  readonly auth: SendSageAuth;
  readonly spam: SendSageSpam;
  /** Primary rows in panel order, each followed by its duplicate copy if there is one. */
  readonly seeds: readonly SendSageSeedResult[];
}

export interface SendSagePreviewImage {
  readonly url: string | null;
  readonly status: 'done' | 'not available';
}

export interface SendSagePreviewApp {
  readonly appId: string;
  readonly platform: 'Desktop' | 'Web-based' | 'Mobile devices';
  readonly name: string;
  readonly views: Readonly<Record<SendSagePreviewView, SendSagePreviewImage>>;
}

/** One rendering test. */
export interface SendSagePreview {
  readonly previewId: number;
  readonly sentSec: number;
  readonly fromAddress: string;
  readonly fromName: string;
  readonly fromDomain: string;
  readonly subject: string;
  readonly colonOffset: boolean;
  readonly dateUnixAsString: boolean;
  readonly applications: readonly SendSagePreviewApp[];
}

export interface SendSageData {
  readonly seed: number;
  readonly isps: readonly SendSageIsp[];
  readonly seedPool: readonly SendSageSeed[];
  /** Ascending by sentSec (and so by campaignId). */
  readonly campaigns: readonly SendSageCampaign[];
  /** Ascending by sentSec (and so by previewId). */
  readonly previews: readonly SendSagePreview[];
  /** The addresses delivery_seedlist_get returns. */
  readonly seedlist: readonly string[];
}
