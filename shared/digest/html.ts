import { int, plural } from './format';
import { campaignCard, campaignRow, serverCard, serverRow } from './html-cards';
import { bytes, DATA, e, FONT, heading, palette, row, small, TABLE, tableStyle } from './html-kit';
import {
  alertsBlock,
  footer,
  hardBounceBlock,
  header,
  incompleteBanner,
  intradayBlock,
  preheader,
} from './html-sections';
import {
  alertPhrase,
  type DigestView,
  type ItemView,
  incompleteNotice,
  type Layout,
  levelRank,
  verdict,
} from './view-model';
/** Limits for `renderHtml` (and, so both parts show the same items, the text part of `renderDigest`). */
export interface RenderOptions {
  /**
   * Largest HTML size in UTF-8 bytes. Default 85,000: Gmail clips at about 102 KB, and quoted-printable transfer
   * encoding (every `=` of an attribute becomes `=3D`) adds about 11 %, so the encoded part stays near 95 KB.
   */
  readonly maxBytes?: number;
  /** Servers shown in full at most, worst first. Default 8. */
  readonly maxFullServers?: number;
  /** Campaigns shown in full at most, worst first. Default 6. */
  readonly maxFullCampaigns?: number;
}

const DEFAULT_MAX_BYTES = 85_000;

const tailHead = (cols: readonly [string, string][]) =>
  `<tr>${cols
    .map(
      ([t, align]) =>
        `<td align="${align}" style="font-size:11px;color:${palette.muted};border-bottom:1px solid ${palette.line}">` +
        `${e(t)}</td>`,
    )
    .join('')}</tr>`;

/**
 * The items not shown in full, as table rows in rank order, as many as the budget allows; the rest as one line
 * saying how many there are and how bad the worst of them is.
 */
function tailTable<T extends ItemView>(
  items: readonly T[],
  rowHtml: (v: T) => string,
  head: string,
  noun: [string, string],
  budget: number,
  title: string,
): string {
  if (items.length === 0) return '';
  const open =
    `<tr><td style="padding:2px 24px 0">${small(title)}` +
    `<table ${DATA} width="100%" style="${tableStyle(12)}">${head}`;
  const close = '</table></td></tr>';
  const moreLine = (rest: readonly T[]) => {
    const bad = rest.filter((v) => v.level === 'critical' || v.level === 'warning').length;
    const quality = bad === 0 ? 'none with a warning' : `${int(bad)} with a warning or worse`;
    const what = `${rest.length === items.length ? '' : 'more '}${rest.length === 1 ? noun[0] : noun[1]}`;
    const lead = rest.length === items.length ? '' : '… and ';
    return row(
      `<div style="${FONT};font-size:12px;color:${palette.muted}">${e(
        `${lead}${int(rest.length)} ${what} not listed (${quality}); every figure is in digest.json.`,
      )}</div>`,
      '4px 24px',
    );
  };
  const reserve = Buffer.byteLength(moreLine(items));
  let used = Buffer.byteLength(open + close) + reserve;
  let rows = '';
  let n = 0;
  for (const v of items) {
    const r = rowHtml(v);
    const size = Buffer.byteLength(r);
    if (used + size > budget) break;
    rows += r;
    used += size;
    n++;
  }
  if (n === 0) return Buffer.byteLength(moreLine(items)) <= budget ? moreLine(items) : '';
  return open + rows + close + (n < items.length ? moreLine(items.slice(n)) : '');
}

/**
 * The HTML document within its byte budget, and the layout it settled on (which servers and tests it shows in full),
 * so the text part can show the same items without building any HTML of its own.
 */
export function planHtml(a: DigestView, options: RenderOptions = {}): { html: string; layout: Layout } {
  const { d } = a;
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxServers = a.noData ? 0 : (options.maxFullServers ?? 8);
  const maxCampaigns = a.noData ? 0 : (options.maxFullCampaigns ?? 6);

  const top =
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light">' +
    `<title>${e(`inboxlake digest ${d.date}`)}</title></head>` +
    `<body style="margin:0;padding:0;background:#eef0f3">${preheader(a)}` +
    `<table role="presentation" ${TABLE} width="100%" bgcolor="#eef0f3">` +
    '<tr><td align="center" style="padding:16px 8px">' +
    `<table role="presentation" ${TABLE} width="720" bgcolor="#ffffff" style="width:720px;max-width:100%;` +
    `${tableStyle(14)}">${header(a)}${incompleteBanner(d)}`;
  const bottom = `${hardBounceBlock(a)}${footer(a)}</table></td></tr></table></body></html>`;
  const alerts =
    a.alerts.length > 0 || !a.noData
      ? (a.alerts.length > 0 ? heading('Alerts', `${plural(a.alerts.length, 'alert')}, worst first`) : '') +
        alertsBlock(a, Math.floor(max * 0.2))
      : '';
  // Listed whenever the day had any, even with no data: an alert that opened and resolved is news of its own.
  const intraday = a.d.intraday.length > 0 || !a.noData ? intradayBlock(a) : '';
  const serverHeading =
    a.servers.length === 0
      ? a.noData
        ? ''
        : heading('SocketLabs servers') + row(small('No SocketLabs server reported any figures for this day.'))
      : heading('SocketLabs servers', `${plural(a.servers.length, 'server')}, worst first`);
  const campaignHeading =
    a.campaigns.length === 0
      ? a.noData
        ? ''
        : heading('SendSage placement tests') + row(small('No placement test was sent this day.'))
      : heading('SendSage placement tests', `${plural(a.campaigns.length, 'test')}, worst first`);
  const fixed =
    bytes(top) + bytes(bottom) + bytes(alerts) + bytes(intraday) + bytes(serverHeading) + bytes(campaignHeading);

  const serverHead = tailHead([
    ['Server', 'left'],
    ['Queued', 'right'],
    ['vs avg', 'right'],
    ['Bounce rate', 'right'],
    ['Complaint rate', 'right'],
    ['', 'left'],
  ]);
  const campaignHead = tailHead([
    ['Test', 'left'],
    ['Subject', 'left'],
    ['Sent', 'right'],
    ['Inbox', 'right'],
    ['Bulk', 'right'],
    ['Spam', 'right'],
    ['', 'left'],
  ]);
  const rowSize = (v: ItemView) => bytes(v.kind === 'server' ? serverRow(v) : campaignRow(a, v));
  const allRows = [...a.servers, ...a.campaigns].reduce((n, v) => n + rowSize(v), 0);
  // The compact tables keep some room, so a day with many items still lists more than the few shown in full.
  const tailReserve = Math.min(allRows + 2_000, Math.floor(max * 0.22));

  // Servers and campaigns take turns by severity, so a critical campaign is not crowded out by quiet servers.
  const candidates: ItemView[] = [
    ...a.servers.filter((v) => !v.idle).slice(0, maxServers),
    ...a.campaigns.slice(0, maxCampaigns),
  ].sort(
    (x, y) =>
      Math.max(levelRank[y.level], y.kind === 'server' && y.silent ? 2 : 0) -
        Math.max(levelRank[x.level], x.kind === 'server' && x.silent ? 2 : 0) ||
      x.rank - y.rank ||
      (x.kind === 'server' ? -1 : 1),
  );
  const cards = new Map<ItemView, string>();
  let used = fixed;
  for (const v of candidates) {
    const html = v.kind === 'server' ? serverCard(a, v) : campaignCard(a, v);
    const size = bytes(html);
    if (used + size + tailReserve > max) continue;
    cards.set(v, html);
    used += size;
  }
  const fullServers = a.servers.filter((v) => cards.has(v));
  const fullCampaigns = a.campaigns.filter((v) => cards.has(v));
  const restServers = a.servers.filter((v) => !cards.has(v));
  const restCampaigns = a.campaigns.filter((v) => !cards.has(v));

  const left = max - used;
  const campaignRowsSize = restCampaigns.reduce((n, v) => n + rowSize(v), 0) + 1_000;
  const serverTail = tailTable(
    restServers,
    serverRow,
    serverHead,
    ['server', 'servers'],
    left - Math.min(campaignRowsSize, Math.floor(left / 2)),
    fullServers.length > 0 ? 'The other servers' : a.noData ? 'Servers (nothing arrived)' : 'Servers',
  );
  const campaignTail = tailTable(
    restCampaigns,
    (v) => campaignRow(a, v),
    campaignHead,
    ['test', 'tests'],
    left - bytes(serverTail),
    fullCampaigns.length > 0 ? 'The other tests' : 'Tests',
  );
  const html =
    top +
    alerts +
    intraday +
    serverHeading +
    fullServers.map((v) => cards.get(v)).join('') +
    serverTail +
    campaignHeading +
    fullCampaigns.map((v) => cards.get(v)).join('') +
    campaignTail +
    bottom;
  if (bytes(html) <= max) return { html, layout: { fullServers, fullCampaigns, restServers, restCampaigns } };
  // Only a budget smaller than the fixed parts (header, alerts, footer) gets here: say what matters and stop.
  const v = verdict(a);
  const minimal =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${e(`inboxlake digest ${d.date}`)}</title>` +
    `</head><body style="${FONT}"><div style="font-size:18px;font-weight:bold">${e(v.headline)}</div>` +
    `<div>${e(a.worst ? `Worst: ${a.worst.severity} · ${alertPhrase(a.worst)}` : '')}</div>` +
    `<div>${e(incompleteNotice(d)?.headline ?? '')}</div>` +
    `<div>${e('The full digest is too large for this message; every figure is in digest.json.')}</div></body></html>`;
  return {
    html: minimal,
    layout: { fullServers: [], fullCampaigns: [], restServers: a.servers, restCampaigns: a.campaigns },
  };
}
