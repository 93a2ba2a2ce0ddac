import { describe, expect, it } from 'vitest';
import { type Alert, type Digest, digestSchema, parseScopeLabel } from '../../../shared/digest/model';
import { renderDigest, renderHtml, renderSubject } from '../../../shared/digest/render';

const renderText = (d: Parameters<typeof renderDigest>[0]) => renderDigest(d).text;

import { sampleDigest } from '../../../shared/sandbox/digest-sample';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** The first tag that closes out of order, or null when every element is closed where it was opened. */
function misnested(html: string): string | null {
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>/g)) {
    const tag = m[2]!.toLowerCase();
    if (tag === 'meta' || tag === 'br') continue;
    if (!m[1]) stack.push(tag);
    else if (stack.pop() !== tag) return `</${tag}> at ${m.index}`;
  }
  return stack.length === 0 ? null : `unclosed <${stack.join('> <')}>`;
}

/** A changed copy of a digest, validated like the real one so a fixture cannot drift from the contract. */
function variant(d: Digest, change: (copy: Digest) => void): Digest {
  const copy = structuredClone(d);
  change(copy);
  return digestSchema.parse(copy);
}

const alert = (
  severity: Alert['severity'],
  scope: string,
  metric: string,
  value: number | null,
  threshold: number | null,
) => ({
  severity,
  scope: parseScopeLabel(scope),
  metric,
  value,
  threshold,
  advice: `Advice for ${scope}.`,
});

describe('renderSubject', () => {
  const base = sampleDigest();

  it('names the worst alert, critical before warning', () => {
    const d = variant(base, (x) => {
      x.alerts = [
        alert('warning', 'server 5678', 'bounce rate', 0.0312, 0.02),
        alert('critical', 'server 1234', 'complaint rate', 0.0034, 0.003),
      ];
    });
    expect(renderSubject(d)).toBe('inboxlake 2026-11-22 · CRITICAL · server 1234 complaint rate 0.34 %');
  });

  it('names a warning when there is nothing critical, in the unit of its metric', () => {
    const rate = variant(base, (x) => {
      x.alerts = [alert('warning', 'server 5678', 'bounce rate', 0.0312, 0.02)];
    });
    expect(renderSubject(rate)).toBe('inboxlake 2026-11-22 · WARNING · server 5678 bounce rate 3.12 %');
    const placement = variant(base, (x) => {
      x.alerts = [alert('warning', 'campaign 3829 / Gmail', 'inbox placement', 41, 80)];
    });
    expect(renderSubject(placement)).toBe(
      'inboxlake 2026-11-22 · WARNING · campaign 3829 / Gmail inbox placement 41.0 %',
    );
  });

  it('says OK when no alert is a warning or worse', () => {
    const none = variant(base, (x) => {
      x.alerts = [];
    });
    expect(renderSubject(none)).toBe('inboxlake 2026-11-22 · OK');
    const infoOnly = variant(base, (x) => {
      x.alerts = [alert('info', 'server 1234', 'opens', 10, null)];
    });
    expect(renderSubject(infoOnly)).toBe('inboxlake 2026-11-22 · OK');
  });

  it('says NO DATA on a day without data, not OK', () => {
    expect(renderSubject(sampleDigest({ empty: true }))).toBe('inboxlake 2026-11-22 · NO DATA');
    const quiet = variant(sampleDigest({ empty: true }), (x) => {
      x.alerts = [];
    });
    expect(renderSubject(quiet)).toBe('inboxlake 2026-11-22 · NO DATA');
  });

  it('keeps API text from breaking the header onto a new line', () => {
    const d = variant(base, (x) => {
      x.alerts = [alert('critical', 'campaign 1 / Evil\r\nBcc: victim@example.com', 'inbox placement', 10, 60)];
    });
    const subject = renderSubject(d);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toContain('CRITICAL · campaign 1 / Evil Bcc: victim@example.com inbox placement 10.0 %');
  });
});

describe('renderHtml', () => {
  it('escapes every string that came from an API, and makes no tag or attribute from them', () => {
    const script = '<script>alert(1)</script>';
    const img = '<img src=x onerror=alert(1)>';
    const quotes = `it's "quoted" & <b>bold</b>`;
    const d = variant(sampleDigest(), (x) => {
      const s = x.socketlabs.servers[0]!;
      s.top_failure_codes[0]!.meaning = script;
      s.top_failure_codes[0]!.category = quotes;
      s.top_bouncing_domains[0]!.domain = img;
      s.complaint_types[0]!.type = `"><svg onload=alert(1)>`;
      const c = x.sendsage.campaigns[0]!;
      c.subject = script;
      c.from_address = `"${img}"@evil.test`;
      c.status = quotes;
      c.isps[0]!.isp_name = img;
      c.top_rules[0]!.rule = script;
      c.top_rules[0]!.description = quotes;
      c.authentication.dmarc = { [img]: 3 };
      x.alerts.unshift({
        severity: 'critical',
        scope: { kind: 'campaign', campaign_id: c.campaign_id, provider: img },
        metric: script,
        value: 1,
        threshold: 2,
        advice: `${quotes} ${script}`,
      });
      x.hard_bounced_addresses.unshift({ server_id: s.server_id, address: img, code: 2001, reason: script });
      x.hard_bounced_total++;
    });
    const html = renderHtml(d);

    expect(misnested(html)).toBeNull();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src&#61;x onerror&#61;alert(1)&gt;');
    expect(html).toContain('it&#39;s &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('&quot;&gt;&lt;svg onload&#61;alert(1)&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<svg/i);
    expect(html).not.toContain('onerror=');
    expect(html).not.toContain('onload=');
    // Only the renderer's own markup: a fixed set of tags, no links, no sources, no handlers.
    const allowed = ['b', 'body', 'br', 'div', 'head', 'html', 'meta', 'span', 'table', 'td', 'title', 'tr'];
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
    expect([...tags].filter((t) => !allowed.includes(t))).toEqual([]);
    expect(html).not.toMatch(/\s(href|src|on[a-z]+)\s*=/i);
    expect(html).not.toMatch(/<style|<script|<link|url\(/i);
  });

  it('stays under 100 KB with 50 servers and 100 campaigns, and still names the worst', () => {
    const d = sampleDigest({ servers: 50, campaigns: 100 });
    const html = renderHtml(d);
    expect(bytes(html)).toBeLessThan(100_000);
    // The critical servers and the campaign of the worst alert are shown in full.
    expect(html).toContain('Server 1234</span>');
    expect(html).toContain('Server 5678</span>');
    const worstCampaign = d.alerts.flatMap((a) =>
      a.severity === 'critical' && a.scope.kind === 'campaign' ? [a.scope.campaign_id] : [],
    )[0];
    expect(worstCampaign).toBeDefined();
    expect(html).toContain(`Campaign ${worstCampaign}</span>`);
    // The tail is summarised rather than dropped silently.
    expect(html).toMatch(/more servers not listed|The other servers/);
    expect(html).toMatch(/more tests not listed/);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(misnested(html)).toBeNull();
  });

  it('degrades within any budget and with absurdly long API text', () => {
    const d = variant(sampleDigest({ servers: 120, campaigns: 200 }), (x) => {
      for (const c of x.sendsage.campaigns) c.subject = 'Subject '.repeat(2_000);
      for (const s of x.socketlabs.servers) for (const f of s.top_failure_codes) f.meaning = 'x'.repeat(10_000);
    });
    const html = renderHtml(d);
    expect(bytes(html)).toBeLessThan(100_000);
    expect(html).toContain('Needs action');
    for (const maxBytes of [3_000, 20_000, 40_000, 60_000]) {
      const small = renderHtml(d, { maxBytes });
      expect(bytes(small)).toBeLessThanOrEqual(maxBytes);
      expect(small).toContain('Needs action');
      expect(misnested(small)).toBeNull();
    }
  });

  it('says plainly that no data arrived instead of showing zeros', () => {
    const html = renderHtml(sampleDigest({ empty: true }));
    expect(misnested(html)).toBeNull();
    expect(html).toContain('No data arrived for 2026-11-22');
    expect(html).toContain('This is not a quiet day that went well');
    expect(html).not.toContain('All fine');
    expect(html).not.toContain('0.00 %');

    // Servers that are known but sent nothing: still no data, and each shown against what it usually sends.
    const zeros = variant(sampleDigest({ servers: 2, campaigns: 0 }), (x) => {
      for (const s of x.socketlabs.servers) {
        Object.assign(s, {
          queued: 0,
          processed: 0,
          hard_bounces: 0,
          soft_bounces: 0,
          suppressed: 0,
          complaints: 0,
          opens: 0,
          clicks: 0,
          bounce_rate: null,
          complaint_rate: null,
          top_failure_codes: [],
          top_bouncing_domains: [],
          complaint_types: [],
        });
      }
      x.alerts = [];
      x.hard_bounced_addresses = [];
      x.hard_bounced_total = 0;
    });
    const quiet = renderHtml(zeros);
    expect(quiet).toContain('No data arrived for 2026-11-22');
    expect(quiet).toContain('usually ');
    expect(quiet).toContain('NO TRAFFIC');
  });

  it('sets a server that sent nothing apart from a quiet healthy one', () => {
    const d = sampleDigest();
    const html = renderHtml(d);
    const silent = d.socketlabs.servers.find((s) => s.queued === 0)!;
    expect(html).toContain(`Queued nothing on 2026-11-22; it usually queues`);
    const card = html.slice(html.indexOf(`Server ${silent.server_id}</span>`) - 1_500);
    expect(card.slice(0, 1_600)).toContain('dashed');
  });

  it('shows rates with two decimals, nulls as a dash, and changes as arrows with a percentage', () => {
    const d = variant(sampleDigest(), (x) => {
      const s = x.socketlabs.servers[0]!;
      s.queued = 1_500;
      s.baseline!.queued = 1_000;
      s.complaints = 3;
      s.processed = 1_000;
      s.complaint_rate = 0.003;
      s.baseline!.bounce_rate = null;
    });
    const html = renderHtml(d);
    expect(html).toContain('▲ 50 %');
    expect(html).toContain('0.30 %');
    expect(html).toMatch(/>—</);
    expect(html).toContain('▼ ');
  });

  it('shows send times in the digest zone, and in UTC when the zone is unknown', () => {
    const d = sampleDigest();
    const c = d.sendsage.campaigns[0]!;
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' });
    expect(renderHtml(d)).toContain(`sent 22 Nov ${berlin.format(new Date(c.sent_at))}`);
    const mars = variant(d, (x) => {
      x.timezone = 'Mars/Olympus_Mons';
    });
    expect(renderHtml(mars)).toContain(`sent 22 Nov ${c.sent_at.slice(11, 16)} UTC`);
  });

  it('says when the attached list holds only the first addresses, and where the rest are', () => {
    const all = sampleDigest();
    expect(renderHtml(all)).toContain(`lists all ${all.hard_bounced_total}`);
    const capped = variant(all, (x) => {
      x.hard_bounced_total = 123_456;
    });
    const listed = capped.hard_bounced_addresses.length.toLocaleString('en-US');
    for (const out of [renderHtml(capped), renderText(capped).replace(/\s+/g, ' ')]) {
      expect(out).toContain(`the first ${listed} of 123,456 addresses`);
      expect(out).toContain('new-hard-bounces');
    }
  });

  it('says all is fine on a day without alerts', () => {
    const d = variant(sampleDigest(), (x) => {
      x.alerts = [];
    });
    const html = renderHtml(d);
    expect(html).toContain('All fine');
    expect(html).toContain('No alerts');
  });

  it('lists alerts critical first, each with its advice, and the definitions in the footer', () => {
    const d = sampleDigest();
    const html = renderHtml(d);
    const firstWarning = html.indexOf('>WARNING</b>');
    const lastCritical = html.lastIndexOf('>CRITICAL</b>');
    expect(lastCritical).toBeGreaterThan(0);
    expect(firstWarning).toBeGreaterThan(lastCritical);
    for (const a of d.alerts) expect(html).toContain(a.advice.slice(0, 40));
    expect(html).toContain('(hard + soft bounces) / queued; null when nothing was queued');
    expect(html).toContain('complaints / processed (delivered); null when nothing was delivered');
  });
});

describe('renderText', () => {
  it('carries the key figures in 80 columns', () => {
    const d = sampleDigest();
    const text = renderText(d);
    const top = d.socketlabs.servers.find((s) => s.server_id === 1234)!;
    const percent = (r: number | null) => `${((r ?? 0) * 100).toFixed(2)} %`;
    expect(text).toContain(`Server 1234 (${top.source}) · CRITICAL`);
    expect(text).toContain(top.queued.toLocaleString('en-US'));
    expect(text).toContain(percent(top.complaint_rate));
    expect(text).toContain(percent(top.bounce_rate));
    expect(text).toContain(`[CRITICAL] server 1234 · complaint rate ${percent(top.complaint_rate)}`);
    const bulked = d.sendsage.campaigns[0]!;
    expect(text).toContain(`Campaign ${bulked.campaign_id}`);
    expect(text).toContain(`Placement: inbox ${bulked.pct_inbox!.toFixed(1)} %`);
    expect(text).toContain('SpamAssassin: ');
    expect(text).toContain('CLICK_BELOW');
    expect(text).toContain('Queued nothing on 2026-11-22');
    expect(text).toContain('bounce_rate: (hard + soft bounces) / queued');
    expect(text).toMatch(/queued {5}[▁▂▃▄▅▆▇█_]{14} {2}max /);
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('says no data arrived on a day without data', () => {
    const text = renderText(sampleDigest({ empty: true }));
    expect(text).toContain('NO DATA ARRIVED FOR 2026-11-22');
    expect(text).not.toContain('ALL FINE');
  });

  it('stays in 80 columns with many items and long API text', () => {
    const d = variant(sampleDigest({ servers: 50, campaigns: 100 }), (x) => {
      x.sendsage.campaigns[0]!.subject = `https://example.com/${'a'.repeat(300)}`;
    });
    for (const line of renderText(d).split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  });
});

describe('an incomplete digest (unreadable lake files)', () => {
  const key = (i: number) =>
    `_rollups/socketlabs_messages/dt=2026-11-22/server_id=${1000 + i}/part-20261122T000000Z-20261123T000000Z.totals.json`;
  const incomplete = variant(sampleDigest(), (x) => {
    x.unreadable_files = Array.from({ length: 7 }, (_, i) => ({ key: key(i), error: 'Unterminated string in JSON' }));
  });

  it('says so in the subject, and only then', () => {
    expect(renderSubject(incomplete)).toBe(`${renderSubject(sampleDigest())} · INCOMPLETE`);
    expect(renderSubject(sampleDigest())).not.toContain('INCOMPLETE');
  });

  it('puts a banner naming the first five files at the top of the HTML, well nested', () => {
    const html = renderHtml(incomplete);
    expect(misnested(html)).toBeNull();
    const banner = html.indexOf('INCOMPLETE: 7 lake files could not be read');
    expect(banner).toBeGreaterThan(0);
    expect(banner).toBeLessThan(html.indexOf('Alerts'));
    for (let i = 0; i < 5; i++) expect(html).toContain(key(i).replaceAll('=', '&#61;'));
    expect(html).not.toContain(key(5).replaceAll('=', '&#61;'));
    expect(html).toContain('and 2 more; their figures are left out');
    expect(renderHtml(sampleDigest())).not.toContain('INCOMPLETE');
  });

  it('names them in the text, one per line, within 80 columns', () => {
    const text = renderText(incomplete);
    const lines = text.split('\n');
    expect(lines).toContain('INCOMPLETE: 7 lake files could not be read');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    const listed = lines.filter((l) => l.startsWith('  - '));
    expect(listed).toHaveLength(5);
    expect(text.replace(/\n {4}/g, '')).toContain(`  - ${key(0)}`);
    expect(renderText(sampleDigest())).not.toContain('INCOMPLETE');
  });
});
