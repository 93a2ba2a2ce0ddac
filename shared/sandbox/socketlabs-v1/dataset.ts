/**
 * Deterministic synthetic data for the SocketLabs Reporting API v1 simulator. Records are the API's JSON items, key
 * for key (PascalCase, in the order the guide's examples show them). Nothing is generated up front: a dataset-day only
 * gets its sorted timestamps when something first reads it, and a record is rebuilt from its own seed every time it is
 * read, so a million-row lake costs a few bytes per row until someone materialises it.
 */
import { documentedFailureCodes } from '../../sources/socketlabs-common/failure-codes';
import { type BlockIncident, blockReason, checkBlockIncident, fillBlockFloor, isBlocked } from '../block-incident';
import { DayTimeline, type RecordFactory } from '../day-timeline';
import { dailyVolume } from '../mail-rhythm';
import { hashSeed, mixSeed, Rng, weightedTable } from '../random';

export type V1Dataset = 'failed' | 'queued' | 'processed' | 'complaints' | 'engagement';
export type V1Method =
  | 'messagesFailed'
  | 'messagesQueued'
  | 'messagesProcessed'
  | 'messagesFblReported'
  | 'messagesOpenClick';

/** Every message dataset, in the order the guide documents the methods. */
export const v1Datasets: readonly V1Dataset[] = ['failed', 'queued', 'processed', 'complaints', 'engagement'];

/** API method (URL path segment under /v1) serving each dataset. */
export const v1DatasetMethods: Readonly<Record<V1Dataset, V1Method>> = {
  failed: 'messagesFailed',
  queued: 'messagesQueued',
  processed: 'messagesProcessed',
  complaints: 'messagesFblReported',
  engagement: 'messagesOpenClick',
};

/** Dataset served by each API method. */
export const v1MethodDatasets: Readonly<Record<V1Method, V1Dataset>> = {
  messagesFailed: 'failed',
  messagesQueued: 'queued',
  messagesProcessed: 'processed',
  messagesFblReported: 'complaints',
  messagesOpenClick: 'engagement',
};

/** One API item: PascalCase keys, DateTime as canonical UTC (`2026-11-20T13:02:56Z`). */
export type V1Record = Record<string, unknown>;

/** Number of records of a dataset on a UTC date (`YYYY-MM-DD`) for a server. */
export type V1Profile = (dataset: V1Dataset, date: string, serverId: number) => number;

export interface V1DataOptions {
  readonly seed: number;
  readonly serverIds: readonly number[];
  /** First UTC date, inclusive (`YYYY-MM-DD`). */
  readonly from: string;
  /** Last UTC date, inclusive (`YYYY-MM-DD`). */
  readonly to: string;
  readonly profile?: V1Profile;
  /** Ratios of the default profile (ignored with `profile`); unset ones keep `defaultV1Ratios`. */
  readonly ratios?: Partial<V1Ratios>;
  /** A block planted in the data: the server's queued mail to the domain within it also fails with the code. */
  readonly incident?: BlockIncident;
}

/**
 * Records of the other datasets per queued message in the default profile: each (dataset, server, day) draws its ratio
 * uniformly from [min, max].
 */
export interface V1Ratios {
  readonly processed: readonly [number, number];
  readonly failed: readonly [number, number];
  readonly complaints: readonly [number, number];
  readonly engagement: readonly [number, number];
}

/**
 * What a healthy sender sees: 0.8–2.5 % of messages fail (a few of those are suppressions, not bounces), about 1 in
 * 3,000 draws a complaint (Gmail and Yahoo ask bulk senders to stay under 1 in 1,000).
 */
export const defaultV1Ratios: V1Ratios = {
  processed: [0.95, 0.99],
  failed: [0.008, 0.025],
  complaints: [0.0001, 0.0006],
  engagement: [0.1, 0.3],
};

const DAY = 86_400;

// ---------------------------------------------------------------------------------------------------------------------
// Dates

const dateRe = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since the Unix epoch of a UTC date `YYYY-MM-DD`; throws on anything else. */
export function parseUtcDate(date: string): number {
  const m = dateRe.exec(date);
  if (!m) throw new Error(`invalid date '${date}' (expected YYYY-MM-DD)`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new Error(`invalid date '${date}'`);
  return ms / 86_400_000;
}

/** UTC date `YYYY-MM-DD` of a day number (days since the Unix epoch). */
export function formatUtcDate(dayNum: number): string {
  return new Date(dayNum * 86_400_000).toISOString().slice(0, 10);
}

const twoDigits = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
let cachedDayNum = Number.NaN;
let cachedDayPrefix = '';

/** Renders epoch seconds as the API does: `2010-03-01T16:29:57Z`, or local time with its offset (`-04:00`). */
export function formatV1DateTime(epochSec: number, offsetMinutes = 0): string {
  const localSec = Math.floor(epochSec) + offsetMinutes * 60;
  const dayNum = Math.floor(localSec / DAY);
  // Pages are runs of records from the same day; caching the date part avoids a Date per record on the hot path.
  if (dayNum !== cachedDayNum) {
    cachedDayNum = dayNum;
    cachedDayPrefix = new Date(dayNum * 86_400_000).toISOString().slice(0, 11);
  }
  const s = localSec - dayNum * DAY;
  let zone = 'Z';
  if (offsetMinutes !== 0) {
    const abs = Math.abs(offsetMinutes);
    zone = `${offsetMinutes < 0 ? '-' : '+'}${twoDigits[Math.floor(abs / 60)]}:${twoDigits[abs % 60]}`;
  }
  // join() yields one flat string; a template literal would leave a tree of cons strings, ~120 bytes more per
  // record once a large truth is materialised.
  return [
    cachedDayPrefix,
    twoDigits[Math.floor(s / 3600)],
    ':',
    twoDigits[Math.floor(s / 60) % 60],
    ':',
    twoDigits[s % 60],
    zone,
  ].join('');
}

const isoRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Whole epoch seconds of an ISO date-time with `Z` or an offset; null when it is not one. */
export function parseV1DateTime(text: unknown): number | null {
  if (typeof text !== 'string' || !isoRe.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

// ---------------------------------------------------------------------------------------------------------------------
// Content tables

const domainTable = weightedTable<string>([
  ['gmail.com', 28],
  ['yahoo.com', 9],
  ['outlook.com', 6],
  ['hotmail.com', 6],
  ['icloud.com', 4],
  ['aol.com', 3],
  ['live.com', 2],
  ['msn.com', 1.5],
  ['comcast.net', 2],
  ['googlemail.com', 0.5],
  ...(
    [
      'yahoo.co.uk',
      'ymail.com',
      'me.com',
      'mac.com',
      'verizon.net',
      'att.net',
      'sbcglobal.net',
      'cox.net',
      'charter.net',
      'earthlink.net',
      'protonmail.com',
      'proton.me',
      'gmx.de',
      'gmx.net',
      'web.de',
      't-online.de',
      'freenet.de',
      'orange.fr',
      'free.fr',
      'laposte.net',
      'wanadoo.fr',
      'libero.it',
      'virgilio.it',
      'mail.ru',
      'yandex.ru',
      'rambler.ru',
      'qq.com',
      '163.com',
      '126.com',
      'sina.com',
      'naver.com',
      'daum.net',
      'hanmail.net',
      'rediffmail.com',
      'bigpond.com',
      'optusnet.com.au',
      'shaw.ca',
      'rogers.com',
      'sympatico.ca',
      'btinternet.com',
      'sky.com',
      'virginmedia.com',
      'ntlworld.com',
      'telenet.be',
      'ziggo.nl',
      'kpnmail.nl',
      'xs4all.nl',
      'seznam.cz',
      'wp.pl',
      'onet.pl',
      'uol.com.br',
      'bol.com.br',
      'terra.com.br',
      'zoho.com',
      'fastmail.com',
      'tutanota.com',
      'hey.com',
    ] as const
  ).map((d) => [d, 0.6] as const),
  ...(
    [
      'acme-corp.com',
      'globex.example',
      'initech.com',
      'umbrella-corp.net',
      'stanford.edu',
      'mit.edu',
      'raybushaw2.com',
      'rayparamount.com',
      'smallbakery.co.uk',
      'dentist-oslo.no',
      'xn--bcher-kva.de',
      'müller-bau.de',
      'example.org',
      'tiny-startup.io',
    ] as const
  ).map((d) => [d, 0.15] as const),
]);

/** Every recipient domain the generator can produce (for tests and docs). */
export const v1RecipientDomains: readonly string[] = domainTable.items;

const firstNames = [
  'john',
  'jane',
  'maria',
  'wei',
  'ahmed',
  'olga',
  'lucas',
  'emma',
  'noah',
  'li',
  'sofia',
  'mohammed',
  'yuki',
  'pierre',
  'anna',
  'david',
  'fatima',
  'raj',
  'chloe',
  'sven',
  'dmorrisetter',
  'steinitz',
];
const lastNames = [
  'smith',
  'doe',
  'garcia',
  'zhang',
  'khan',
  'ivanova',
  'silva',
  'muller',
  'tanaka',
  'dubois',
  'rossi',
  'kowalski',
  'brown',
  'nguyen',
  'patel',
  'obrien',
];
const unicodeLocals = ['josé.garcía', 'ünal.öztürk', '用户', 'δοκιμή', 'søren'];

const senderBrands = [
  'acme-mail.com',
  'globex-news.com',
  'initech-notify.com',
  'umbrella-shop.com',
  'advanced-email.com',
  'hooli-mail.io',
];
const senderLocals = ['news', 'no-reply', 'billing', 'support', 'Marketing', 'jane', 'joe', 'alerts'];

const mailingPrefixes = ['Campaign', 'newsletter', 'promo', 'welcome-series', 'digest-weekly', 'pwreset', 'Receipt'];
const messageIdPrefixes = ['order', 'inv', 'u', 'tx', 'MSG'];

const failureCodeTable = weightedTable<number>(
  documentedFailureCodes.map((code) => {
    const common: Record<number, number> = {
      2001: 30,
      1002: 6,
      2002: 6,
      3001: 8,
      4003: 6,
      4002: 4,
      3003: 4,
      5001: 4,
      1999: 3,
      1003: 3,
      2004: 3,
    };
    return [code, common[code] ?? 1.5] as const;
  }),
);
/** Codes no guide lists, so the client's "undocumented code" path gets exercised. */
const undocumentedFailureCodes = [1005, 2005, 3004, 4005, 4010, 5002, 6001, 8000];

const markup = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>'];

type ReasonTemplate = (to: string, domain: string, rng: Rng) => string;

const ipOf = (rng: Rng) => `142.0.${rng.int(176, 183)}.${rng.int(2, 250)}`;

const reasonTemplates: Record<number, readonly ReasonTemplate[]> = {
  1: [
    (_t, _d, r) =>
      `554 5.7.1 Service unavailable; Client host [${ipOf(r)}] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/${ipOf(r)}`,
    (_t, _d, r) => `550 5.7.1 Mail from ${ipOf(r)} refused, see RBL "b.barracudacentral.org"{CRLF}`,
    () => '552 5.7.0 This message was blocked because its content presents a potential security issue.',
    () => '554 5.7.1 Message rejected: "spam score 9.8, required 5.0", please contact postmaster',
    (_t, _d, r) =>
      `421 4.7.0 [TSS04] Messages from ${ipOf(r)} temporarily deferred due to unexpected volume or user complaints`,
    () => '554 5.7.1 Virus found: "Eicar-Test-Signature", message rejected',
    (t) => `550 5.7.1 <${t}>: Relay access denied`,
    () => '550 5.7.1 Message rejected by policy',
  ],
  2: [
    (t) => `550 5.1.1 <${t}>: Recipient address rejected: User unknown in virtual mailbox table`,
    () =>
      "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n550-5.1.1 double-checking the recipient's email address for typos or\r\n550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser a1si123.45 - gsmtp",
    (_t, d) => `Name service error for ${d} Type=A: Host not found`,
    () => '501 5.1.3 Bad recipient address syntax',
    () => '550 5.2.1 The email account that you tried to reach is disabled.{CRLF}',
    (t) => `550 Requested action not taken: mailbox unavailable (${t})`,
    () => '554 delivery error: dd This user doesn\'t have a yahoo.com account (#5.1.1) - "mta1234.mail.gq1.yahoo.com"',
  ],
  3: [
    () => '552 5.2.2 The email account that you tried to reach is over quota.{CRLF}',
    () => '452 4.2.2 Mailbox full, try again later',
    () => '550 5.2.1 Mailbox disabled, not accepting messages',
    () => '451 4.7.1 Please try again later',
    () => '450 4.2.0 Greylisted, see http://postgrey.schweikert.ch/help/example.org.html',
  ],
  4: [
    () => '421 4.3.2 Service not available, closing transmission channel',
    () => 'Timeout while waiting for response to DATA command',
    (_t, d) => `Unable to connect to any MX host for ${d}: Connection refused`,
    () => 'Message expired after 72 hours in queue, last error: "451 4.4.0 DNS temporary failure"',
    () => '503 5.5.1 Error: need RCPT command{CRLF}',
  ],
  5: [
    () => 'Auto-Reply: Je suis absent du bureau jusqu\'au 3 décembre, merci de contacter "Marie Dupont"',
    () => 'Automatische Antwort: Ünïcödé Abwesenheitsnotiz, bin ab Montag zurück',
    () => '自动回复：我正在休假，将于下周回复您。',
    () => '🌴 Out of office: back on Monday, thanks!',
    () => 'Delivery Status Notification (Delay)',
  ],
  9: [() => 'Unknown error', () => '', () => 'The reason for the failure is unknown.{CRLF}'],
};

const suppressionReasons: readonly ReasonTemplate[] = [
  (t) => `Suppressed: ${t} is on the suppression list`,
  () => 'Suppressed: recipient previously failed with code 2001',
  () => 'Suppressed: recipient filed a complaint (FBL "abuse")',
];

/** Texts chosen on purpose to break naive CSV, HTML and line-based handling. */
const oddTexts: readonly ReasonTemplate[] = [
  (t) => `550 5.1.1 <${t}>: User unknown{CRLF}550 5.1.1 see "https://help.example/5.1.1", then retry`,
  () => '550-5.7.1 Rejected,\r\n550-5.7.1 "quoted, with commas",\r\n550 5.7.1 and three lines',
  () => `550 5.7.1 Message content rejected: ${markup[0]}`,
  () => `550 5.1.1 <${markup[1]}@example.org>: Recipient address rejected`,
  () => '550 5.1.1 Ünïcödé mailbox unavailable — ユーザーが存在しません 🙅',
  () => '554 5.7.1 Rejected: "double ""quoted"" text", a, b, c\nbare LF line',
  () => '\t 550 5.1.1 leading and trailing whitespace \t ',
];

const acceptResponses: readonly ReasonTemplate[] = [
  (_t, _d, r) => `250 ok: Message ${r.int(100_000_000, 2_000_000_000)} accepted{CRLF}`,
  (_t, _d, r) => `250 2.0.0 ${r.hex(13).toLowerCase()} mail accepted for delivery{CRLF}`,
  (_t, _d, r) =>
    `250 2.0.0 OK  ${r.int(1_700_000_000, 1_800_000_000)} a${r.int(1, 9)}si${r.int(100, 999)}.${r.int(10, 99)} - gsmtp`,
  (_t, _d, r) => `250 2.6.0 <${r.hex(12)}@mail.example> [InternalId=${r.int(1e9, 9e9)}] Queued mail for delivery`,
  () => '250 ok dirdel',
  (_t, _d, r) => `250 2.0.0 Ok: queued as ${r.hex(10)}`,
];

const oddResponses: readonly ReasonTemplate[] = [
  () => '250-Requested mail action okay,\r\n250 "completed", thanks',
  () => '250 2.0.0 Ok: queued as 4F3K — Ünïcödé 📨 已接收',
  () => `250 2.0.0 Ok ${markup[0]}`,
  () => `250 ok ${markup[1]}{CRLF}`,
];

const complaintTypeTable = weightedTable<string>([
  ['abuse', 85],
  ['other', 5],
  ['fraud', 4],
  ['dkim', 3],
  ['virus', 3],
]);

const feedbackLoops: readonly (readonly [string | null, string])[] = [
  ['Hotmail', 'staff@hotmail.com'],
  ['Yahoo! Mail AntiSpam Feedback', 'feedback@arf.mail.yahoo.com'],
  ['AOL SComp', 'scomp@aol.net'],
  ['Comcast Feedback Loop', 'feedbackloop@comcastfbl.senderscore.net'],
  ['Microsoft JMRP', 'staff@hotmail.com'],
  ['Mail.Ru Feedback Loop', 'fbl@corp.mail.ru'],
  ['Yandex.Mail FBL', 'fbl@yandex.ru'],
  ['SpamCop/1.3.4', 'spamcop@devnull.spamcop.net'],
  ['Ünïcödé FBL ☂', 'fbl@example.org'],
  [null, 'fbl@example.net'],
];

const clickUrls: readonly string[] = [
  'http://www.socketlabs.com',
  'https://shop.example.com/sale?utm_source=newsletter&utm_medium=email&utm_campaign=Campaign-3',
  'https://www.example.com/account/unsubscribe?u=8f3a2c&list=weekly',
  'https://例子.测试/路径?q=Ünïcödé',
  'https://shop.example.com/search?q=%22red+shoes%22,size=42',
  'https://shop.example.com/?q="quoted",with,commas',
  'https://shop.example.com/?q=<script>alert(1)</script>',
  'https://t.example.net/c/AbCdEf123?redirect=https%3A%2F%2Fexample.org%2F%F0%9F%8E%89',
];

// ---------------------------------------------------------------------------------------------------------------------
// Record builders

interface PoolMessage {
  readonly MessageId: string | null;
  readonly MailingId: string | null;
  readonly ToAddress: string;
  readonly domain: string;
  readonly FromAddress: string;
  readonly MessageSize: number;
}

const internTable = new Map<string, string>();

/**
 * One shared copy of a low-cardinality string (sender, mailing id, local IP): a materialised million-row truth would
 * otherwise hold a million copies of the same few dozen values.
 */
function intern(value: string): string {
  const known = internTable.get(value);
  if (known !== undefined) return known;
  if (internTable.size < 100_000) internTable.set(value, value);
  return value;
}

function emptyish(rng: Rng): '' | null {
  return rng.chance(0.5) ? '' : null;
}

/** A recipient address at a domain, with the quirks of real lists (re-cased, unicode locals). */
export function recipient(rng: Rng, domain: string): string {
  const first = rng.pick(firstNames);
  const last = rng.pick(lastNames);
  let local: string;
  switch (rng.int(0, 5)) {
    case 0:
      local = `${first}.${last}`;
      break;
    case 1:
      local = `${first}${last}${rng.int(1, 99)}`;
      break;
    case 2:
      local = `${first[0]}.${last}`;
      break;
    case 3:
      local = `${first}_${last}`;
      break;
    case 4:
      local = `${first}+${rng.pick(['news', 'shop', 'x'])}`;
      break;
    default:
      local = `${first}${rng.int(1900, 2010)}`;
  }
  if (rng.chance(0.003)) local = rng.pick(unicodeLocals);
  const address = `${local}@${domain}`;
  if (rng.chance(0.04)) {
    // Mailbox providers preserve whatever case the list owner typed; the lake must not treat these as new recipients.
    return rng.chance(0.5)
      ? address.replace(/(^|[._])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase())
      : `${local}@${domain.toUpperCase()}`;
  }
  return address;
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1) : '';
}

/** Seed of a series (dataset × server) or of the shared message pool of a server. */
function seriesSeed(seed: number, tag: string, serverId: number): number {
  return hashSeed(seed, tag, serverId);
}

/**
 * The messages queued on a day: record k of messagesQueued is message k, and the other datasets refer back to these,
 * so a failure, a complaint or a click usually names a recipient and ids that were really queued.
 */
function poolMessage(poolSeed: number, dayNum: number, k: number, serverId: number): PoolMessage {
  const rng = new Rng(mixSeed(mixSeed(poolSeed, dayNum), k));
  let MessageId: string | null;
  if (rng.chance(0.25)) MessageId = emptyish(rng);
  else if (rng.chance(0.5)) MessageId = rng.hex(10);
  else MessageId = `${rng.pick(messageIdPrefixes)}-${rng.int(1, 9_999_999)}`;
  let MailingId: string | null;
  if (rng.chance(0.5)) MailingId = emptyish(rng);
  else {
    const prefix = rng.pick(mailingPrefixes);
    MailingId = intern(
      prefix === 'newsletter'
        ? `newsletter-${formatV1DateTime(dayNum * DAY)
            .slice(0, 10)
            .replaceAll('-', '')}`
        : `${prefix}-${rng.int(1, 40)}`,
    );
  }
  const brand = senderBrands[serverId % senderBrands.length]!;
  const domain = rng.pickWeighted(domainTable);
  return {
    MessageId,
    MailingId,
    ToAddress: recipient(rng, domain),
    domain,
    FromAddress: intern(`${rng.pick(senderLocals)}@${brand}`),
    MessageSize: rng.chance(0.02) ? rng.int(1_000_000, 25_000_000) : rng.int(900, 60_000),
  };
}

function localIp(serverId: number, rng: Rng): string {
  return intern(`192.168.${100 + (serverId % 50)}.${117 + rng.int(0, 3)}`);
}

function remoteIp(rng: Rng): string {
  const r = rng.next();
  if (r < 0.15) return `66.249.${rng.int(80, 95)}.${rng.int(1, 254)}`; // Gmail image proxy
  if (r < 0.3) return `17.${rng.int(56, 58)}.${rng.int(0, 255)}.${rng.int(1, 254)}`; // Apple Mail privacy proxy
  if (r < 0.37) return `2001:db8:${rng.hex(4).toLowerCase()}::${rng.hex(3).toLowerCase()}`;
  return `${rng.int(11, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function failureTypeFor(code: number, rng: Rng): number {
  switch (Math.floor(code / 1000)) {
    case 1:
      return rng.chance(0.7) ? 1 : 0;
    case 2:
      return rng.chance(0.95) ? 1 : 0;
    case 4:
      return code === 4004 ? 1 : 0;
    case 9:
      return rng.chance(0.5) ? 1 : 0;
    default:
      return 0;
  }
}

function malformed(address: string, rng: Rng): string {
  switch (rng.int(0, 3)) {
    case 0:
      return address.replace('@', '@@');
    case 1:
      return address.replace('@', ' @');
    case 2:
      return address.replace(/@.*/, '@');
    default:
      return `"${address}",`;
  }
}

interface RecordContext {
  readonly serverId: number;
  readonly dateTime: string;
  readonly msg: PoolMessage;
}

type RecordBuilder = (ctx: RecordContext, rng: Rng) => V1Record;

const builders: Record<V1Dataset, RecordBuilder> = {
  failed({ serverId, dateTime, msg }, rng) {
    const code = rng.chance(0.006) ? rng.pick(undocumentedFailureCodes) : rng.pickWeighted(failureCodeTable);
    const suppressed = rng.chance(0.07);
    const to = code === 2003 && rng.chance(0.7) ? malformed(msg.ToAddress, rng) : msg.ToAddress;
    const domain = to === msg.ToAddress ? msg.domain : domainOf(to);
    let reason: string | null;
    if (suppressed) reason = rng.pick(suppressionReasons)(to, domain, rng);
    else if (rng.chance(0.08)) reason = rng.pick(oddTexts)(to, domain, rng);
    else reason = rng.pick(reasonTemplates[Math.floor(code / 1000)] ?? reasonTemplates[9]!)(to, domain, rng);
    if (rng.chance(0.01)) reason = null;
    return {
      ServerId: serverId,
      DateTime: dateTime,
      MessageId: msg.MessageId,
      MailingId: msg.MailingId,
      ToAddress: to,
      FromAddress: rng.chance(0.2) ? emptyish(rng) : msg.FromAddress,
      FailureType: suppressed ? 2 : failureTypeFor(code, rng),
      FailureCode: code,
      Reason: reason,
    };
  },
  queued({ serverId, dateTime, msg }) {
    return {
      ServerId: serverId,
      DateTime: dateTime,
      MessageId: msg.MessageId,
      FromAddress: msg.FromAddress,
      MailingId: msg.MailingId,
      MessageSize: msg.MessageSize,
      ToAddress: msg.ToAddress,
    };
  },
  processed({ serverId, dateTime, msg }, rng) {
    const domain = msg.domain;
    const response = rng.chance(0.06)
      ? rng.pick(oddResponses)(msg.ToAddress, domain, rng)
      : rng.pick(acceptResponses)(msg.ToAddress, domain, rng);
    return {
      ServerId: serverId,
      MessageId: msg.MessageId,
      DateTime: dateTime,
      Disposition: rng.chance(0.97) ? 1 : rng.pick([0, 2]),
      FromAddress: msg.FromAddress,
      LocalIp: localIp(serverId, rng),
      MailingId: msg.MailingId,
      MessageSize: msg.MessageSize,
      Response: response,
      ToAddress: msg.ToAddress,
    };
  },
  complaints({ serverId, dateTime, msg }, rng) {
    const [agent, fbl] = rng.pick(feedbackLoops);
    return {
      ServerId: serverId,
      MessageId: msg.MessageId,
      DateTime: dateTime,
      FromAddress: fbl,
      MailingId: msg.MailingId,
      OriginalRecipient: msg.ToAddress,
      Type: rng.pickWeighted(complaintTypeTable),
      UserAgent: agent,
    };
  },
  engagement({ serverId, dateTime, msg }, rng) {
    const open = rng.chance(0.65);
    return {
      ServerId: serverId,
      DateTime: dateTime,
      MessageId: msg.MessageId,
      MailingId: msg.MailingId,
      OriginalRecipient: msg.ToAddress,
      EventType: open ? 1 : 0,
      URL: open ? emptyish(rng) : rng.pick(clickUrls),
      RemoteIp: remoteIp(rng),
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------------
// Volume profile

/**
 * The default volumes: every server queues a steady few thousand messages a weekday (its own level), fewer at
 * weekends; the other datasets follow queued with `ratios`, and now and then a day has no complaints or engagement
 * records at all, so empty dataset-days still occur.
 */
export function defaultV1Profile(seed: number, ratios: Partial<V1Ratios> = {}): V1Profile {
  const r: V1Ratios = { ...defaultV1Ratios, ...ratios };
  return (dataset, date, serverId) => {
    const dayNum = parseUtcDate(date);
    const queued = dailyVolume(hashSeed(seed, 'volume', serverId), dayNum, 3000, 8000);
    if (dataset === 'queued') return queued;
    const rng = new Rng(hashSeed(seed, 'ratio', dataset, serverId, dayNum));
    if ((dataset === 'complaints' || dataset === 'engagement') && rng.chance(0.04)) return 0;
    const [min, max] = r[dataset];
    return Math.round(queued * rng.float(min, max));
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Store

/** Checks the options every simulated account (v1 or v2) shares; returns its date range as day numbers. */
export function checkAccountOptions(options: {
  readonly seed: number;
  readonly serverIds: readonly number[];
  readonly from: string;
  readonly to: string;
}): { first: number; last: number } {
  const { seed, serverIds, from, to } = options;
  if (!Number.isFinite(seed)) throw new Error('seed must be a finite number');
  if (serverIds.length === 0) throw new Error('at least one server id is required');
  for (const id of serverIds) {
    if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`invalid server id ${id}`);
  }
  if (new Set(serverIds).size !== serverIds.length) throw new Error('duplicate server ids');
  const first = parseUtcDate(from);
  const last = parseUtcDate(to);
  if (first > last) throw new Error(`from (${from}) is after to (${to})`);
  return { first, last };
}

/**
 * The canonical data of a simulated account: records per (dataset, server), sorted by DateTime, ties broken by
 * generation order and then arrival order of late records. Positions are zero-based over one (dataset, server).
 */
export class V1Store {
  readonly seed: number;
  readonly serverIds: readonly number[];
  readonly from: string;
  readonly to: string;
  private readonly seriesMap = new Map<string, DayTimeline<V1Record>>();
  private readonly poolSeeds = new Map<number, number>();

  constructor(options: V1DataOptions) {
    const { seed, serverIds, from, to } = options;
    const { first, last } = checkAccountOptions(options);
    this.seed = seed;
    this.serverIds = [...serverIds];
    this.from = from;
    this.to = to;
    const profile = options.profile ?? defaultV1Profile(seed, options.ratios);
    if (options.incident) checkBlockIncident(options.incident, serverIds);
    for (const serverId of serverIds) {
      for (const dataset of v1Datasets) {
        const counts: number[] = [];
        for (let dayNum = first; dayNum <= last; dayNum++) {
          const count = profile(dataset, formatUtcDate(dayNum), serverId);
          if (!(Number.isFinite(count) && count >= 0)) {
            throw new Error(`profile returned ${count} for ${dataset} ${formatUtcDate(dayNum)} ${serverId}`);
          }
          counts.push(Math.floor(count));
        }
        const series = new DayTimeline(
          seriesSeed(seed, dataset, serverId),
          first,
          counts,
          this.recordFactory(dataset, serverId),
        );
        this.seriesMap.set(`${dataset}:${serverId}`, series);
      }
    }
    if (options.incident) this.plantBlock(options.incident);
  }

  /**
   * The Reporting API keeps each dataset apart, so a block adds to messagesFailed one rejection of every message the
   * server queued to the domain within the incident, a few seconds after it was queued. With a floor, an hour whose
   * own mail to the domain falls short gains messages queued to the domain and rejected, up to the floor.
   */
  private plantBlock(incident: BlockIncident): void {
    const queued = this.series('queued', incident.serverId);
    const failed = this.series('failed', incident.serverId);
    const last = (parseUtcDate(this.to) + 1) * DAY - 1;
    const toSec = Math.min(last, Math.ceil((incident.to ?? Number.POSITIVE_INFINITY) / 1000) - 1);
    const { start, end } = queued.range(Math.ceil(incident.from / 1000), toSec);
    for (let p = start; p < end; p++) {
      const sec = queued.secondAt(p);
      const msg = queued.recordAt(p);
      if (!isBlocked(incident, incident.serverId, sec, domainOf(String(msg.ToAddress)))) continue;
      const rng = new Rng(hashSeed(this.seed, 'block', incident.serverId, p));
      this.reject(incident, msg, Math.min(sec + rng.int(1, 20), last), rng);
    }
    const isRejection = (r: V1Record) =>
      r.FailureCode === incident.code &&
      r.FailureType === 1 &&
      domainOf(String(r.ToAddress)).toLowerCase() === incident.domain;
    fillBlockFloor(
      incident,
      this.seed,
      last,
      (fromSec, toSec) => {
        const { start, end } = failed.range(fromSec, toSec);
        return failed.slice(start, end).filter(isRejection).length;
      },
      (sec, rng) => {
        const queuedSec = sec - rng.int(1, 20);
        const msg: V1Record = {
          ...queued.makeRecord(queuedSec, rng.uint32()),
          DateTime: formatV1DateTime(queuedSec),
          ToAddress: recipient(rng, incident.domain),
        };
        queued.insert(msg, queuedSec);
        this.reject(incident, msg, sec, rng);
      },
    );
  }

  /** Adds to messagesFailed the incident's rejection of a queued message at a second. */
  private reject(incident: BlockIncident, msg: V1Record, at: number, rng: Rng): void {
    const failed = this.series('failed', incident.serverId);
    failed.insert(
      {
        ...failed.makeRecord(at, rng.uint32()),
        DateTime: formatV1DateTime(at),
        MessageId: msg.MessageId,
        MailingId: msg.MailingId,
        ToAddress: msg.ToAddress,
        FromAddress: msg.FromAddress,
        FailureType: 1,
        FailureCode: incident.code,
        Reason: blockReason(rng, localIp(incident.serverId, rng), incident.domain),
      },
      at,
    );
  }

  /** Whether the account has this server. */
  hasServer(serverId: number): boolean {
    return this.serverIds.includes(serverId);
  }

  /** @internal The series of one (dataset, server); throws for an unknown server. */
  series(dataset: V1Dataset, serverId: number): DayTimeline<V1Record> {
    const s = this.seriesMap.get(`${dataset}:${serverId}`);
    if (!s) throw new Error(`unknown dataset/server ${dataset}/${serverId}`);
    return s;
  }

  /** @internal Seed of the shared message pool of a server. */
  poolSeed(serverId: number): number {
    let s = this.poolSeeds.get(serverId);
    if (s === undefined) {
      s = seriesSeed(this.seed, 'pool', serverId);
      this.poolSeeds.set(serverId, s);
    }
    return s;
  }

  /** Number of records of a (dataset, server), late ones included. */
  size(dataset: V1Dataset, serverId: number): number {
    return this.series(dataset, serverId).total;
  }

  /** Positions [start, end) of the records whose DateTime lies within [fromSec, toSec], both inclusive; null = open. */
  range(
    dataset: V1Dataset,
    serverId: number,
    fromSec: number | null,
    toSec: number | null,
  ): { start: number; end: number } {
    return this.series(dataset, serverId).range(fromSec, toSec);
  }

  /** The record at a position (a fresh copy). */
  recordAt(dataset: V1Dataset, serverId: number, position: number): V1Record {
    return this.series(dataset, serverId).recordAt(position);
  }

  /** Epoch seconds of the record at a position, without building the record. */
  secondAt(dataset: V1Dataset, serverId: number, position: number): number {
    return this.series(dataset, serverId).secondAt(position);
  }

  /** Records at positions [start, end). */
  slice(dataset: V1Dataset, serverId: number, start: number, end: number): V1Record[] {
    return this.series(dataset, serverId).slice(start, end);
  }

  /** Every record of a (dataset, server) in order; materialises them all, so mind the size. */
  records(dataset: V1Dataset, serverId: number): V1Record[] {
    return this.slice(dataset, serverId, 0, this.size(dataset, serverId));
  }

  /**
   * Adds a late record. DateTime may carry any offset; it is stored as canonical UTC with whole seconds, and a missing
   * ServerId is filled in. Returns the stored copy.
   */
  insert(dataset: V1Dataset, serverId: number, record: V1Record): V1Record {
    const series = this.series(dataset, serverId);
    const sec = parseV1DateTime(record.DateTime);
    if (sec === null) throw new Error(`insert: DateTime '${String(record.DateTime)}' is not an ISO date-time`);
    const stored: V1Record = { ServerId: serverId, ...record, DateTime: formatV1DateTime(sec) };
    series.insert(stored, sec);
    return { ...stored };
  }

  /** A realistic new record of a dataset at the given second, from its own seed (not stored). */
  makeRecord(dataset: V1Dataset, serverId: number, epochSec: number, variant: number): V1Record {
    return this.series(dataset, serverId).makeRecord(epochSec, variant);
  }

  /**
   * Builds the records of one (dataset, server) around the server's message pool: record k of a queued day is pool
   * message k, and every other record (or a made-up one, without an index) draws one of that day's queued messages.
   */
  private recordFactory(dataset: V1Dataset, serverId: number): RecordFactory<V1Record> {
    let queued: DayTimeline<V1Record> | null = null;
    return (rng, epochSec, queuedIdx) => {
      const dayNum = Math.floor(epochSec / DAY);
      const poolSeed = this.poolSeed(serverId);
      let msg: PoolMessage;
      if (dataset === 'queued' && queuedIdx !== null) msg = poolMessage(poolSeed, dayNum, queuedIdx, serverId);
      else {
        queued ??= this.series('queued', serverId);
        const count = queued.generatedCount(dayNum);
        // Without queued messages that day, draw from a disjoint stretch of the pool so ids stay plausible.
        const k = count > 0 ? rng.int(0, count - 1) : 0x4000000 + rng.int(0, 0xffffff);
        msg = poolMessage(poolSeed, dayNum, k, serverId);
      }
      return builders[dataset]({ serverId, dateTime: formatV1DateTime(epochSec), msg }, rng);
    };
  }
}

/** Builds the (lazy) store of a simulated account; the same options always give the same records. */
export function generateV1Data(options: V1DataOptions): V1Store {
  return new V1Store(options);
}

// ---------------------------------------------------------------------------------------------------------------------
// accountData

export interface V1AccountUsage {
  readonly apiAccessCount?: number;
  readonly messageCount?: number;
  readonly byteCount?: number;
}

const MESSAGE_ALLOWANCE = 1_000_000;
const BYTE_ALLOWANCE = 64_000_000_000;

/**
 * The accountData object of a server at `now`: billing periods run from the 15th to the 14th (as in the guide's
 * example), and usage grows through the period at a server-specific daily rate, so busy servers go over their
 * message allowance late in the period. `usage` overrides the synthetic counts.
 */
export function accountData(serverId: number, now: Date, usage: V1AccountUsage = {}): V1Record {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const startMs = now.getUTCDate() >= 15 ? Date.UTC(y, m, 15) : Date.UTC(y, m - 1, 15);
  const start = new Date(startMs);
  const endMs = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 14);
  const elapsedDays = (now.getTime() - startMs) / 86_400_000;
  const rng = new Rng(hashSeed('account', serverId));
  const perDay = rng.int(5_000, 60_000);
  const avgSize = rng.int(9_000, 20_000);
  const messages = usage.messageCount ?? Math.floor(perDay * elapsedDays);
  const bytes = usage.byteCount ?? messages * avgSize;
  const overMessages = messages > MESSAGE_ALLOWANCE;
  const overBytes = bytes > BYTE_ALLOWANCE;
  return {
    ServerId: serverId,
    CurrentBillingPeriodStart: formatV1DateTime(startMs / 1000),
    CurrentBillingPeriodEnd: formatV1DateTime(endMs / 1000),
    BillingPeriodApiAccessCount: usage.apiAccessCount ?? 0,
    BillingPeriodMessageCount: messages,
    BillingPeriodByteCount: bytes,
    ServerApiAccessAllowance: 0,
    ServerMessageAllowance: MESSAGE_ALLOWANCE,
    ServerByteAllowance: BYTE_ALLOWANCE,
    IsOverAllowance: overMessages || overBytes,
    IsOverByteAllowance: overBytes,
    IsOverMessageAllowance: overMessages,
  };
}
