import { clean, metricKey, thresholdText, valueText } from './format';
import { type Alert, scopeLabel } from './model';

/**
 * Alerts as a reader takes them in: the per-provider findings of one campaign and metric are one entry (seven
 * providers below par is one problem, not seven), in the position of its worst member.
 */
export interface AlertGroup {
  readonly severity: Alert['severity'];
  readonly scope: string;
  readonly metric: string;
  main: Alert | null;
  readonly isps: { readonly name: string; readonly alert: Alert }[];
  readonly advice: string[];
  readonly members: Alert[];
}

export function groupAlerts(sorted: readonly Alert[]): AlertGroup[] {
  const groups: AlertGroup[] = [];
  const byKey = new Map<string, AlertGroup>();
  for (const x of sorted) {
    const { scope } = x;
    const key = scope.kind === 'campaign' ? `${scope.campaign_id}|${metricKey(x.metric)}` : null;
    let g = key === null ? undefined : byKey.get(key);
    if (!g) {
      g = {
        severity: x.severity,
        scope: scope.kind === 'campaign' ? `campaign ${scope.campaign_id}` : clean(scopeLabel(scope), 80),
        metric: x.metric,
        main: null,
        isps: [],
        advice: [],
        members: [],
      };
      groups.push(g);
      if (key !== null) byKey.set(key, g);
    }
    if (scope.kind === 'campaign' && scope.provider) g.isps.push({ name: clean(scope.provider, 40), alert: x });
    else g.main ??= x;
    const advice = clean(x.advice, 400);
    if (advice && !g.advice.includes(advice)) g.advice.push(advice);
    g.members.push(x);
  }
  return groups;
}

/** `Gmail 12.5 %, Outlook 20.0 % (threshold 60.0 %); Orange 66.7 % (threshold 80.0 %)` */
export function providersText(g: AlertGroup): string {
  const byThreshold = new Map<string, string[]>();
  for (const { name, alert } of g.isps) {
    const t = thresholdText(alert);
    byThreshold.set(t, [...(byThreshold.get(t) ?? []), `${name} ${valueText(alert)}`.trim()]);
  }
  return [...byThreshold.entries()].map(([t, names]) => `${names.join(', ')}${t}`).join('; ');
}

/** The group's advice, or a pointer to the entry above that already gave the same advice. */
export function adviceText(g: AlertGroup, given: Map<string, string>): string {
  const fresh = g.advice.filter((x) => !given.has(x));
  const repeated = g.advice.filter((x) => given.has(x)).map((x) => given.get(x)!);
  const parts = [...fresh];
  if (repeated.length > 0) parts.push(`Advice as for ${[...new Set(repeated)].join(', ')} above.`);
  return parts.join(' ');
}

/** Records the advice a group gave, so later groups with the same advice point back to it. */
export function noteAdvice(g: AlertGroup, given: Map<string, string>): void {
  for (const x of g.advice) if (!given.has(x)) given.set(x, g.scope);
}
