import { describe, expect, it } from 'vitest';
import { DayTimeline, type RecordFactory } from '../../../shared/sandbox/day-timeline';
import { decideFault, renameKeysDeep, validateFaultOptions } from '../../../shared/sandbox/faults';

const DAY = 86_400;
const FIRST = 20_500;

interface Rec {
  sec: number;
  index: number | null;
  tag: string;
}

const factory: RecordFactory<Rec> = (rng, sec, index) => ({ sec, index, tag: rng.hex(4) });
const timeline = () => new DayTimeline<Rec>(42, FIRST, [300, 0, 50], factory);

describe('DayTimeline', () => {
  it('generates sorted, reproducible records per day, with bursts of equal seconds', () => {
    const t = timeline();
    expect(t.total).toBe(350);
    expect(t.generatedCount(FIRST + 1)).toBe(0);
    expect(t.generatedCount(FIRST + 2)).toBe(50);
    const all = t.slice(0, t.total);
    expect(all).toEqual(timeline().slice(0, t.total));
    for (let p = 0; p < all.length; p++) expect(all[p]!.sec).toBe(t.secondAt(p));
    for (let p = 1; p < all.length; p++) expect(all[p]!.sec).toBeGreaterThanOrEqual(all[p - 1]!.sec);
    expect(all.some((r, p) => p > 0 && r.sec === all[p - 1]!.sec)).toBe(true);
    expect(all.slice(0, 300).every((r) => Math.floor(r.sec / DAY) === FIRST)).toBe(true);
    expect(t.slice(-5, 2)).toEqual(all.slice(0, 2));
    expect(t.slice(348, 999)).toEqual(all.slice(348));
  });

  it('finds inclusive ranges and merges late records after the generated ones of their second', () => {
    const t = timeline();
    const day2 = (FIRST + 2) * DAY;
    expect(t.range(day2 - DAY, day2 - 1)).toEqual({ start: 300, end: 300 });
    expect(t.range(day2, null)).toEqual({ start: 300, end: 350 });
    expect(t.range(null, null)).toEqual({ start: 0, end: 350 });
    const tie = t.secondAt(10);
    const { start, end } = t.range(tie, tie);
    t.insert({ sec: tie, index: -1, tag: 'late' }, tie);
    expect(t.recordAt(end).tag).toBe('late');
    expect(t.range(tie, tie)).toEqual({ start, end: end + 1 });
    // A day outside the generated range is created on insert, in order.
    t.insert({ sec: 0, index: -1, tag: 'before' }, FIRST * DAY - 5);
    expect(t.recordAt(0).tag).toBe('before');
    expect(t.secondAt(0)).toBe(FIRST * DAY - 5);
    const copy = t.recordAt(0);
    copy.tag = 'changed';
    expect(t.recordAt(0).tag).toBe('before');
    expect(t.total).toBe(352);
    expect(() => t.recordAt(352)).toThrow(RangeError);
  });

  it('makes records on request without storing them', () => {
    const t = timeline();
    const made = t.makeRecord(FIRST * DAY + 7, 3);
    expect(made).toEqual(t.makeRecord(FIRST * DAY + 7, 3));
    expect(made.index).toBeNull();
    expect(t.makeRecord(FIRST * DAY + 7, 4)).not.toEqual(made);
    expect(t.total).toBe(350);
  });
});

describe('shared fault decisions', () => {
  const kinds = ['a', 'b', 'c'] as const;

  it('validates against the kinds a simulator knows', () => {
    expect(() => validateFaultOptions({ probability: 0.5, kinds: ['a', 'c'] }, kinds)).not.toThrow();
    expect(() => validateFaultOptions({ probability: 0.5, kinds: ['d' as 'a'] }, kinds)).toThrow(/unknown fault kind/);
    expect(() => validateFaultOptions({ probability: 1.5, kinds: ['a'] }, kinds)).toThrow(/0\.\.1/);
    expect(() => validateFaultOptions({ probability: 0.5, kinds: [] }, kinds)).toThrow(/empty/);
  });

  it('keeps each salt its own sequence', () => {
    const opts = { probability: 0.5, kinds: [...kinds] };
    const run = (salt: string) => Array.from({ length: 50 }, (_, i) => decideFault(opts, 1, i, salt));
    expect(run('x')).toEqual(run('x'));
    expect(run('x')).not.toEqual(run('y'));
    expect(decideFault({ probability: 0, kinds: ['a'] }, 1, 0, 'x')).toBeNull();
  });

  it('renames keys deeply and leaves values alone', () => {
    const value = { Ab: [{ Cd: 'Ef' }, 1, null], Gh: { Ij: 'Kl' } };
    expect(renameKeysDeep(value, (k) => k.toLowerCase())).toEqual({ ab: [{ cd: 'Ef' }, 1, null], gh: { ij: 'Kl' } });
  });
});
