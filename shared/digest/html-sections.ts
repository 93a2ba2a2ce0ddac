import { type AlertGroup, adviceText, groupAlerts, noteAdvice, providersText } from './alert-groups';
import { clean, int, longDate, metricLabel, plural, show, thresholdText, utc, valueText } from './format';
import {
  bytes,
  DATA,
  e,
  FONT,
  heading,
  levelBg,
  levelColour,
  palette,
  row,
  small,
  TABLE,
  tableStyle,
} from './html-kit';
import { intradayNote, intradayWords, MAX_INTRADAY_ROWS } from './intraday';
import type { Alert, Digest } from './model';
import {
  alertPhrase,
  attachedSentence,
  type DigestView,
  definitionsOf,
  incompleteNotice,
  type Level,
  summaryRuns,
  verdict,
} from './view-model';

/** Alert entries shown at most; the rest are counted in one line. */
const MAX_VISIBLE_ALERTS = 25;

function alertItem(g: AlertGroup, given: Map<string, string>): string {
  const level: Level = g.severity;
  const main = g.main
    ? ` <b>${e(valueText(g.main))}</b><span style="color:${palette.muted}">${e(thresholdText(g.main))}</span>`
    : '';
  const providers =
    g.isps.length === 0
      ? ''
      : `<div style="padding-top:2px">${e(`${g.main ? 'By provider' : 'At'}: ${providersText(g)}`)}</div>`;
  return (
    `<tr><td style="padding:7px 10px;background:${levelBg[level]};border-left:4px solid ${levelColour[level]}">` +
    `<b style="color:${levelColour[level]}">${e(g.severity.toUpperCase())}</b> &nbsp;<b>${e(g.scope)}</b>` +
    ` · ${e(metricLabel(g.metric))}${main}${providers}` +
    `<div style="padding-top:2px;color:#344054">${e(adviceText(g, given))}</div></td></tr>` +
    `<tr><td height="6" style="font-size:0;line-height:0">&nbsp;</td></tr>`
  );
}

export function alertsBlock(a: DigestView, budget: number): string {
  if (a.alerts.length === 0) {
    if (a.noData) return '';
    return row(
      `<div style="${FONT};font-size:13px;padding:8px 10px;background:${palette.okBg};border-left:4px solid ` +
        `${palette.ok}">${e('No alerts: every server and placement test is within its usual range.')}</div>`,
    );
  }
  const groups = groupAlerts(a.alerts);
  const open = `<table ${TABLE} width="100%" style="${tableStyle()}">`;
  const close = '</table>';
  const moreLine = (rest: readonly AlertGroup[]) => {
    const left = rest.flatMap((g) => g.members);
    const n = (sev: Alert['severity']) => left.filter((x) => x.severity === sev).length;
    const parts = [
      n('critical') > 0 ? `${int(n('critical'))} critical` : '',
      n('warning') > 0 ? plural(n('warning'), 'warning') : '',
      n('info') > 0 ? plural(n('info'), 'note') : '',
    ].filter(Boolean);
    return `<tr><td style="padding:2px 10px;color:${palette.muted}">${e(
      `… and ${plural(left.length, 'more alert')} (${parts.join(', ')}), all in digest.json.`,
    )}</td></tr>`;
  };
  // The line for the rest is reserved up front, so adding an alert never leaves no room to say what was left out.
  let used = bytes(open + close) + bytes(moreLine(groups)) + 40;
  let html = '';
  let shown = 0;
  const given = new Map<string, string>();
  for (const g of groups) {
    if (shown >= MAX_VISIBLE_ALERTS) break;
    const item = alertItem(g, given);
    const size = bytes(item);
    if (used + size > budget) break;
    noteAdvice(g, given);
    html += item;
    used += size;
    shown++;
  }
  if (shown < groups.length) html += moreLine(groups.slice(shown));
  return row(open + html + close, '4px 24px');
}

/** The intraday alerts opened or resolved during the day, as a compact table; one line when there were none. */
export function intradayBlock(a: DigestView): string {
  const list = a.d.intraday;
  const title = heading('Intraday alerts', list.length > 0 ? plural(list.length, 'alert') : '');
  if (list.length === 0) return title + row(small(intradayNote(0)));
  const cell = (text: string, align = 'left', css = '') =>
    `<td align="${align}" valign="top" style="border-bottom:1px solid ${palette.line}${css}">${e(text)}</td>`;
  const head = `<tr>${['', 'Alert', 'Where', 'Peak vs usual', 'Opened', 'Resolved']
    .map(
      (t) => `<td style="font-size:11px;color:${palette.muted};border-bottom:1px solid ${palette.line}">${e(t)}</td>`,
    )
    .join('')}</tr>`;
  const rows = list
    .slice(0, MAX_INTRADAY_ROWS)
    .map((x) => {
      const w = intradayWords(x, a.d.timezone);
      return (
        `<tr>${cell(w.severity, 'left', `;font-weight:bold;color:${levelColour[x.severity]}`)}${cell(w.metric)}` +
        `${cell(w.where)}${cell(w.peak, 'right')}${cell(w.opened, 'right', ';white-space:nowrap')}` +
        `${cell(w.resolved, 'right', ';white-space:nowrap')}</tr>`
      );
    })
    .join('');
  const more =
    list.length > MAX_INTRADAY_ROWS
      ? small(`First ${MAX_INTRADAY_ROWS} of ${int(list.length)}; all in digest.json.`)
      : '';
  return (
    title +
    row(
      `${small(intradayNote(list.length))}<table ${DATA} width="100%" style="${tableStyle(12)}">${head}${rows}</table>` +
        more,
    )
  );
}

export function header(a: DigestView): string {
  const { d } = a;
  const v = verdict(a);
  const colour = v.level === 'nodata' ? palette.text : levelColour[v.level];
  const bg = v.level === 'nodata' ? palette.infoBg : levelBg[v.level];
  const summary = summaryRuns(a)
    .map(
      (runs) =>
        `<div style="padding-top:4px">${runs.map(([t, strong]) => (strong ? `<b>${e(t)}</b>` : e(t))).join('')}</div>`,
    )
    .join('');
  return (
    `<tr><td style="padding:18px 24px 6px;${FONT};font-size:12px;color:${palette.muted}">` +
    `${e(`inboxlake daily digest · ${longDate(d.date)} · ${clean(d.timezone, 60)}`)}</td></tr>` +
    row(
      `<div style="${FONT};padding:12px 14px;background:${bg};border-left:6px solid ${colour}">` +
        `<div style="font-size:21px;font-weight:bold;color:${colour}">${e(v.headline)}</div>` +
        `<div style="font-size:14px;color:${palette.text};line-height:1.45">${summary}</div></div>`,
    )
  );
}

export function incompleteBanner(d: Digest): string {
  const notice = incompleteNotice(d);
  if (!notice) return '';
  return row(
    `<div style="${FONT};padding:10px 14px;background:${palette.criticalBg};border-left:6px solid ${palette.critical}">` +
      `<div style="font-size:15px;font-weight:bold;color:${palette.critical}">${e(notice.headline)}</div>` +
      notice.keys
        .map((k) => `<div style="font-family:monospace;font-size:12px;word-break:break-all">${e(k)}</div>`)
        .join('') +
      `<div style="font-size:13px;color:${palette.text};line-height:1.45;padding-top:4px">${e(notice.note)}</div></div>`,
  );
}

export function hardBounceBlock(a: DigestView): string {
  const list = a.d.hard_bounced_addresses;
  if (list.length === 0) return '';
  const byCode = new Map<string, number>();
  for (const x of list) {
    const code = x.code === null ? '—' : String(x.code);
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
  }
  const codes = [...byCode.entries()]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 4)
    .map(([code, n]) => `${code} × ${int(n)}`)
    .join(', ');
  const examples = list
    .slice(0, 5)
    .map(
      (x) =>
        `<tr><td valign="top" style="white-space:nowrap">${e(clean(x.address, 64))}</td>` +
        `<td valign="top" style="color:${palette.muted}">${e(`${x.code ?? '—'} ${show(x.reason, 110)}`)}</td></tr>`,
    )
    .join('');
  const total = a.d.hard_bounced_total;
  return (
    heading('Suppress', `${plural(total, 'hard-bounced address', 'hard-bounced addresses')}`) +
    row(
      `<div style="${FONT};font-size:13px">${e(
        `${attachedSentence(list.length, total)} (codes ${codes}). ` +
          'Add them to your suppression list so they are not mailed again.',
      )}</div>` +
        `<table ${DATA} width="100%" style="${tableStyle(12)};margin-top:4px">${examples}</table>` +
        (list.length > 5 ? small(`First 5 of ${int(total)} shown.`) : ''),
    )
  );
}

export function footer(a: DigestView): string {
  const { d } = a;
  const defs = definitionsOf(d);
  const items = defs
    .map(
      ([k, v]) =>
        `<tr><td valign="top" style="padding:1px 8px 1px 0;white-space:nowrap"><b>${e(clean(k, 40))}</b></td>` +
        `<td style="padding:1px 0">${e(clean(v, 200))}</td></tr>`,
    )
    .join('');
  return row(
    `<div style="${FONT};font-size:11px;color:${palette.muted};border-top:1px solid ${palette.line};` +
      `padding-top:10px;margin-top:14px">` +
      `<div style="font-weight:bold;padding-bottom:3px">Definitions</div>` +
      `<table ${TABLE} style="${FONT};font-size:11px;color:${palette.muted}">${items}</table>` +
      `<div style="padding-top:8px">${e(
        `Day ${d.date} in ${clean(d.timezone, 60)}: ${utc(d.window.start)} to ${utc(d.window.end)}. ` +
          `Generated ${utc(d.generated_at)} by inboxlake; the full figures are in digest.json.`,
      )}</div></div>`,
    '6px 24px 20px',
  );
}

export function preheader(a: DigestView): string {
  const v = verdict(a);
  const worst = a.worst && !a.noData ? ` · ${a.worst.severity}: ${alertPhrase(a.worst)}` : '';
  return (
    `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;` +
    `color:#ffffff">${e(`${v.headline}${worst}`)}</div>`
  );
}
