import { describe, expect, it } from 'vitest';
import { fireTimes, transitionsOf } from '../../../bench/cost-infra';

const at = (iso: string) => Date.parse(iso);

describe('reading the stack for the cost model', () => {
  it('places an hourly cron at its minute of every UTC hour, whatever the zone', () => {
    const times = fireTimes('cron(5 * * * ? *)', 'Europe/Berlin', at('2026-11-20T00:00:00Z'));
    expect(times).toHaveLength(24);
    expect(new Date(times[0]!).toISOString()).toBe('2026-11-20T00:05:00.000Z');
    expect(new Date(times[23]!).toISOString()).toBe('2026-11-20T23:05:00.000Z');
  });

  it.each([
    ['winter (UTC+1)', '2026-11-20', '2026-11-20T06:30:00.000Z'],
    ['summer (UTC+2)', '2026-07-20', '2026-07-20T05:30:00.000Z'],
  ])('places a daily cron at its local time in %s', (_name, day, expected) => {
    const times = fireTimes('cron(30 7 * * ? *)', 'Europe/Berlin', at(`${day}T00:00:00Z`));
    expect(times.map((t) => new Date(t).toISOString())).toEqual([expected]);
  });

  it('refuses a schedule shape it cannot place', () => {
    expect(() => fireTimes('rate(5 minutes)', 'UTC', 0)).toThrow(/cannot place/);
    expect(() => fireTimes('cron(0 9 ? * MON *)', 'UTC', 0)).toThrow(/cannot place/);
  });

  // The collection loop's shape (infra/constructs/collectors.ts), as the template holds it.
  const loop = {
    StartAt: 'Start',
    States: {
      Start: { Type: 'Pass', Parameters: { 'event.$': '$', round: 0 }, Next: 'Collect' },
      Collect: { Type: 'Task', ResultPath: '$.report', Next: 'CountRound' },
      CountRound: {
        Type: 'Pass',
        Parameters: { 'event.$': '$.event', 'report.$': '$.report', 'round.$': 'States.MathAdd($.round, 1)' },
        Next: 'MoreToDo',
      },
      MoreToDo: {
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.report.more', IsPresent: true },
              { Variable: '$.report.more', BooleanEquals: true },
              { Variable: '$.round', NumericLessThan: 2 },
            ],
            Next: 'Pause',
          },
          { Variable: '$.report.more', BooleanEquals: true, Next: 'RoundLimit' },
        ],
        Default: 'CaughtUp',
      },
      Pause: { Type: 'Wait', Seconds: 60, Next: 'Collect' },
      RoundLimit: { Type: 'Fail' },
      CaughtUp: { Type: 'Succeed' },
    },
  };

  it.each([
    ['caught up in one round', [{ more: false }], 5],
    ['a second round', [{ more: true }, { more: false }], 9],
    // Start, Collect, CountRound, MoreToDo, Pause, Collect, CountRound, MoreToDo, RoundLimit.
    ['the round limit', [{ more: true }], 9],
  ])('counts the state transitions of %s', (_name, reports, expected) => {
    expect(transitionsOf(loop, reports)).toBe(expected);
  });

  it('a task whose result is discarded (the loop invoking the alerts function) counts but answers no report', () => {
    const withAlerts = {
      ...loop,
      States: {
        ...loop.States,
        MoreToDo: { ...loop.States.MoreToDo, Default: 'EvaluateAlerts' },
        EvaluateAlerts: { Type: 'Task', ResultPath: null, Next: 'CaughtUp' },
      },
    };
    // Start, Collect, CountRound, MoreToDo, Pause, Collect, CountRound, MoreToDo, EvaluateAlerts, CaughtUp.
    expect(transitionsOf(withAlerts, [{ more: true }, { more: false }])).toBe(10);
  });
});
