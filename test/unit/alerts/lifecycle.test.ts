import { describe, expect, it } from 'vitest';
import {
  type AlertStateDoc,
  advanceAlertState,
  alertStateSchema,
  emptyAlertState,
} from '../../../shared/alerts/lifecycle';
import type { Alert } from '../../../shared/alerts/model';

const H = 3_600_000;
const T0 = Date.parse('2026-11-20T10:05:00Z');
const reminderMs = 6 * H;

/** A detected block alert as detectAlerts returns it (state 'open'), `since` the quarter-hour it began. */
const block = (since: string, value = 80): Alert => ({
  id: 'block_failures:42:yahoo.com',
  severity: 'critical',
  scope: { kind: 'domain', server_id: 42, domain: 'yahoo.com', code: 1002, campaign_id: null },
  metric: 'block_failures',
  value,
  baseline: 2,
  count: value,
  volume: null,
  p_value: 1e-30,
  window_minutes: 60,
  since,
  advice: 'slow down',
  state: 'open',
});
const bounce = (): Alert => ({
  ...block('2026-11-20T09:30:00.000Z'),
  id: 'bounce_rate:41',
  scope: { kind: 'server', server_id: 41, domain: null, code: null, campaign_id: null },
  metric: 'bounce_rate',
  severity: 'warning',
});

/** Runs the lifecycle through a series of (instant, detected) evaluations; each step's states by id. */
function run(steps: readonly [number, readonly Alert[]][], start: AlertStateDoc = emptyAlertState) {
  let state = start;
  return steps.map(([at, detected]) => {
    const step = advanceAlertState(state, detected, at, { reminderMs });
    state = alertStateSchema.parse(step.state);
    return { step, states: Object.fromEntries(step.alerts.map((a) => [a.id, a.state])) };
  });
}

describe('advanceAlertState', () => {
  it('opens, stays quiet, reminds after N hours, then resolves', () => {
    const a = block('2026-11-20T09:00:00.000Z');
    const [opened, quiet, almost, reminded, quietAgain, resolved, gone] = run([
      [T0, [a]],
      [T0 + H, [{ ...a, since: '2026-11-20T10:00:00.000Z', value: 60 }]],
      [T0 + 6 * H - 1, [a]],
      [T0 + 6 * H, [a]],
      [T0 + 7 * H, [a]],
      [T0 + 8 * H, []],
      [T0 + 9 * H, []],
    ]);
    expect(opened!.states).toEqual({ [a.id]: 'open' });
    expect(quiet!.states).toEqual({ [a.id]: 'ongoing' });
    // Fresh figures, but `since` stays the one recorded at the opening.
    expect(quiet!.step.alerts[0]).toMatchObject({ value: 60, since: '2026-11-20T09:00:00.000Z' });
    expect(almost!.states).toEqual({ [a.id]: 'ongoing' });
    expect(reminded!.states).toEqual({ [a.id]: 'reminder' });
    // The next reminder counts from the last one, not from the opening.
    expect(quietAgain!.states).toEqual({ [a.id]: 'ongoing' });
    expect(resolved!.states).toEqual({ [a.id]: 'resolved' });
    expect(resolved!.step.alerts[0]).toMatchObject({ value: 80, since: '2026-11-20T09:00:00.000Z' });
    expect(resolved!.step.state.open).toEqual([]);
    expect(gone!.step.alerts).toEqual([]);
  });

  it('re-opens an alert that comes back after it resolved, with its new since', () => {
    const [, , back] = run([
      [T0, [block('2026-11-20T09:00:00.000Z')]],
      [T0 + H, []],
      [T0 + 2 * H, [block('2026-11-20T11:45:00.000Z')]],
    ]);
    expect(back!.step.alerts).toEqual([expect.objectContaining({ state: 'open', since: '2026-11-20T11:45:00.000Z' })]);
  });

  it('announces nothing new when the same instant is evaluated again', () => {
    const a = block('2026-11-20T09:00:00.000Z');
    const [first, again] = run([
      [T0, [a, bounce()]],
      [T0, [a, bounce()]],
    ]);
    expect(first!.states).toEqual({ [a.id]: 'open', 'bounce_rate:41': 'open' });
    expect(again!.states).toEqual({ [a.id]: 'ongoing', 'bounce_rate:41': 'ongoing' });
  });

  it('keeps each (metric, scope) apart: one resolves while the other stays open', () => {
    const a = block('2026-11-20T09:00:00.000Z');
    const [, later] = run([
      [T0, [a, bounce()]],
      [T0 + H, [a]],
    ]);
    expect(later!.states).toEqual({ [a.id]: 'ongoing', 'bounce_rate:41': 'resolved' });
    expect(later!.step.state.open.map((o) => o.alert.id)).toEqual([a.id]);
  });

  it('leaves the state alone when looking back before the last evaluation', () => {
    const a = block('2026-11-20T09:00:00.000Z');
    const [opened] = run([[T0, [a]]]);
    const back = advanceAlertState(opened!.step.state, [], T0 - 24 * H, { reminderMs });
    expect(back.lifecycle).toBe('look_back');
    expect(back.state).toBe(opened!.step.state);
    expect(back.alerts).toEqual([]);
    const detectedThen = advanceAlertState(opened!.step.state, [bounce()], T0 - H, { reminderMs });
    expect(detectedThen.alerts.map((x) => x.state)).toEqual(['open']);
    expect(detectedThen.state).toBe(opened!.step.state);
  });

  it('resolves nothing while some rollups could not be read: the alert may only be hidden', () => {
    const a = block('2026-11-20T09:00:00.000Z');
    const [opened] = run([[T0, [a]]]);
    const partial = advanceAlertState(opened!.step.state, [], T0 + H, { reminderMs, complete: false });
    expect(partial.alerts.map((x) => [x.id, x.state])).toEqual([[a.id, 'ongoing']]);
    expect(partial.state.open.map((o) => o.alert.id)).toEqual([a.id]);
    // The first evaluation that reads everything and no longer finds it resolves it, once.
    const whole = advanceAlertState(partial.state, [], T0 + 2 * H, { reminderMs, complete: true });
    expect(whole.alerts.map((x) => [x.id, x.state])).toEqual([[a.id, 'resolved']]);
    expect(whole.state.open).toEqual([]);
  });

  it('records each announced transition for the history, with the opening time and the peak so far', () => {
    const a = block('2026-11-20T09:00:00.000Z');
    const iso = (t: number) => new Date(t).toISOString();
    const steps = run([
      [T0, [a]],
      [T0 + H, [block('2026-11-20T09:00:00.000Z', 150)]],
      [T0 + 6 * H, [block('2026-11-20T09:00:00.000Z', 90)]],
      [T0 + 7 * H, []],
    ]);
    const events = steps.map((s) => s.step.events.map((e) => [e.event, e.at, e.value, e.peak_value, e.opened_at]));
    expect(events).toEqual([
      [['opened', iso(T0), 80, 80, iso(T0)]],
      // Quiet: nothing announced, nothing recorded (but the peak moves to 150).
      [],
      [['reminder', iso(T0 + 6 * H), 90, 150, iso(T0)]],
      // Resolved with the last figures seen and the peak of its whole life.
      [['resolved', iso(T0 + 7 * H), 90, 150, iso(T0)]],
    ]);
    expect(steps[0]!.step.events[0]).toMatchObject({
      id: a.id,
      metric: 'block_failures',
      severity: 'critical',
      scope: a.scope,
      peak_baseline: 2,
      since: '2026-11-20T09:00:00.000Z',
    });
    // The state carries what its evaluation announced, so the next one can record it again if it was lost.
    expect(steps.map((s) => s.step.state.announced.length)).toEqual([1, 0, 1, 1]);
  });

  it('takes the lowest value as the peak where lower is worse (a server gone silent)', () => {
    const silent = (value: number): Alert => ({ ...bounce(), id: 'volume:41', metric: 'volume', value, baseline: 400 });
    const [, , , resolved] = run([
      [T0, [silent(20)]],
      [T0 + H, [silent(0)]],
      [T0 + 2 * H, [silent(35)]],
      [T0 + 3 * H, []],
    ]);
    expect(resolved!.step.events[0]).toMatchObject({ event: 'resolved', value: 35, peak_value: 0, peak_baseline: 400 });
  });

  it('reads a state written before the history existed (no peak, nothing announced)', () => {
    const a = block('2026-11-20T09:00:00.000Z');
    const old = alertStateSchema.parse({
      schema_version: 1,
      evaluated_at: new Date(T0).toISOString(),
      open: [{ alert: a, opened_at: new Date(T0).toISOString(), announced_at: new Date(T0).toISOString() }],
    });
    expect(old.announced).toEqual([]);
    const next = advanceAlertState(old, [], T0 + H, { reminderMs });
    expect(next.events).toEqual([expect.objectContaining({ event: 'resolved', peak_value: 80 })]);
  });
});
