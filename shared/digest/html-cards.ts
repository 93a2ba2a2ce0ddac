import { avg, clean, delta, int, localTime, metricKey, num, pct, plural, rate, shortDate, show } from './format';
import {
  badge,
  DATA,
  deltaColour,
  e,
  FONT,
  levelBg,
  levelColour,
  palette,
  row,
  small,
  st,
  TABLE,
  tableStyle,
} from './html-kit';
import type { DigestCampaign } from './model';
import {
  type CampaignView,
  campaignLabel,
  campaignStatus,
  costlyRules,
  type DigestView,
  isCalm,
  ispOrder,
  MAX_ISP_ROWS,
  type ServerView,
  serverMetricCells,
  serverMetricRows,
  serverStatus,
  worstIsps,
} from './view-model';

/**
 * A bar per day in table cells (Outlook honours a cell's height and bgcolor, not a div's), the digest day last and in
 * the strong colour. A zero is a hairline, so an empty day still shows as a day.
 */
function barChart(title: string, values: readonly number[], colour: string): string {
  const max = Math.max(0, ...values);
  const H = 34;
  const bars = values
    .map((v, i) => {
      const day = i === values.length - 1;
      // The day drawn as nothing would vanish; a red stub shows that the day is there and was empty.
      const h = v === 0 ? (day ? 3 : 1) : max === 0 ? 1 : Math.max(2, Math.round((v / max) * H));
      const c = v === 0 ? (day ? palette.critical : '#d0d5dd') : day ? colour : '#b9c0cc';
      const first = i === 0 ? ` height="${H}"` : '';
      // Outlook gives a cell at least a line of height; only short bars need the line squeezed to nothing.
      const squeeze = h < 20 ? ' style="font-size:0;line-height:0"' : '';
      return (
        `<td valign="bottom"${first}><table cellpadding="0" cellspacing="0"><tr>` +
        `<td width="11" height="${h}" bgcolor="${c}"${squeeze}>&nbsp;</td></tr></table></td>`
      );
    })
    .join('');
  return (
    small(`${title} · max ${int(max)}`) +
    `<table ${TABLE.replace('cellspacing="0"', 'cellspacing="2"')} style="border-bottom:1px solid #98a2b3">` +
    `<tr>${bars}</tr></table>`
  );
}

export function serverCard(a: DigestView, v: ServerView): string {
  const { s } = v;
  const status = serverStatus(v);
  const flagged = new Set(v.alerts.map((x) => metricKey(x.metric)));
  const th = (t: string, align = 'right') =>
    `<td align="${align}" style="font-size:11px;color:${palette.muted};border-bottom:1px solid ${palette.line}">` +
    `${e(t)}</td>`;
  const metrics = serverMetricRows
    .map((m) => {
      const c = serverMetricCells(v, m);
      const hot = flagged.has(m.key);
      const weight = hot ? `font-weight:bold;color:${levelColour[v.level]};` : '';
      return (
        `<tr><td${st(weight)}>${e(m.label)}</td>` +
        `<td align="right"${st(weight)}>${e(c.now)}</td>` +
        `<td align="right" style="color:${palette.muted}">${e(c.base)}</td>` +
        `<td align="right" style="color:${v.silent ? palette.muted : deltaColour(c.d, m.polarity, m.kind)};` +
        `white-space:nowrap">` +
        `${e(c.d?.text ?? '—')}</td></tr>`
      );
    })
    .join('');
  const metricsTable =
    `<table ${DATA} width="100%" style="${tableStyle()}"><tr>${th('', 'left')}${th(shortDate(a.d.date))}` +
    `${th('7-day avg')}${th('change')}</tr>${metrics}</table>`;
  const first = s.series[0];
  const last = s.series[s.series.length - 1];
  const span =
    first && last
      ? `${s.series.length} days, ${shortDate(first.date)} to ${shortDate(last.date)}; ` +
        'the last, coloured bar is the day'
      : 'No history';
  const charts =
    barChart(
      'Queued',
      s.series.map((x) => x.queued),
      '#2e5aac',
    ) +
    barChart(
      'Bounces',
      s.series.map((x) => x.bounces),
      '#c4320a',
    ) +
    barChart(
      'Complaints',
      s.series.map((x) => x.complaints),
      '#b42318',
    ) +
    small(span);

  const codes =
    s.top_failure_codes.length === 0
      ? ''
      : small('Top failure codes') +
        `<table ${DATA} width="100%" style="${tableStyle(12)}">${s.top_failure_codes
          .map(
            (f) =>
              `<tr><td valign="top" style="white-space:nowrap;font-weight:bold">${e(
                f.code === null ? '—' : String(f.code),
              )}</td><td valign="top" style="color:${palette.muted}">${e(show(f.category, 30))}</td>` +
              `<td valign="top">${e(show(f.meaning, 110))}</td>` +
              `<td valign="top" align="right">${e(int(f.count))}</td></tr>`,
          )
          .join('')}</table>`;
  const domains =
    s.top_bouncing_domains.length === 0
      ? ''
      : small('Top bouncing domains (hard / soft)') +
        `<table ${DATA} width="100%" style="${tableStyle(12)}">${s.top_bouncing_domains
          .map(
            (x) =>
              `<tr><td>${e(show(x.domain, 48))}</td>` +
              `<td align="right" style="font-weight:bold">${e(int(x.total))}</td>` +
              `<td align="right" style="color:${palette.muted};white-space:nowrap">` +
              `${e(`${int(x.hard)} / ${int(x.soft)}`)}</td></tr>`,
          )
          .join('')}</table>`;
  const complaintTypes =
    s.complaint_types.length === 0
      ? small('No complaints by type')
      : small('Complaints by type') +
        `<div style="${FONT};font-size:12px">${s.complaint_types
          .map((x) => `${e(show(x.type, 30))} <b>${e(int(x.count))}</b>`)
          .join(' · ')}</div>`;

  const note = v.silent
    ? `<div style="${FONT};font-size:13px;font-weight:bold;color:${palette.text};padding:4px 0 2px">${e(
        `Queued nothing on ${a.d.date}; it usually queues ${avg(s.baseline?.queued)} a day.`,
      )}</div>`
    : s.baseline === null
      ? small('No baseline yet: fewer than 7 days of history.')
      : '';
  const border = v.silent
    ? `border:2px dashed #98a2b3`
    : `border:1px solid ${palette.line};border-left:4px solid ${levelColour[status.tone]}`;
  const headBg = v.silent ? palette.silentBg : v.level === 'ok' ? '#f9fafb' : levelBg[v.level];
  return row(
    `<table ${TABLE} width="100%" style="${tableStyle()};${border}">` +
      `<tr><td colspan="2" style="padding:8px 12px;background:${headBg}">${badge(status.label, levelColour[status.tone])} ` +
      `<span style="font-size:15px;font-weight:bold">Server ${e(String(s.server_id))}</span> ` +
      `<span style="font-size:12px;color:${palette.muted}">${e(s.source)}</span>${note}</td></tr>` +
      `<tr><td valign="top" width="56%" style="padding:6px 8px 8px 8px">${metricsTable}</td>` +
      `<td valign="top" style="padding:0 12px 8px 8px">${charts}</td></tr>` +
      `<tr><td colspan="2" style="padding:0 8px 4px">${codes}</td></tr>` +
      `<tr><td valign="top" style="padding:0 8px 10px">${domains}</td>` +
      `<td valign="top" style="padding:0 12px 10px 8px">${complaintTypes}</td></tr></table>`,
  );
}

function placementBar(c: DigestCampaign): string {
  const parts = [
    [c.pct_inbox, '#12b76a'],
    [c.pct_bulk, '#f79009'],
    [c.pct_missing, '#98a2b3'],
  ] as const;
  const cells = parts
    .filter(([p]) => p !== null && p > 0)
    .map(([p, colour]) => {
      const w = Math.max(1, Math.round(p!));
      return `<td width="${w}%" height="10" bgcolor="${colour}" style="font-size:0;line-height:0">&nbsp;</td>`;
    })
    .join('');
  if (!cells) return '';
  return `<table ${TABLE} width="100%" style="margin-top:4px"><tr>${cells}</tr></table>`;
}

function authLine(label: string, counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((x, y) => y[1] - x[1]);
  if (entries.length === 0) return `<div>${e(label)}: <span style="color:${palette.muted}">no results</span></div>`;
  const parts = entries.map(([result, n]) => {
    const good = /^(pass|none)$/i.test(result);
    const colour = good ? palette.text : palette.critical;
    return `<span style="color:${colour}">${e(clean(result, 20))} <b>${e(int(n))}</b></span>`;
  });
  return `<div style="padding:1px 0">${e(label)}: ${parts.join(' · ')}</div>`;
}

export function campaignCard(a: DigestView, v: CampaignView): string {
  const { c } = v;
  const worst = worstIsps(v);
  const isps = ispOrder(c);
  const shown = isps.slice(0, MAX_ISP_ROWS);
  const rest = isps.slice(MAX_ISP_ROWS);
  const th = (t: string, align = 'right') =>
    `<td align="${align}" style="font-size:11px;color:${palette.muted};border-bottom:1px solid ${palette.line}">` +
    `${e(t)}</td>`;
  const ispRows = shown
    .map((i) => {
      const hot = worst.has(i);
      const bg = hot ? `background:${palette.criticalBg}` : '';
      const mark = hot ? ` <span style="color:${palette.critical};font-size:11px;font-weight:bold">worst</span>` : '';
      return (
        `<tr><td${st(bg)}>${e(show(i.isp_name, 40))}${mark}</td>` +
        `<td align="right" style="${bg ? `${bg};` : ''}color:${palette.muted}">${e(
          i.count_total === null ? '—' : int(i.count_total),
        )}</td>` +
        `<td align="right"${st(hot ? `${bg};font-weight:bold` : '')}>${e(pct(i.pct_inbox))}</td>` +
        `<td align="right"${st(bg)}>${e(pct(i.pct_bulk))}</td>` +
        `<td align="right"${st(bg)}>${e(pct(i.pct_missing))}</td></tr>`
      );
    })
    .join('');
  const restInbox = rest.flatMap((i) => (i.pct_inbox === null ? [] : [i.pct_inbox]));
  const restNote =
    rest.length === 0
      ? ''
      : `<tr><td colspan="5" style="font-size:11px;color:${palette.muted}">${e(
          `+ ${plural(rest.length, 'more provider')}` +
            (restInbox.length > 0 ? `, inbox ${pct(Math.min(...restInbox))} or better` : ''),
        )}</td></tr>`;
  const ispTable =
    isps.length === 0
      ? small('No per-provider results yet.')
      : `<table ${DATA} width="100%" style="${tableStyle(12)}"><tr>${th('Provider', 'left')}${th('seeds')}` +
        `${th('inbox')}${th('bulk')}${th('missing')}</tr>${ispRows}${restNote}</table>`;

  const costly = costlyRules(c);
  const spam = c.spam_score;
  const spamVerdict =
    spam === null
      ? 'not scored yet'
      : c.spam_required !== null && spam >= c.spam_required
        ? 'spam by its rules'
        : 'below the spam threshold';
  const spamColour =
    spam !== null && c.spam_required !== null && spam >= c.spam_required ? palette.critical : palette.text;
  const rules =
    costly.length === 0
      ? ''
      : `<table ${DATA} width="100%" style="${tableStyle(12)};margin-top:2px">${costly
          .map(
            (r) =>
              `<tr><td valign="top" align="right" style="color:${palette.critical};` +
              `white-space:nowrap">${e(`+${num(r.score ?? 0)}`)}</td><td>` +
              `<b>${e(show(r.rule, 40))}</b><br><span style="color:${palette.muted}">${e(
                show(r.description, 100),
              )}</span></td></tr>`,
          )
          .join('')}</table>`;
  const spamBlock =
    small('SpamAssassin') +
    `<div style="${FONT};font-size:13px;color:${spamColour}"><b>${e(spam === null ? '—' : num(spam))}</b>${e(
      ` / ${c.spam_required === null ? '—' : num(c.spam_required)} required · ${spamVerdict}`,
    )}</div>${costly.length > 0 ? small('Rules that cost the most points') : ''}${rules}`;
  const auth =
    small('Authentication of the seed copies collected whole') +
    `<div style="${FONT};font-size:12px">${authLine('SPF', c.authentication.spf)}${authLine(
      'DKIM',
      c.authentication.dkim,
    )}${authLine('DMARC', c.authentication.dmarc)}</div>`;

  const status = campaignStatus(c);
  const label = campaignLabel(v);
  const labelColour = isCalm(v.level) ? palette.ok : levelColour[v.level];
  const headBg = isCalm(v.level) ? '#f9fafb' : levelBg[v.level];
  return row(
    `<table ${TABLE} width="100%" style="${tableStyle()};border:1px solid ${palette.line};` +
      `border-left:4px solid ${labelColour}">` +
      `<tr><td colspan="2" style="padding:8px 12px;background:${headBg}">` +
      `${badge(label, labelColour)} ` +
      `<span style="font-size:15px;font-weight:bold">Campaign ${e(String(c.campaign_id))}</span> ` +
      `<span style="font-size:12px;color:${palette.muted}">${e(
        `sent ${localTime(c.sent_at, a.d.timezone)} · ${status}`,
      )}</span>` +
      `<div style="padding-top:3px"><b>${e(`“${show(c.subject, 110)}”`)}</b> ` +
      `<span style="color:${palette.muted}">${e(`from ${show(c.from_address, 80)}`)}</span></div></td></tr>` +
      `<tr><td colspan="2" style="padding:8px 12px 2px">` +
      `<span style="color:#067647">Inbox <b>${e(pct(c.pct_inbox))}</b></span> · ` +
      `<span style="color:${palette.warning}">Bulk <b>${e(pct(c.pct_bulk))}</b></span> · ` +
      `<span style="color:${palette.info}">Missing <b>${e(pct(c.pct_missing))}</b></span>` +
      `${placementBar(c)}</td></tr>` +
      `<tr><td valign="top" width="54%" style="padding:6px 8px 10px">${ispTable}</td>` +
      `<td valign="top" style="padding:0 12px 10px 8px">${spamBlock}${auth}</td></tr></table>`,
  );
}

export function serverRow(v: ServerView): string {
  const { s } = v;
  const status = serverStatus(v);
  const dq = delta(s.queued, s.baseline?.queued);
  const cell = (t: string, extra = '') => `<td align="right"${st(extra)}>${e(t)}</td>`;
  const bg = v.silent ? `background:${palette.silentBg};` : '';
  return (
    `<tr><td${st(bg)}>${e(`Server ${s.server_id}`)}</td>` +
    cell(int(s.queued), bg) +
    cell(v.silent ? `usually ${avg(s.baseline?.queued)}` : (dq?.text ?? '—'), `${bg}color:${palette.muted}`) +
    cell(rate(s.bounce_rate), bg) +
    cell(rate(s.complaint_rate), bg) +
    `<td style="${bg}color:${levelColour[status.tone]};font-size:11px;font-weight:bold">${e(status.label)}</td></tr>`
  );
}

export function campaignRow(a: DigestView, v: CampaignView): string {
  const { c } = v;
  const label = campaignLabel(v);
  const colour = isCalm(v.level) ? palette.ok : levelColour[v.level];
  const cell = (t: string) => `<td align="right" style="white-space:nowrap">${e(t)}</td>`;
  return (
    `<tr><td style="white-space:nowrap">${e(String(c.campaign_id))}</td>` +
    `<td>${e(show(c.subject, 48))}</td>` +
    cell(localTime(c.sent_at, a.d.timezone)) +
    cell(pct(c.pct_inbox)) +
    cell(pct(c.pct_bulk)) +
    cell(c.spam_score === null ? '—' : num(c.spam_score)) +
    `<td style="color:${colour};font-size:11px;font-weight:bold">${e(label)}</td></tr>`
  );
}
