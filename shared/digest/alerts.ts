import { providerBelow } from '../core/placement';
import type { Alert, AlertScope, DigestCampaign, DigestServer } from './model';
import type { Thresholds } from './thresholds';

const advice = {
  complaint:
    'Recipients are marking mail as spam: check the sources of recently added addresses, honour unsubscribes at once, and make the sender recognisable.',
  bounce:
    'Many addresses failed: look at the top failure codes and domains; invalid addresses (2xxx) point at list hygiene, blocks (1xxx) at reputation.',
  inbox:
    'Seeds landed outside the inbox: check the SpamAssassin rules that cost the most points and SPF/DKIM/DMARC alignment for the affected providers.',
  quiet:
    'No data arrived for this source although it had traffic in the last week: check the collector and the API credentials.',
  noData:
    'Nothing was collected for this day from any source: check that the collectors ran and that the lake is the right one.',
};

function rateAlert(
  scope: AlertScope,
  metric: string,
  value: number | null,
  warn: number,
  critical: number,
  text: string,
): Alert | null {
  if (value === null || value < warn) return null;
  return {
    severity: value >= critical ? 'critical' : 'warning',
    scope,
    metric,
    value,
    threshold: value >= critical ? critical : warn,
    advice: text,
  };
}

/** The day's findings, worst first. */
export function findAlerts(
  servers: readonly DigestServer[],
  campaigns: readonly DigestCampaign[],
  t: Thresholds,
): Alert[] {
  const out: Alert[] = [];
  for (const s of servers) {
    const scope: AlertScope = { kind: 'server', server_id: s.server_id };
    if (
      s.queued + s.processed === 0 &&
      s.baseline &&
      ((s.baseline.queued ?? 0) > 0 || (s.baseline.processed ?? 0) > 0)
    ) {
      out.push({ severity: 'warning', scope, metric: 'no data', value: 0, threshold: null, advice: advice.quiet });
      continue;
    }
    if (s.queued >= t.minVolume) {
      const a = rateAlert(scope, 'bounce rate', s.bounce_rate, t.bounceWarn, t.bounceCritical, advice.bounce);
      if (a) out.push(a);
    }
    if (s.processed >= t.minVolume) {
      const a = rateAlert(
        scope,
        'complaint rate',
        s.complaint_rate,
        t.complaintWarn,
        t.complaintCritical,
        advice.complaint,
      );
      if (a) out.push(a);
    }
  }
  for (const c of campaigns) {
    const inbox = (scope: AlertScope, pct: number | null, mayBeCritical = true) => {
      if (pct === null || pct >= t.inboxWarn) return;
      const critical = mayBeCritical && pct < t.inboxCritical;
      out.push({
        severity: critical ? 'critical' : 'warning',
        scope,
        metric: 'inbox placement',
        value: pct,
        threshold: critical ? t.inboxCritical : t.inboxWarn,
        advice: advice.inbox,
      });
    };
    inbox({ kind: 'campaign', campaign_id: c.campaign_id, provider: null }, c.pct_inbox);
    // A provider holds a handful of seeds: its share is judged below a threshold only beyond chance (core/placement).
    for (const isp of c.isps) {
      const scope: AlertScope = { kind: 'campaign', campaign_id: c.campaign_id, provider: String(isp.isp_name) };
      const below = (pct: number) => providerBelow(isp.pct_inbox, isp.count_total, pct, t.minSeeds);
      if (!below(t.inboxWarn)) continue;
      // Critical only when it is also beyond chance below the critical threshold.
      inbox(scope, isp.pct_inbox, below(t.inboxCritical));
    }
  }
  if (servers.every((s) => s.queued + s.processed === 0) && campaigns.length === 0) {
    out.push({
      severity: 'warning',
      scope: { kind: 'all-sources' },
      metric: 'no data',
      value: 0,
      threshold: null,
      advice: advice.noData,
    });
  }
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  // Worst first: severity, then how many times past its threshold (for placement, how many times below it).
  const excess = (a: Alert) => {
    if (a.value === null || a.threshold === null) return 0;
    return a.metric === 'inbox placement' ? a.threshold / Math.max(a.value, 0.1) : a.value / a.threshold;
  };
  return out.sort((a, b) => rank[a.severity] - rank[b.severity] || excess(b) - excess(a));
}
