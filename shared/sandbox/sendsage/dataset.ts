/**
 * Deterministic synthetic data for the SendSage Monitor simulator: delivery (inbox-placement) tests with their seed
 * placements, SpamAssassin results and received messages, the account's seedlist, and rendering previews.
 *
 * Everything is generated up front from the seed (a month of tests is a few thousand seed rows), except message
 * contents, which are rebuilt from their own seed when read. What the API shows of a test depends on the clock: a
 * test is running for two hours after it was sent, and until then a seed whose message has not been collected yet
 * reads as `missing`, a duplicate copy not collected yet does not exist, and SpamAssassin's `_status` is `pending`.
 * The views below (`sendSageCampaignView`, `sendSageTruth`) take the clock as an argument and are pure.
 */
import { createRng, hashSeed, mixSeed, Rng, weightedTable } from '../random';
import { parseUtcDate } from '../socketlabs-v1/dataset';

const DAY = 86_400;

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

// ---------------------------------------------------------------------------------------------------------------------
// Dates

/** US Central time (DST included), the zone the API's dates are in: -0600 in winter, -0500 in summer. */
export function sendSageOffsetMinutes(epochSec: number): number {
  const year = new Date(epochSec * 1000).getUTCFullYear();
  const sunday = (month: number, nth: number) => {
    const dow = new Date(Date.UTC(year, month, 1)).getUTCDay();
    return 1 + ((7 - dow) % 7) + (nth - 1) * 7;
  };
  // 02:00 local on the second Sunday of March (08:00 UTC) to 02:00 local on the first Sunday of November (07:00 UTC).
  const start = Date.UTC(year, 2, sunday(2, 2), 8) / 1000;
  const end = Date.UTC(year, 10, sunday(10, 1), 7) / 1000;
  return epochSec >= start && epochSec < end ? -300 : -360;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `2012-06-01 T 12:45:40-0600` (or `-06:00` with `colon`), in the API's zone. */
export function formatSendSageDate(epochSec: number, colon = false): string {
  const offset = sendSageOffsetMinutes(epochSec);
  const local = new Date((epochSec + offset * 60) * 1000);
  const abs = Math.abs(offset);
  const zone = `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}${colon ? ':' : ''}${pad2(abs % 60)}`;
  return (
    `${local.getUTCFullYear()}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())} T ` +
    `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())}${zone}`
  );
}

const dayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An RFC 5322 date (`Mon, 05 Sep 2011 00:01:26 -0500`) in the API's zone, for message headers. */
function formatRfc5322(epochSec: number): string {
  const offset = sendSageOffsetMinutes(epochSec);
  const d = new Date((epochSec + offset * 60) * 1000);
  const abs = Math.abs(offset);
  return (
    `${dayNames[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${monthNames[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ` +
    `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`
  );
}

const requestDateRe =
  /^(\d{4})-(\d{2})-(\d{2})(?:\s*[Tt ]\s*(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Epoch seconds of a request's `date`: epoch seconds, or ISO 8601 with or without the API's spaces around `T`;
 * a date or time without a zone is read in the API's zone. Null when it is neither.
 */
export function parseSendSageDate(text: string): number | null {
  const t = text.trim();
  if (/^\d{1,12}$/.test(t)) return Number(t);
  const m = requestDateRe.exec(t);
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7).map((v) => v ?? '0') as string[];
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  const back = new Date(wall * 1000);
  if (
    back.getUTCMonth() !== Number(mo) - 1 ||
    back.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return null;
  }
  const zone = m[7];
  if (zone === undefined) {
    // The offset depends on the instant; one correction step is exact except inside the DST switch hour.
    const guess = wall - sendSageOffsetMinutes(wall) * 60;
    return wall - sendSageOffsetMinutes(guess) * 60;
  }
  if (zone === 'Z' || zone === 'z') return wall;
  const digits = zone.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || '0');
  return wall - (digits.startsWith('-') ? -1 : 1) * minutes * 60;
}

// ---------------------------------------------------------------------------------------------------------------------
// Content tables

interface Brand {
  readonly fromAddress: string;
  readonly fromName: string;
  /** Whether the from domain publishes DMARC; without it every dmarc result is `none`. */
  readonly dmarc: boolean;
}

const brands: readonly Brand[] = [
  { fromAddress: 'news@example.com', fromName: 'Newsletter', dmarc: true },
  { fromAddress: 'weather@example.com', fromName: 'Daily Weather', dmarc: true },
  { fromAddress: 'deals@shop.example.net', fromName: 'Shop "Deals" Team', dmarc: true },
  { fromAddress: 'kundenservice@beispiel.example.de', fromName: 'Bäckerei Müller & Söhne', dmarc: false },
  { fromAddress: 'Alerts@Mail.Example.io', fromName: '', dmarc: true },
  { fromAddress: 'bonjour@xn--caf-dma.example.fr', fromName: 'Café ☕ Crème', dmarc: false },
];

interface SubjectEntry {
  readonly text: string;
  /** Pushes the SpamAssassin score up. */
  readonly spammy: number;
}

const subjectTable = weightedTable<SubjectEntry>([
  [{ text: 'Your Daily News', spammy: 0 }, 10],
  [{ text: "This Week's News", spammy: 0 }, 8],
  [{ text: 'Your Daily Weather Forecast', spammy: 0 }, 6],
  [{ text: '<b>50% off</b> everything — today only', spammy: 1 }, 3],
  [{ text: '<script>alert(1)</script> Security notice', spammy: 2 }, 2],
  [{ text: 'He said "hello" & left \\o/', spammy: 0 }, 2],
  [{ text: 'Café ☕ & croissants 🥐', spammy: 0 }, 2],
  [{ text: 'Ünïcödé Sommerangebote: Größe zählt', spammy: 0 }, 2],
  [{ text: '【セール】本日限り・送料無料', spammy: 1 }, 1],
  [{ text: 'FREE!!! CLICK NOW $$$ 🤑', spammy: 4 }, 1],
]);

/** X-CampaignID values senders reuse, so several tests share one. */
const recurringCustomerIds = ['daily-news', 'weekly-digest', 'my-newsletter-1', 'promo-spring', 'abc123'];

interface RuleSpec {
  readonly area: string;
  readonly rule: string;
  readonly score: number;
  readonly description: string;
}

const rule = (area: string, name: string, score: number, description: string): RuleSpec => ({
  area,
  rule: name,
  score,
  description,
});

const rules = {
  rpCertified: rule('RBL: ', 'RCVD_IN_RP_CERTIFIED', -3, 'Sender is in Return Path Certified (trusted relay)'),
  rpSafe: rule('RBL: ', 'RCVD_IN_RP_SAFE', -2, 'Sender is in Return Path Safe (trusted relay)'),
  dnswl: rule('RBL: ', 'RCVD_IN_DNSWL_LOW', -0.7, 'Sender listed at https://www.dnswl.org/, low trust'),
  uriblBlack: rule('RBL: ', 'URIBL_BLACK', 1.7, 'Contains an URL listed in the URIBL blacklist'),
  sorbs: rule('RBL: ', 'RCVD_IN_SORBS_SPAM', 0.5, 'RBL: SORBS: sender is a spam source'),
  htmlMessage: rule('BODY: ', 'HTML_MESSAGE', 0.001, 'HTML included in message'),
  htmlOnly: rule('BODY: ', 'MIME_HTML_ONLY', 0.723, 'Message only has text/html MIME parts'),
  imageRatio: rule('BODY: ', 'HTML_IMAGE_RATIO_02', 0.805, 'HTML has a low ratio of text to image area'),
  scriptTag: rule('BODY: ', 'HTML_SCRIPT_TAG', 1.2, 'HTML contains a <script> tag'),
  lotsOfMoney: rule('BODY: ', 'LOTS_OF_MONEY', 0.001, 'Huge... sums of money'),
  freeClick: rule('BODY: ', 'CLICK_BELOW', 2.1, 'Asks you to "click below"'),
  dcc: rule('BODY: ', 'DCC_CHECK', 1.1, 'Detected as bulk mail by DCC (dcc-servers.net)'),
  dkimSigned: rule('HEADER: ', 'DKIM_SIGNED', 0.1, 'Message has a DKIM or DK signature, not necessarily valid'),
  dkimValid: rule('HEADER: ', 'DKIM_VALID', -0.1, 'Message has at least one valid DKIM or DK signature'),
  dkimValidAu: rule('HEADER: ', 'DKIM_VALID_AU', -0.1, "Message has a valid DKIM or DK signature from author's domain"),
  spfPass: rule('HEADER: ', 'SPF_PASS', -0.001, 'SPF: sender matches SPF record'),
  spfSoftfail: rule('HEADER: ', 'SPF_SOFTFAIL', 0.665, 'SPF: sender does not match SPF record (softfail)'),
  spfFail: rule('HEADER: ', 'SPF_FAIL', 0.919, 'SPF: sender does not match SPF record (fail)'),
  spfNone: rule('HEADER: ', 'SPF_NONE', 0.001, 'SPF: sender does not publish an SPF Record'),
  subjAllCaps: rule('HEADER: ', 'SUBJ_ALL_CAPS', 0.5, 'Subject is all capitals'),
  unicodeSubj: rule('HEADER: ', 'SUBJ_ILLEGAL_CHARS', 1.4, 'Subject: has too many raw illegal characters'),
  uriHex: rule('URI: ', 'URI_HEX', 1.1, 'URI hostname has long hexadecimal sequence'),
  trackerId: rule('BODY: ', 'TRACKER_ID', 0.1, 'BODY: Incorporates a tracking ID number'),
};

const spamVersions = [
  'SpamAssassin 3.3.2 (2011-06-06) on calvin.drh.net',
  'SpamAssassin 3.4.6 (2021-04-09) on hobbes.drh.net',
];

interface PreviewAppSpec {
  readonly appId: string;
  readonly platform: SendSagePreviewApp['platform'];
  readonly name: string;
}

// The document's example names desktop Outlooks "2Outlook 2000": a sort prefix that leaks into the name.
const previewApps: readonly PreviewAppSpec[] = [
  { appId: 'ol2000', platform: 'Desktop', name: '2Outlook 2000' },
  { appId: 'ol2002', platform: 'Desktop', name: '2Outlook 2002/XP' },
  { appId: 'ol2003', platform: 'Desktop', name: '2Outlook 2003' },
  { appId: 'ol2007', platform: 'Desktop', name: '2Outlook 2007' },
  { appId: 'ol2010', platform: 'Desktop', name: '2Outlook 2010' },
  { appId: 'ol2013', platform: 'Desktop', name: '2Outlook 2013' },
  { appId: 'tbird', platform: 'Desktop', name: 'Thunderbird 3.0' },
  { appId: 'notes8', platform: 'Desktop', name: 'Lotus Notes 8.5' },
  { appId: 'applemail', platform: 'Desktop', name: 'Apple Mail 4' },
  { appId: 'ffyahoo', platform: 'Web-based', name: 'Yahoo! Mail (Firefox)' },
  { appId: 'ffgmail', platform: 'Web-based', name: 'Gmail (Firefox)' },
  { appId: 'iehotmail', platform: 'Web-based', name: 'Outlook.com (Internet Explorer)' },
  { appId: 'ffaol', platform: 'Web-based', name: 'AOL Mail (Firefox)' },
  { appId: 'chgmx', platform: 'Web-based', name: 'GMX FreeMail (Chrome)' },
  { appId: 'iphone', platform: 'Mobile devices', name: 'iPhone' },
  { appId: 'ipad', platform: 'Mobile devices', name: 'iPad' },
  { appId: 'android', platform: 'Mobile devices', name: 'Android 4.0' },
];

// ---------------------------------------------------------------------------------------------------------------------
// Generation

const usernameStyles: readonly ((rng: Rng, n: number) => string)[] = [
  (r) => `drh${r.hex(6).toLowerCase()}`,
  (_r, n) => `test_account_${100 + n}`,
  (r) => `sagepawn${r.hex(4).toLowerCase()}`,
  (r, n) => `seed.${n}.${r.hex(3).toLowerCase()}`,
];

function buildSeedPool(seed: number, isps: readonly SendSageIsp[]): SendSageSeed[] {
  const rng = createRng(seed, 'sendsage-seeds');
  const pool: SendSageSeed[] = [];
  const used = new Set<string>();
  let seedId = rng.int(30_000, 40_000);
  for (const isp of isps) {
    for (let i = 0; i < isp.seeds; i++) {
      let username = '';
      do username = rng.pick(usernameStyles)(rng, pool.length);
      while (used.has(`${username}@${isp.domain}`));
      used.add(`${username}@${isp.domain}`);
      seedId += rng.int(1, 4);
      pool.push({ seedId, isp: isp.name, address: `${username}@${isp.domain}`, username, domain: isp.domain });
    }
  }
  return pool;
}

/** SpamAssassin prints one decimal unless the rule's score needs more. */
function formatRuleScore(score: number): string {
  return Number.isInteger(Math.round(score * 10000) / 1000) ? score.toFixed(1) : String(score);
}

function formatTotalScore(score: number): string {
  const text = score.toFixed(1);
  return text === '-0.0' ? '0.0' : text;
}

function pickAuth(rng: Rng, brand: Brand): SendSageAuth {
  const spf = rng.pickWeighted(authTable);
  const dkim = rng.pickWeighted(dkimTable);
  let dmarc: SendSageAuthResult = 'none';
  if (brand.dmarc) dmarc = (spf === 'pass' || dkim === 'pass') && rng.chance(0.97) ? 'pass' : 'fail';
  return { spf, dkim, dmarc };
}

const authTable = weightedTable<SendSageAuthResult>([
  ['pass', 80],
  ['softfail', 8],
  ['fail', 5],
  ['none', 7],
]);
const dkimTable = weightedTable<SendSageAuthResult>([
  ['pass', 80],
  ['fail', 10],
  ['none', 10],
]);

function pickRules(rng: Rng, auth: SendSageAuth, subject: SubjectEntry): RuleSpec[] {
  const picked: RuleSpec[] = [];
  const reputable = rng.chance(0.45);
  if (reputable) picked.push(rules.rpCertified, ...(rng.chance(0.6) ? [rules.rpSafe] : []));
  else if (rng.chance(0.4)) picked.push(rules.dnswl);
  picked.push(rules.htmlMessage);
  if (rng.chance(0.3)) picked.push(rules.htmlOnly);
  if (rng.chance(0.2)) picked.push(rules.imageRatio);
  if (rng.chance(0.3)) picked.push(rules.trackerId);
  if (auth.dkim !== 'none') picked.push(rules.dkimSigned);
  if (auth.dkim === 'pass') picked.push(rules.dkimValid, rules.dkimValidAu);
  picked.push({ pass: rules.spfPass, softfail: rules.spfSoftfail, fail: rules.spfFail, none: rules.spfNone }[auth.spf]);
  if (subject.text.includes('<script>')) picked.push(rules.scriptTag);
  if (/[^\x00-\x7f]/.test(subject.text) && rng.chance(0.5)) picked.push(rules.unicodeSubj);
  if (subject.spammy >= 4) picked.push(rules.subjAllCaps, rules.freeClick, rules.lotsOfMoney);
  if (subject.spammy >= 1 && rng.chance(0.5)) picked.push(rules.dcc);
  // A few tests land on block lists whatever they say, so results go both ways at every subject.
  if (rng.chance(0.1)) picked.push(rules.uriblBlack, rules.sorbs);
  if (rng.chance(0.08)) picked.push(rules.uriHex);
  return picked;
}

function pickCustomerId(rng: Rng, dayNum: number): string {
  const r = rng.next();
  if (r < 0.6) return rng.pick(recurringCustomerIds);
  if (r < 0.9) return `cmp-${dayNum}-${rng.hex(4).toLowerCase()}`;
  return '';
}

/** Seconds from sending until a copy is collected: mostly minutes, a few close to the end of the running window. */
function collectDelay(rng: Rng): number {
  const r = rng.next();
  if (r < 0.8) return rng.int(40, 900);
  if (r < 0.98) return rng.int(900, 3600);
  return rng.int(3600, 6600);
}

interface PendingCampaign {
  readonly sentSec: number;
  readonly rngSeed: number;
}

function buildCampaign(
  pending: PendingCampaign,
  campaignId: number,
  nextMessageId: () => number,
  pool: readonly SendSageSeed[],
  isps: readonly SendSageIsp[],
  inboxShift: (sentSec: number) => number,
): SendSageCampaign {
  const rng = new Rng(pending.rngSeed);
  const brand = rng.pick(brands);
  const subject = rng.pickWeighted(subjectTable);
  const dayNum = Math.floor(pending.sentSec / DAY);
  const auth = pickAuth(rng, brand);
  const specs = pickRules(rng, auth, subject);
  const sum = specs.reduce((acc, r) => acc + r.score, 0);
  const score = formatTotalScore(sum);
  const spam: SendSageSpam = {
    messageId: nextMessageId(),
    processedSec: pending.sentSec + rng.int(5, 180),
    score,
    required: '5.0',
    version: rng.pick(spamVersions),
    rules: specs.map((r) => ({
      area: r.area,
      rule: r.rule,
      score: formatRuleScore(r.score),
      description: r.description,
    })),
  };

  // Inbox placement follows the score, each ISP's strictness and a per-test reputation swing. A clean test lands
  // ~95 % in the inbox (seed tests of a healthy sender), so the spammy or blocklisted ones stand out; with three to
  // eight seeds per ISP, chance alone still drops an ISP below the thresholds now and then.
  const reputation = rng.float(-0.02, 0.02);
  const baseInbox = Math.min(
    0.98,
    Math.max(0.1, 1 - Math.max(0, Number(score)) * 0.05 + reputation + inboxShift(pending.sentSec)),
  );
  const pMissing = 0.02 + (auth.spf === 'fail' ? 0.08 : 0) + (auth.dkim === 'fail' ? 0.03 : 0);
  const strictness = new Map(isps.map((i) => [i.name, i.strictness ?? 0.05]));

  const seeds: SendSageSeedResult[] = [];
  const ispsSeen = new Set<string>();
  for (let i = 0; i < pool.length; i++) {
    const s = pool[i]!;
    const lastOfIsp = pool[i + 1]?.isp !== s.isp;
    // Seed accounts drop out of single tests (locked, over quota), but every ISP keeps at least one.
    if (rng.chance(0.06) && !(lastOfIsp && !ispsSeen.has(s.isp))) continue;
    ispsSeen.add(s.isp);
    const r = rng.next();
    // Half the strictness: at full weight the strictest ISPs failed even clean tests on chance with four seeds.
    const pInbox = Math.max(0.05, baseInbox - (strictness.get(s.isp) ?? 0.05) / 2);
    const location: SendSageLocation =
      r < pMissing ? 'missing' : r < pMissing + (1 - pMissing) * pInbox ? 'inbox' : 'bulk';
    const collectedSec = location === 'missing' ? null : pending.sentSec + collectDelay(rng);
    seeds.push({
      ...s,
      messageId: nextMessageId(),
      location,
      duplicate: false,
      collectedSec,
      colonOffset: rng.chance(0.12),
      unixAsString: rng.chance(0.3),
    });
    if (collectedSec !== null && rng.chance(0.04)) {
      const again = Math.min(pending.sentSec + SENDSAGE_RUNNING_SECONDS - 60, collectedSec + rng.int(60, 1200));
      seeds.push({
        ...s,
        messageId: nextMessageId(),
        location: rng.chance(0.3) ? (location === 'inbox' ? 'bulk' : 'inbox') : location,
        duplicate: true,
        collectedSec: Math.max(collectedSec, again),
        colonOffset: rng.chance(0.12),
        unixAsString: rng.chance(0.3),
      });
    }
  }

  const octets = [rng.pick(['192.0.2', '198.51.100', '203.0.113']), rng.int(2, 250)];
  return {
    campaignId,
    sentSec: pending.sentSec,
    fromAddress: brand.fromAddress,
    fromName: brand.fromName,
    fromDomain: brand.fromAddress.slice(brand.fromAddress.indexOf('@') + 1),
    subject: subject.text,
    customerDefinedCampaignId: pickCustomerId(rng, dayNum),
    colonOffset: rng.chance(0.15),
    dateUnixAsString: rng.chance(0.1),
    sendingIp: octets.join('.'),
    auth,
    spam,
    seeds,
  };
}

function buildPreview(rng: Rng, previewId: number, sentSec: number): SendSagePreview {
  const brand = rng.pick(brands);
  const subject = rng.pickWeighted(subjectTable).text;
  const token = rng.hex(24).toLowerCase();
  const applications: SendSagePreviewApp[] = [];
  for (const app of previewApps) {
    if (!rng.chance(0.7) && applications.length + (previewApps.length - previewApps.indexOf(app)) > 2) continue;
    const views = {} as Record<SendSagePreviewView, SendSagePreviewImage>;
    for (const view of sendSagePreviewViews) {
      // Mobile clients have no preview pane; thumbnails are only made on request; renders fail now and then.
      let available = rng.chance(0.93);
      if (view === 'thumbnail') available = rng.chance(0.3);
      if (app.platform === 'Mobile devices' && view.startsWith('preview_')) available = false;
      views[view] = available
        ? {
            url: `http://monitor.drh.net/preview_images/${previewId}.${token}.${app.appId}.${view}.png`,
            status: 'done',
          }
        : { url: null, status: 'not available' };
    }
    applications.push({ appId: app.appId, platform: app.platform, name: app.name, views });
  }
  return {
    previewId,
    sentSec,
    fromAddress: brand.fromAddress,
    fromName: brand.fromName,
    fromDomain: brand.fromAddress.slice(brand.fromAddress.indexOf('@') + 1),
    subject,
    colonOffset: rng.chance(0.15),
    dateUnixAsString: rng.chance(0.1),
    applications,
  };
}

/** Generates every test, preview and seed of an account over [from, to]; pure in its options. */
export function generateSendSageData(options: SendSageDataOptions): SendSageData {
  const fromDay = parseUtcDate(options.from);
  const toDay = parseUtcDate(options.to);
  if (toDay < fromDay) throw new Error('to must not be before from');
  const perDay = options.campaignsPerDay ?? 3;
  if (!(perDay >= 0 && Number.isFinite(perDay))) throw new Error('campaignsPerDay must be a non-negative number');
  const isps = options.isps ?? defaultSendSageIsps;
  if (isps.length === 0) throw new Error('isps must not be empty');
  for (const isp of isps) {
    if (!(Number.isInteger(isp.seeds) && isp.seeds >= 1)) throw new Error(`ISP ${isp.name} needs at least one seed`);
  }
  if (new Set(isps.map((i) => i.name)).size !== isps.length) throw new Error('ISP names must be unique');
  const seed = options.seed;
  const pool = buildSeedPool(seed, isps);

  const pending: PendingCampaign[] = [];
  const previewTimes: number[] = [];
  for (let day = fromDay; day <= toDay; day++) {
    const rng = createRng(seed, 'sendsage-day', day);
    const whole = Math.floor(perDay);
    const count = Math.max(0, whole + rng.int(whole > 0 ? -1 : 0, 1) + (rng.chance(perDay - whole) ? 1 : 0));
    for (let i = 0; i < count; i++) {
      // 11:00-23:00 UTC is the sender's working day in Central time.
      pending.push({ sentSec: day * DAY + rng.int(11 * 3600, 23 * 3600), rngSeed: mixSeed(hashSeed(seed, day), i) });
    }
    const previews = rng.chance(0.6) ? (rng.chance(0.2) ? 2 : 1) : 0;
    for (let i = 0; i < previews; i++) previewTimes.push(day * DAY + rng.int(12 * 3600, 22 * 3600));
  }
  pending.sort((a, b) => a.sentSec - b.sentSec || a.rngSeed - b.rngSeed);
  previewTimes.sort((a, b) => a - b);

  // Ids are shared with other customers of the service, hence the gaps.
  const ids = createRng(seed, 'sendsage-ids');
  let campaignId = ids.int(1_000, 5_000);
  let messageId = ids.int(1_400_000, 2_700_000);
  const nextMessageId = () => {
    messageId += ids.int(1, 3);
    return messageId;
  };
  const campaigns = pending.map((p) => {
    campaignId += ids.int(1, 6);
    return buildCampaign(p, campaignId, nextMessageId, pool, isps, options.inboxShift ?? (() => 0));
  });

  let previewId = ids.int(60, 400);
  const previews = previewTimes.map((sentSec, i) => {
    previewId += ids.int(1, 4);
    return buildPreview(new Rng(mixSeed(hashSeed(seed, 'sendsage-preview'), i)), previewId, sentSec);
  });

  return { seed, isps, seedPool: pool, campaigns, previews, seedlist: pool.map((s) => s.address) };
}

// ---------------------------------------------------------------------------------------------------------------------
// Views at a given time

/** What a row looks like at a moment: not collected yet reads as missing. */
export interface SendSageSeedView {
  readonly row: SendSageSeedResult;
  readonly location: SendSageLocation;
  readonly collectedSec: number | null;
}

export interface SendSageIspView {
  readonly name: string;
  readonly domain: string;
  readonly category: SendSageCategory;
  readonly countInbox: number;
  readonly countBulk: number;
  readonly countMissing: number;
  readonly countDuplicate: number;
  readonly countTotal: number;
  readonly pctInbox: number;
  readonly pctBulk: number;
  readonly pctMissing: number;
}

/** A test as the API shows it at one moment. */
export interface SendSageCampaignView {
  readonly campaign: SendSageCampaign;
  readonly status: 'done' | 'pending';
  /** Visible rows: every primary row, and the duplicate copies collected so far. */
  readonly rows: readonly SendSageSeedView[];
  readonly isps: readonly SendSageIspView[];
  readonly countInbox: number;
  readonly countBulk: number;
  readonly countMissing: number;
  readonly countDuplicate: number;
  readonly countTotal: number;
  readonly pctInbox: number;
  readonly pctBulk: number;
  readonly pctMissing: number;
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
  const totals = { inbox: 0, bulk: 0, missing: 0, duplicate: 0, total: 0 };
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
      countInbox: c.inbox,
      countBulk: c.bulk,
      countMissing: c.missing,
      countDuplicate: c.duplicate,
      countTotal: c.total,
      pctInbox: sendSagePct(c.inbox, c.total),
      pctBulk: sendSagePct(c.bulk, c.total),
      pctMissing: sendSagePct(c.missing, c.total),
    });
  }
  return {
    campaign,
    status: isSendSageRunning(campaign, nowSec) ? 'pending' : 'done',
    rows,
    isps: ispViews,
    countInbox: totals.inbox,
    countBulk: totals.bulk,
    countMissing: totals.missing,
    countDuplicate: totals.duplicate,
    countTotal: totals.total,
    pctInbox: sendSagePct(totals.inbox, totals.total),
    pctBulk: sendSagePct(totals.bulk, totals.total),
    pctMissing: sendSagePct(totals.missing, totals.total),
    spamProcessed: campaign.spam.processedSec <= nowSec,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Message contents

/** What a message's own headers say about authentication; null where its receiver does not report it. */
export interface SendSageHeaderAuth {
  readonly spf: SendSageAuthResult | null;
  readonly dkim: SendSageAuthResult | null;
  readonly dmarc: SendSageAuthResult | null;
}

/** RFC 2047 B-encoding for header text that is not plain ASCII. */
function encodeWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

type Flavor = 'google' | 'yahoo' | 'yahoo-legacy' | 'microsoft' | 'generic';

function flavorOf(isp: string): Flavor {
  if (isp === 'Gmail') return 'google';
  if (isp === 'Yahoo' || isp === 'AOL') return 'yahoo';
  // The second AOL panel still sits on the old Yahoo platform, which reports neither SPF nor DMARC in its header.
  if (isp === 'AOL 2') return 'yahoo-legacy';
  if (isp === 'Outlook' || isp === 'Hotmail') return 'microsoft';
  return 'generic';
}

/** The authentication results a message's headers carry (see `sendSageMessageContent`). */
export function sendSageHeaderAuth(campaign: SendSageCampaign, row: SendSageSeedResult): SendSageHeaderAuth {
  const { spf, dkim, dmarc } = campaign.auth;
  return flavorOf(row.isp) === 'yahoo-legacy' ? { spf, dkim, dmarc: null } : { spf, dkim, dmarc };
}

/**
 * The raw message a seed received: the receiver's trace and authentication headers, the sender's headers, a blank
 * line and the HTML body, lines separated by LF. Null for a message that never arrived.
 */
export function sendSageMessageContent(data: SendSageData, campaign: SendSageCampaign, row: SendSageSeedResult) {
  if (row.collectedSec === null) return null;
  const rng = createRng(data.seed, 'sendsage-message', row.messageId);
  const c = campaign;
  const ip = c.sendingIp;
  const d = c.fromDomain.toLowerCase();
  const bounce = `bounce-${row.messageId}@${d}`;
  const sentAt = c.sentSec + rng.int(0, 30);
  const receivedAt = sentAt + rng.int(1, 20);
  const { spf, dkim, dmarc } = c.auth;
  const selector = rng.pick(['default', 's1', 'k1', 'dkim2024']);
  const bh = Buffer.from(rng.hex(32), 'hex').toString('base64');
  const b = Buffer.from(rng.hex(64) + rng.hex(64), 'hex').toString('base64');
  const flavor = flavorOf(row.isp);
  const spfText: Record<SendSageAuthResult, string> = {
    pass: `pass (domain of ${d} designates ${ip} as permitted sender)`,
    softfail: `softfail (domain of transitioning ${d} does not designate ${ip} as permitted sender)`,
    fail: `fail (domain of ${d} does not designate ${ip} as permitted sender)`,
    none: `none (domain of ${d} does not designate permitted sender hosts)`,
  };
  const dkimNote: Record<SendSageAuthResult, string> = {
    pass: 'pass (ok)',
    fail: 'fail (bad sig)',
    softfail: 'neutral',
    none: 'none (no signature)',
  };
  const mx = `mx${rng.int(1, 9)}.${row.domain}`;
  const h: string[] = [];
  if (flavor === 'google') {
    h.push(`Delivered-To: ${row.address}`);
    h.push(`Received: by 2002:a05:6520:${rng.hex(4).toLowerCase()} with SMTP id ${rng.hex(8).toLowerCase()};`);
    h.push(`        ${formatRfc5322(receivedAt)}`);
    h.push(`Return-Path: <${bounce}>`);
    h.push(`Received: from mta1.${d} (mta1.${d}. [${ip}])`);
    h.push(`        by mx.google.com with ESMTPS id ${rng.hex(12).toLowerCase()}`);
    h.push(`        for <${row.address}>; ${formatRfc5322(receivedAt)}`);
    h.push(`Received-SPF: ${spf} (google.com: ${spfText[spf].replace(/^\w+ \(/, '').replace(/\)$/, '')})`);
    h.push('Authentication-Results: mx.google.com;');
    h.push(
      `       dkim=${dkim === 'none' ? 'none' : `${dkim} header.i=@${d} header.s=${selector} header.b=${b.slice(0, 8)}`};`,
    );
    h.push(`       spf=${spf} (google.com: domain of ${bounce}) smtp.mailfrom=${bounce};`);
    h.push(`       dmarc=${dmarc} (p=${dmarc === 'none' ? 'NONE' : 'QUARANTINE'} sp=NONE dis=NONE) header.from=${d}`);
  } else if (flavor === 'yahoo') {
    h.push(
      `X-Apparently-To: ${row.address} via 98.138.${rng.int(1, 250)}.${rng.int(1, 250)}; ${formatRfc5322(receivedAt)}`,
    );
    if (row.location === 'bulk') h.push(`X-YahooFilteredBulk: ${ip}`);
    h.push(`Return-Path: <${bounce}>`);
    h.push(`Received-SPF: ${spfText[spf]}`);
    h.push(`X-Originating-IP: [${ip}]`);
    h.push(`Authentication-Results: atlas${rng.int(100, 400)}.free.mail.ne1.yahoo.com;`);
    h.push(` dkim=${dkim}${dkim === 'none' ? '' : ` header.i=@${d} header.s=${selector}`};`);
    h.push(` spf=${spf} smtp.mailfrom=${d};`);
    h.push(` dmarc=${dmarc}(p=${dmarc === 'none' ? 'NONE' : 'REJECT'}) header.from=${d};`);
    h.push(`Received: from ${ip} (EHLO mta1.${d})`);
    h.push(`  by ${mx} with SMTP; ${formatRfc5322(receivedAt)}`);
  } else if (flavor === 'yahoo-legacy') {
    h.push(`X-Apparently-To: ${row.address} via 98.168.85.${rng.int(1, 250)}; ${formatRfc5322(receivedAt)}`);
    if (row.location === 'bulk') h.push(`X-YahooFilteredBulk: ${ip}`);
    h.push(`Received-SPF: ${spfText[spf]}`);
    h.push(`X-Originating-IP: [${ip}]`);
    h.push(
      `Authentication-Results: mta${rng.int(1000, 1999)}.mail.sk1.yahoo.com  from=${d}; domainkeys=neutral (no sig);  from=${d}; dkim=${dkimNote[dkim]}`,
    );
    h.push(`Received: from 127.0.0.1  (HELO mta1.${d}) (${ip})`);
    h.push(`  by ${mx} with SMTP; ${formatRfc5322(receivedAt)}`);
  } else if (flavor === 'microsoft') {
    h.push(
      `Received: from ${mx} (2603:10a6:20b::${rng.hex(2).toLowerCase()}) by ${row.domain.toUpperCase()} with HTTPS;`,
    );
    h.push(` ${formatRfc5322(receivedAt)}`);
    h.push(
      `Authentication-Results: spf=${spf} (sender IP is ${ip}) smtp.mailfrom=${d}; dkim=${dkim}` +
        `${dkim === 'pass' ? ' (signature was verified)' : ''} header.d=${d};dmarc=${dmarc} action=none`,
    );
    h.push(` header.from=${d};compauth=${dmarc === 'pass' ? 'pass reason=100' : 'none reason=405'}`);
    h.push(
      `Received-SPF: ${spf === 'pass' ? 'Pass' : spf === 'fail' ? 'Fail' : spf === 'softfail' ? 'SoftFail' : 'None'}`,
    );
    h.push(
      ` (protection.outlook.com: domain of ${d} ${spf === 'pass' ? 'designates' : 'does not designate'} ${ip} as permitted sender)`,
    );
    h.push(` receiver=protection.outlook.com; client-ip=${ip}; helo=mta1.${d}; pr=C`);
  } else {
    h.push(`Return-Path: <${bounce}>`);
    h.push(`Received: from mta1.${d} ([${ip}]) by ${mx} with ESMTP id ${rng.hex(10)}`);
    h.push(`  for <${row.address}>; ${formatRfc5322(receivedAt)}`);
    h.push(`Received-SPF: ${spfText[spf]}`);
    h.push(`Authentication-Results: ${mx}; spf=${spf} smtp.mailfrom=${bounce}; dkim=${dkim} header.d=${d};`);
    h.push(`  dmarc=${dmarc} header.from=${d}`);
  }
  if (dkim !== 'none') {
    h.push(`DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;`);
    h.push(`\td=${d}; s=${selector}; h=Date:Message-ID:To:Subject:From:Reply-To:`);
    h.push(`\tMIME-Version:Content-Type:Content-Transfer-Encoding; bh=${bh};`);
    h.push(`\tb=${b}`);
  }
  const fromHeader = c.fromName === '' ? c.fromAddress : `"${encodeWord(c.fromName)}" <${c.fromAddress}>`;
  h.push(`Date: ${formatRfc5322(sentAt)}`);
  h.push(`Message-ID: <${rng.hex(16).toLowerCase()}.${row.messageId}@${d}>`);
  h.push(`To: ${row.address}`);
  h.push(`Subject: ${encodeWord(c.subject)}`);
  h.push(`From: ${fromHeader}`);
  h.push(`Reply-To: ${c.fromAddress}`);
  h.push('MIME-Version: 1.0');
  if (c.customerDefinedCampaignId !== '') h.push(`X-CampaignID: ${c.customerDefinedCampaignId}`);
  h.push(`X-Mailer-Seed: ${rng.hex(20).toLowerCase()}`);
  h.push('Content-Type: text/html; charset="UTF-8"');
  h.push('Content-Transfer-Encoding: 8bit');
  const body = [
    '<html><body>',
    `<p>Hello ${row.username},</p>`,
    `<h1>${c.subject}</h1>`,
    `<p>Here's your news from ${c.fromName === '' ? d : c.fromName}.</p>`,
    `<p><a href="https://${d}/c/${rng.hex(12).toLowerCase()}">Read more</a></p>`,
    `<img src="https://${d}/o/${row.messageId}.gif" width="1" height="1" alt="">`,
    '</body></html>',
    '',
  ];
  return `${h.join('\n')}\n\n${body.join('\n')}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Truth

export interface SendSageTruthCampaign {
  readonly campaignId: number;
  readonly customerDefinedCampaignId: string;
  readonly sentAt: number;
  readonly fromAddress: string;
  readonly fromName: string;
  readonly fromDomain: string;
  readonly subject: string;
  readonly status: 'done' | 'pending';
  readonly countInbox: number;
  readonly countBulk: number;
  readonly countMissing: number;
  readonly countDuplicate: number;
  readonly countTotal: number;
  readonly pctInbox: number;
  readonly pctBulk: number;
  readonly pctMissing: number;
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
