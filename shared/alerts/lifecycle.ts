import * as z from 'zod';
import { type AlertHistoryEvent, alertHistoryEventSchema } from '../lake/alert-history';
import { type Alert, alertSchema, isShareMetric, lowerIsWorse, scopeLabel } from './model';

/**
 * The alert lifecycle, pure: the recorded state, what the detection finds now and the instant in; the new state and
 * what to announce out. One alert per id (a (metric, scope) pair) when it opens, a reminder at most every
 * `reminderMs` while it lasts, one 'resolved' when the detection no longer finds it. The caller stores the state
 * (shared/app/alerts.ts, in the lake's `_state/alerts/`) with a conditional write, so that of two evaluations racing
 * only one announces.
 */

const openAlertSchema = z.object({
  /** The alert as last detected (its `since` is the one recorded when it opened). */
  alert: alertSchema,
  /** When the opening was announced (ISO UTC). */
  opened_at: z.iso.datetime(),
  /** When it was last announced, opening or reminder (ISO UTC): the next reminder is due `reminderMs` later. */
  announced_at: z.iso.datetime(),
  /** The figures where it stood furthest from normal while open (absent in states written before: the alert's). */
  peak: z.object({ value: z.number(), baseline: z.number() }).optional(),
});

export const alertStateSchema = z.object({
  schema_version: z.literal(1),
  /** The latest instant evaluated (ISO UTC): an evaluation of an earlier instant is a look back and changes nothing. */
  evaluated_at: z.iso.datetime(),
  /** The alerts open after that evaluation. */
  open: z.array(openAlertSchema),
  /**
   * The transitions that evaluation announced, as recorded in the alert history: the next evaluation records them
   * again (a no-op when they are there), so a crash between the state write and the history write loses none.
   */
  announced: z.array(alertHistoryEventSchema).default([]),
});

export type AlertStateDoc = z.infer<typeof alertStateSchema>;

/** No alert ever evaluated. */
export const emptyAlertState: AlertStateDoc = {
  schema_version: 1,
  evaluated_at: new Date(0).toISOString(),
  open: [],
  announced: [],
};

export interface LifecycleStep {
  /** 'look_back': `now` is before the state's last evaluation, so nothing moved (state is the one given). */
  readonly lifecycle: 'advanced' | 'look_back';
  readonly state: AlertStateDoc;
  /** Every alert with its lifecycle state: to announce ('open', 'reminder', 'resolved') or quiet ('ongoing'). */
  readonly alerts: readonly Alert[];
  /** The announced transitions, for the alert history (none on a look back). */
  readonly events: readonly AlertHistoryEvent[];
}

type OpenAlert = AlertStateDoc['open'][number];

/** The figures furthest from normal of the recorded peak and the alert now. */
function peakOf(was: OpenAlert | undefined, a: Alert): { value: number; baseline: number } {
  const now = { value: a.value, baseline: a.baseline };
  const before = was ? (was.peak ?? { value: was.alert.value, baseline: was.alert.baseline }) : null;
  if (!before) return now;
  const further = lowerIsWorse(a.metric) ? now.value < before.value : now.value > before.value;
  return further ? now : before;
}

const eventNames = { open: 'opened', reminder: 'reminder', resolved: 'resolved' } as const;

/** The history record of an announced transition. */
function historyEvent(o: OpenAlert, alert: Alert, at: string): AlertHistoryEvent {
  const peak = o.peak ?? { value: alert.value, baseline: alert.baseline };
  return {
    schema_version: 1,
    event: eventNames[alert.state as keyof typeof eventNames],
    at,
    id: alert.id,
    metric: alert.metric,
    severity: alert.severity,
    where: scopeLabel(alert.scope),
    scope: alert.scope,
    unit: isShareMetric(alert.metric) ? 'share' : 'count',
    value: alert.value,
    baseline: alert.baseline,
    peak_value: peak.value,
    peak_baseline: peak.baseline,
    opened_at: o.opened_at,
    since: alert.since,
    window_minutes: alert.window_minutes,
    advice: alert.advice,
  };
}

/** Moves the alert state to `now` given the alerts detected at `now`; see the module comment. */
export function advanceAlertState(
  state: AlertStateDoc,
  detected: readonly Alert[],
  now: number,
  opts: {
    readonly reminderMs: number;
    /** False when some rollups could not be read: an alert not found may only be hidden, so none is resolved. */
    readonly complete?: boolean;
  },
): LifecycleStep {
  if (now < Date.parse(state.evaluated_at)) {
    // A past instant (a `--at` look back, a late retry): announcing or resolving from it would contradict what a
    // later evaluation already announced, so it reports what it detects and leaves the lifecycle alone.
    return {
      lifecycle: 'look_back',
      state,
      alerts: detected.map((a) => ({ ...a, state: 'open' as const })),
      events: [],
    };
  }
  const iso = new Date(now).toISOString();
  const previous = new Map(state.open.map((o) => [o.alert.id, o]));
  const open: AlertStateDoc['open'] = [];
  const alerts: Alert[] = [];
  const events: AlertHistoryEvent[] = [];
  for (const a of detected) {
    const was = previous.get(a.id);
    if (!was) {
      const alert: Alert = { ...a, state: 'open' };
      const o: OpenAlert = { alert, opened_at: iso, announced_at: iso, peak: peakOf(undefined, a) };
      open.push(o);
      alerts.push(alert);
      events.push(historyEvent(o, alert, iso));
      continue;
    }
    const due = now - Date.parse(was.announced_at) >= opts.reminderMs;
    const alert: Alert = { ...a, since: was.alert.since, state: due ? 'reminder' : 'ongoing' };
    const o: OpenAlert = {
      alert,
      opened_at: was.opened_at,
      announced_at: due ? iso : was.announced_at,
      peak: peakOf(was, a),
    };
    open.push(o);
    alerts.push(alert);
    if (due) events.push(historyEvent(o, alert, iso));
  }
  const still = new Set(detected.map((a) => a.id));
  for (const o of state.open) {
    if (still.has(o.alert.id)) continue;
    if (opts.complete === false) {
      // Kept open, quietly: it is resolved by the first evaluation that reads everything and no longer finds it.
      open.push(o);
      alerts.push({ ...o.alert, state: 'ongoing' });
    } else {
      const alert: Alert = { ...o.alert, state: 'resolved' };
      alerts.push(alert);
      events.push(historyEvent(o, alert, iso));
    }
  }
  return {
    lifecycle: 'advanced',
    state: { schema_version: 1, evaluated_at: iso, open, announced: events },
    alerts,
    events,
  };
}
