import { adviceText, groupAlerts, noteAdvice, providersText } from './alert-groups';
import {
  avg,
  clean,
  delta,
  int,
  localTime,
  longDate,
  metricKey,
  metricLabel,
  num,
  pct,
  plural,
  rate,
  shortDate,
  show,
  thresholdText,
  utc,
  valueText,
} from './format';
import { intradayNote, intradayWords, MAX_INTRADAY_ROWS } from './intraday';
import {
  attachedSentence,
  type CampaignView,
  campaignLabel,
  campaignStatus,
  costlyRules,
  type DigestView,
  definitionsOf,
  incompleteNotice,
  ispOrder,
  type Layout,
  MAX_ISP_ROWS,
  type ServerView,
  serverMetricCells,
  serverMetricRows,
  serverStatus,
  summaryRuns,
  verdict,
  worstIsps,
} from './view-model';

// ---------------------------------------------------------------------------------------------------- text

const WIDTH = 80;

/** Word-wraps to the page width, continuation lines indented. */
function wrap(text: string, indent = '', first = indent, width = WIDTH): string[] {
  // A word longer than a line (a URL, a base64 token in a bounce reason) is cut, so no line passes the width.
  const room = Math.max(10, width - indent.length);
  const words = text
    .split(' ')
    .filter(Boolean)
    .flatMap((w) => (w.length <= room ? [w] : (w.match(new RegExp(`.{1,${room}}`, 'gu')) ?? [w])));
  const lines: string[] = [];
  let line = first;
  let fresh = true;
  for (const w of words) {
    if (!fresh && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent + w;
    } else {
      line += (fresh ? '' : ' ') + w;
    }
    fresh = false;
  }
  lines.push(line);
  return lines;
}

const SPARKS = '▁▂▃▄▅▆▇█';

function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v === 0 ? '_' : SPARKS[Math.min(7, Math.floor((v / (max || 1)) * 7.999))]!)).join('');
}

const padL = (s: string, n: number) => s.padStart(n);
const padR = (s: string, n: number) => s.padEnd(n);

function textServer(a: DigestView, v: ServerView): string[] {
  const { s } = v;
  const st = serverStatus(v);
  const out = [`Server ${s.server_id} (${s.source}) · ${st.label}`];
  if (v.silent)
    out.push(...wrap(`Queued nothing on ${a.d.date}; it usually queues ${avg(s.baseline?.queued)} a day.`, '  ', '  '));
  else if (s.baseline === null) out.push('  No baseline yet: fewer than 7 days of history.');
  out.push(`  ${padR('', 16)}${padL(shortDate(a.d.date), 12)}${padL('7-day avg', 12)}${padL('change', 12)}`);
  for (const m of serverMetricRows) {
    const c = serverMetricCells(v, m);
    const mark = v.alerts.some((x) => metricKey(x.metric) === m.key) ? '! ' : '  ';
    out.push(`${mark}${padR(m.label, 16)}${padL(c.now, 12)}${padL(c.base, 12)}${padL(c.d?.text ?? '—', 12)}`);
  }
  if (s.series.length > 0) {
    const span = `${shortDate(s.series[0]!.date)}–${shortDate(s.series[s.series.length - 1]!.date)}`;
    out.push(`  14 days, ${span}:`);
    for (const [label, values] of [
      ['queued', s.series.map((x) => x.queued)],
      ['bounces', s.series.map((x) => x.bounces)],
      ['complaints', s.series.map((x) => x.complaints)],
    ] as const) {
      out.push(`    ${padR(label, 11)}${sparkline(values)}  max ${int(Math.max(0, ...values))}`);
    }
  }
  if (s.top_failure_codes.length > 0) {
    out.push('  Top failure codes:');
    for (const f of s.top_failure_codes) {
      const head = `    ${padL(f.code === null ? '—' : String(f.code), 5)} ${padL(int(f.count), 7)}  `;
      out.push(...wrap(`${show(f.category, 30)}: ${show(f.meaning, 110)}`, ' '.repeat(head.length), head));
    }
  }
  if (s.top_bouncing_domains.length > 0) {
    const parts = s.top_bouncing_domains.map(
      (x) => `${show(x.domain, 48)} ${int(x.total)} (${int(x.hard)} hard, ${int(x.soft)} soft)`,
    );
    out.push(...wrap(`Top bouncing domains: ${parts.join('; ')}`, '    ', '  '));
  }
  if (s.complaint_types.length > 0) {
    out.push(
      ...wrap(
        `Complaints by type: ${s.complaint_types.map((x) => `${show(x.type, 30)} ${int(x.count)}`).join(', ')}`,
        '    ',
        '  ',
      ),
    );
  }
  return out;
}

function textCampaign(a: DigestView, v: CampaignView): string[] {
  const { c } = v;
  const label = campaignLabel(v);
  const out = [
    `Campaign ${c.campaign_id} · sent ${localTime(c.sent_at, a.d.timezone)} · ${campaignStatus(c)} · ${label}`,
  ];
  out.push(...wrap(`“${show(c.subject, 110)}” from ${show(c.from_address, 80)}`, '    ', '  '));
  out.push(`  Placement: inbox ${pct(c.pct_inbox)} · bulk ${pct(c.pct_bulk)} · missing ${pct(c.pct_missing)}`);
  const worst = worstIsps(v);
  const isps = ispOrder(c);
  if (isps.length > 0) {
    out.push(`  ${padR('Provider', 26)}${padL('seeds', 7)}${padL('inbox', 9)}${padL('bulk', 9)}${padL('missing', 9)}`);
    for (const i of isps.slice(0, MAX_ISP_ROWS)) {
      const name = `${show(i.isp_name, 24)}`;
      out.push(
        `${worst.has(i) ? '! ' : '  '}${padR(name, 26)}` +
          `${padL(i.count_total === null ? '—' : int(i.count_total), 7)}` +
          `${padL(pct(i.pct_inbox), 9)}${padL(pct(i.pct_bulk), 9)}${padL(pct(i.pct_missing), 9)}`,
      );
    }
    if (isps.length > MAX_ISP_ROWS) out.push(`  + ${plural(isps.length - MAX_ISP_ROWS, 'more provider')}`);
  }
  const spam =
    c.spam_score === null
      ? 'SpamAssassin: not scored yet'
      : `SpamAssassin: ${num(c.spam_score)} / ${c.spam_required === null ? '—' : num(c.spam_required)} required`;
  out.push(`  ${spam}`);
  const costly = costlyRules(c);
  for (const r of costly) {
    const head = `    ${padL(`+${num(r.score ?? 0)}`, 6)} `;
    out.push(...wrap(`${show(r.rule, 40)}: ${show(r.description, 100)}`, ' '.repeat(head.length), head));
  }
  const auth = (name: string, counts: Record<string, number>) => {
    const entries = Object.entries(counts).sort((x, y) => y[1] - x[1]);
    const results = entries.map(([k, n]) => `${clean(k, 20)} ${int(n)}`).join(', ');
    return `${name} ${entries.length === 0 ? 'no results' : results}`;
  };
  out.push(
    ...wrap(
      `Authentication: ${auth('SPF', c.authentication.spf)}; ${auth('DKIM', c.authentication.dkim)}; ${auth(
        'DMARC',
        c.authentication.dmarc,
      )}`,
      '    ',
      '  ',
    ),
  );
  return out;
}

/** The intraday section: one entry a line (the where and the times wrapped below when they do not fit). */
function textIntraday(a: DigestView): string[] {
  const list = a.d.intraday;
  const out = ['INTRADAY ALERTS', '-'.repeat(WIDTH), ...wrap(intradayNote(list.length))];
  for (const x of list.slice(0, MAX_INTRADAY_ROWS)) {
    const w = intradayWords(x, a.d.timezone);
    const tag = padR(`[${w.severity}]`, 11);
    const pad = ' '.repeat(11);
    out.push(...wrap(`${w.metric} · ${w.where} · peak ${w.peak}`, pad, tag));
    out.push(...wrap(`opened ${w.opened} · resolved ${w.resolved}`, pad, pad));
  }
  if (list.length > MAX_INTRADAY_ROWS)
    out.push(`  First ${MAX_INTRADAY_ROWS} of ${int(list.length)}; all in digest.json.`);
  return out;
}

/**
 * The plain-text part: the same note in 80 columns, charts as sparklines, showing in full the items `layout` names
 * (the HTML's, so both parts of the e-mail tell the same story).
 */
export function layoutText(a: DigestView, p: Layout): string {
  const { d } = a;
  const rule = '='.repeat(WIDTH);
  const thin = '-'.repeat(WIDTH);
  const v = verdict(a);
  const out: string[] = [`inboxlake daily digest · ${longDate(d.date)} · ${clean(d.timezone, 60)}`, rule];
  out.push(v.headline.toUpperCase());
  for (const runs of summaryRuns(a)) out.push(...wrap(runs.map(([t]) => t).join('')));
  out.push('');
  const notice = incompleteNotice(d);
  if (notice) {
    out.push(notice.headline);
    for (const k of notice.keys) out.push(...wrap(k, '    ', '  - '));
    out.push(...wrap(notice.note), '');
  }

  if (a.alerts.length > 0) {
    out.push('ALERTS', thin);
    const given = new Map<string, string>();
    for (const g of groupAlerts(a.alerts)) {
      const tag = padR(`[${g.severity.toUpperCase()}]`, 11);
      const pad = ' '.repeat(11);
      const main = g.main ? ` ${valueText(g.main)}${thresholdText(g.main)}` : '';
      out.push(...wrap(`${g.scope} · ${metricLabel(g.metric)}${main}`.replace(/ +$/, ''), pad, tag));
      if (g.isps.length > 0) out.push(...wrap(`${g.main ? 'By provider' : 'At'}: ${providersText(g)}`, pad, pad));
      out.push(...wrap(adviceText(g, given), pad, pad));
      noteAdvice(g, given);
    }
    out.push('', '(Below, ! marks the figure or provider an alert is about.)', '');
  } else if (!a.noData) {
    out.push('No alerts: every server and placement test is within its usual range.', '');
  }

  if (d.intraday.length > 0 || !a.noData) out.push(...textIntraday(a), '');

  if (!(a.noData && a.servers.length === 0)) out.push('SOCKETLABS SERVERS', thin);
  if (a.servers.length === 0 && !a.noData) out.push('No SocketLabs server reported any figures for this day.');
  for (const s of p.fullServers) out.push(...textServer(a, s), '');
  if (p.restServers.length > 0) {
    out.push(p.fullServers.length > 0 ? 'The other servers:' : 'Servers:');
    out.push(
      `  ${padR('server', 14)}${padL('queued', 11)}${padL('vs avg', 16)}` +
        `${padL('bounce', 10)}${padL('complaint', 11)}  status`,
    );
    for (const s of p.restServers) {
      const st = serverStatus(s);
      const dq = s.silent
        ? `usually ${avg(s.s.baseline?.queued)}`
        : (delta(s.s.queued, s.s.baseline?.queued)?.text ?? '—');
      out.push(
        `  ${padR(`Server ${s.s.server_id}`, 14)}${padL(int(s.s.queued), 11)}${padL(dq, 16)}` +
          `${padL(rate(s.s.bounce_rate), 10)}${padL(rate(s.s.complaint_rate), 11)}  ${st.label}`,
      );
    }
  }
  out.push('');

  if (!(a.noData && a.campaigns.length === 0)) {
    out.push('SENDSAGE PLACEMENT TESTS', thin);
    if (a.campaigns.length === 0) out.push('No placement test was sent this day.');
    for (const c of p.fullCampaigns) out.push(...textCampaign(a, c), '');
    if (p.restCampaigns.length > 0) {
      out.push(p.fullCampaigns.length > 0 ? 'The other tests:' : 'Tests:');
      for (const c of p.restCampaigns) {
        const label = campaignLabel(c);
        const head = `  ${padL(String(c.c.campaign_id), 7)}  ${padL(pct(c.c.pct_inbox), 7)} inbox  ${padR(label, 8)} `;
        out.push(`${head}${show(c.c.subject, WIDTH - head.length)}`);
      }
    }
    out.push('');
  }

  const bounced = d.hard_bounced_addresses;
  if (bounced.length > 0) {
    out.push('SUPPRESS', thin);
    out.push(...wrap(`${attachedSentence(bounced.length, d.hard_bounced_total)}; add them to your suppression list.`));
    for (const x of bounced.slice(0, 5)) {
      out.push(...wrap(`${clean(x.address, 64)}: ${x.code ?? '—'} ${show(x.reason, 110)}`, '      ', '  '));
    }
    out.push('');
  }

  out.push('DEFINITIONS', thin);
  const defs = definitionsOf(d);
  for (const [k, text] of defs) out.push(...wrap(`${clean(k, 40)}: ${clean(text, 200)}`, '    ', '  '));
  out.push(
    ...wrap(
      `Day ${d.date} in ${clean(d.timezone, 60)}: ${utc(d.window.start)} to ${utc(d.window.end)}. Generated ` +
        `${utc(d.generated_at)} by inboxlake; the full figures are in digest.json.`,
    ),
  );
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
