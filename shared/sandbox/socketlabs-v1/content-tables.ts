/**
 * The fixed tables v1 records are drawn from: recipient domains and names, senders, ids, failure codes with the
 * receivers' reason texts, processed responses, complaint types, feedback loops and click URLs. Data, apart from the
 * record builders that draw from it.
 */
import { documentedFailureCodes } from '../../sources/socketlabs-common/failure-codes';
import { type Rng, weightedTable } from '../random';

export const domainTable = weightedTable<string>([
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

export const firstNames = [
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
export const lastNames = [
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
export const unicodeLocals = ['josé.garcía', 'ünal.öztürk', '用户', 'δοκιμή', 'søren'];

export const senderBrands = [
  'acme-mail.com',
  'globex-news.com',
  'initech-notify.com',
  'umbrella-shop.com',
  'advanced-email.com',
  'hooli-mail.io',
];
export const senderLocals = ['news', 'no-reply', 'billing', 'support', 'Marketing', 'jane', 'joe', 'alerts'];

export const mailingPrefixes = [
  'Campaign',
  'newsletter',
  'promo',
  'welcome-series',
  'digest-weekly',
  'pwreset',
  'Receipt',
];
export const messageIdPrefixes = ['order', 'inv', 'u', 'tx', 'MSG'];

export const failureCodeTable = weightedTable<number>(
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
export const undocumentedFailureCodes = [1005, 2005, 3004, 4005, 4010, 5002, 6001, 8000];

const markup = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>'];

export type ReasonTemplate = (to: string, domain: string, rng: Rng) => string;

const ipOf = (rng: Rng) => `142.0.${rng.int(176, 183)}.${rng.int(2, 250)}`;

export const reasonTemplates: Record<number, readonly ReasonTemplate[]> = {
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

export const suppressionReasons: readonly ReasonTemplate[] = [
  (t) => `Suppressed: ${t} is on the suppression list`,
  () => 'Suppressed: recipient previously failed with code 2001',
  () => 'Suppressed: recipient filed a complaint (FBL "abuse")',
];

/** Texts chosen on purpose to break naive CSV, HTML and line-based handling. */
export const oddTexts: readonly ReasonTemplate[] = [
  (t) => `550 5.1.1 <${t}>: User unknown{CRLF}550 5.1.1 see "https://help.example/5.1.1", then retry`,
  () => '550-5.7.1 Rejected,\r\n550-5.7.1 "quoted, with commas",\r\n550 5.7.1 and three lines',
  () => `550 5.7.1 Message content rejected: ${markup[0]}`,
  () => `550 5.1.1 <${markup[1]}@example.org>: Recipient address rejected`,
  () => '550 5.1.1 Ünïcödé mailbox unavailable — ユーザーが存在しません 🙅',
  () => '554 5.7.1 Rejected: "double ""quoted"" text", a, b, c\nbare LF line',
  () => '\t 550 5.1.1 leading and trailing whitespace \t ',
];

export const acceptResponses: readonly ReasonTemplate[] = [
  (_t, _d, r) => `250 ok: Message ${r.int(100_000_000, 2_000_000_000)} accepted{CRLF}`,
  (_t, _d, r) => `250 2.0.0 ${r.hex(13).toLowerCase()} mail accepted for delivery{CRLF}`,
  (_t, _d, r) =>
    `250 2.0.0 OK  ${r.int(1_700_000_000, 1_800_000_000)} a${r.int(1, 9)}si${r.int(100, 999)}.${r.int(10, 99)} - gsmtp`,
  (_t, _d, r) => `250 2.6.0 <${r.hex(12)}@mail.example> [InternalId=${r.int(1e9, 9e9)}] Queued mail for delivery`,
  () => '250 ok dirdel',
  (_t, _d, r) => `250 2.0.0 Ok: queued as ${r.hex(10)}`,
];

export const oddResponses: readonly ReasonTemplate[] = [
  () => '250-Requested mail action okay,\r\n250 "completed", thanks',
  () => '250 2.0.0 Ok: queued as 4F3K — Ünïcödé 📨 已接收',
  () => `250 2.0.0 Ok ${markup[0]}`,
  () => `250 ok ${markup[1]}{CRLF}`,
];

export const complaintTypeTable = weightedTable<string>([
  ['abuse', 85],
  ['other', 5],
  ['fraud', 4],
  ['dkim', 3],
  ['virus', 3],
]);

export const feedbackLoops: readonly (readonly [string | null, string])[] = [
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

export const clickUrls: readonly string[] = [
  'http://www.socketlabs.com',
  'https://shop.example.com/sale?utm_source=newsletter&utm_medium=email&utm_campaign=Campaign-3',
  'https://www.example.com/account/unsubscribe?u=8f3a2c&list=weekly',
  'https://例子.测试/路径?q=Ünïcödé',
  'https://shop.example.com/search?q=%22red+shoes%22,size=42',
  'https://shop.example.com/?q="quoted",with,commas',
  'https://shop.example.com/?q=<script>alert(1)</script>',
  'https://t.example.net/c/AbCdEf123?redirect=https%3A%2F%2Fexample.org%2F%F0%9F%8E%89',
];
