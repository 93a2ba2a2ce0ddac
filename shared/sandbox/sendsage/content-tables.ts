/**
 * The fixed tables the generator draws test contents from: senders, subjects (with awkward characters on purpose),
 * SpamAssassin rules and versions, and the preview applications. Data, apart from the drawing logic in `dataset.ts`.
 */
import { weightedTable } from '../random';
import type { SendSagePreviewApp } from './model';

export interface Brand {
  readonly fromAddress: string;
  readonly fromName: string;
  /** Whether the from domain publishes DMARC; without it every dmarc result is `none`. */
  readonly dmarc: boolean;
}

export const brands: readonly Brand[] = [
  { fromAddress: 'news@example.com', fromName: 'Newsletter', dmarc: true },
  { fromAddress: 'weather@example.com', fromName: 'Daily Weather', dmarc: true },
  { fromAddress: 'deals@shop.example.net', fromName: 'Shop "Deals" Team', dmarc: true },
  { fromAddress: 'kundenservice@beispiel.example.de', fromName: 'Bäckerei Müller & Söhne', dmarc: false },
  { fromAddress: 'Alerts@Mail.Example.io', fromName: '', dmarc: true },
  { fromAddress: 'bonjour@xn--caf-dma.example.fr', fromName: 'Café ☕ Crème', dmarc: false },
];

export interface SubjectEntry {
  readonly text: string;
  /** Pushes the SpamAssassin score up. */
  readonly spammy: number;
}

export const subjectTable = weightedTable<SubjectEntry>([
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
export const recurringCustomerIds = ['daily-news', 'weekly-digest', 'my-newsletter-1', 'promo-spring', 'abc123'];

export interface RuleSpec {
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

export const rules = {
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

export const spamVersions = [
  'SpamAssassin 3.3.2 (2011-06-06) on calvin.drh.net',
  'SpamAssassin 3.4.6 (2021-04-09) on hobbes.drh.net',
];

export interface PreviewAppSpec {
  readonly appId: string;
  readonly platform: SendSagePreviewApp['platform'];
  readonly name: string;
}

// The document's example names desktop Outlooks "2Outlook 2000": a sort prefix that leaks into the name.
export const previewApps: readonly PreviewAppSpec[] = [
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
