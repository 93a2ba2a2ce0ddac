import { describe, expect, it } from 'vitest';
import {
  ATHENA_MIN_BYTES,
  athenaBilledBytes,
  COST_BEGIN,
  COST_END,
  type CostInputs,
  costLines,
  costTable,
  dollars,
  prices,
  replaceCostSection,
  totalOf,
  unitPrice,
} from '../../../bench/cost-model';

/** A month of nothing, to vary one quantity at a time. */
const nothing: CostInputs = {
  functions: [],
  stateTransitionsPerDay: 0,
  scheduledInvocationsPerDay: 0,
  s3: { putPerDay: 0, getPerDay: 0, storedBytes: 0 },
  athena: { queries: [] },
  athenaRunsPerQueryPerDay: 1,
  alarmMetrics: 0,
  customMetrics: 0,
  logBytesPerDay: 0,
  logRetentionDays: 30,
  secrets: 0,
  secretCallsPerDay: 0,
  mailsPerDay: 0,
  alarmNotificationsPerDay: 0,
  kmsKeys: 0,
};

const dollarsOf = (inputs: CostInputs, item: string) => {
  const l = costLines(inputs).find((x) => x.item.startsWith(item));
  if (!l) throw new Error(`no line ${item}`);
  return l.dollars;
};

describe('cost model arithmetic', () => {
  it('prices Lambda duration as seconds × configured memory in GB × the GB-second price over 30 days', () => {
    const inputs = {
      ...nothing,
      functions: [{ name: 'collect', memoryMb: 1024, invocationsPerDay: 24, secondsPerDay: 100 }],
    };
    // 100 s × 1 GB × 30 days = 3,000 GB-s.
    expect(dollarsOf(inputs, 'Lambda collect duration')).toBeCloseTo(3000 * prices.lambdaArmGbSecond, 10);
    // Half the memory, half the bill.
    const half = { ...inputs, functions: [{ ...inputs.functions[0]!, memoryMb: 512 }] };
    expect(dollarsOf(half, 'Lambda collect duration')).toBeCloseTo(1500 * prices.lambdaArmGbSecond, 10);
    // 24 × 30 = 720 requests at $0.20 per million.
    expect(dollarsOf(inputs, 'Lambda requests')).toBeCloseTo((720 / 1e6) * 0.2, 12);
  });

  it('prices requests per 1,000 and per million as published', () => {
    const inputs = {
      ...nothing,
      s3: { putPerDay: 1000, getPerDay: 10_000, storedBytes: 2 * 1024 ** 3 },
      stateTransitionsPerDay: 200,
      scheduledInvocationsPerDay: 49,
      secretCallsPerDay: 48,
      mailsPerDay: 1,
    };
    expect(dollarsOf(inputs, 'S3 PUT')).toBeCloseTo(30 * 0.005, 10);
    expect(dollarsOf(inputs, 'S3 GET')).toBeCloseTo(300 * 0.0004, 10);
    expect(dollarsOf(inputs, 'S3 storage')).toBeCloseTo(2 * 0.023, 10);
    expect(dollarsOf(inputs, 'Step Functions')).toBeCloseTo(6 * 0.025, 10);
    expect(dollarsOf(inputs, 'EventBridge')).toBeCloseTo((1470 / 1e6) * 1, 12);
    expect(dollarsOf(inputs, 'Secrets Manager API')).toBeCloseTo((1440 / 1e4) * 0.05, 12);
    expect(dollarsOf(inputs, 'SES')).toBeCloseTo((30 / 1000) * 0.1, 12);
  });

  it('bills every Athena query at least 10 MB', () => {
    expect(athenaBilledBytes(0)).toBe(ATHENA_MIN_BYTES);
    expect(athenaBilledBytes(1234)).toBe(10 * 1024 * 1024);
    expect(athenaBilledBytes(ATHENA_MIN_BYTES + 1)).toBe(ATHENA_MIN_BYTES + 1);
    const inputs = {
      ...nothing,
      athena: {
        queries: [
          { name: 'small', scannedBytes: 1 },
          { name: 'large', scannedBytes: 1024 ** 4 },
        ],
      },
      athenaRunsPerQueryPerDay: 2,
    };
    // (10 MB + 1 TB) × 2 runs × 30 days at $5 per TB.
    const tb = (ATHENA_MIN_BYTES + 1024 ** 4) / 1024 ** 4;
    expect(dollarsOf(inputs, 'Athena')).toBeCloseTo(tb * 60 * 5, 8);
  });

  it('counts alarms, metrics, secrets and keys per month, not per day', () => {
    const inputs = { ...nothing, alarmMetrics: 16, customMetrics: 3, secrets: 2, kmsKeys: 1 };
    expect(dollarsOf(inputs, 'CloudWatch alarms')).toBeCloseTo(1.6, 10);
    expect(dollarsOf(inputs, 'CloudWatch custom')).toBeCloseTo(0.9, 10);
    expect(dollarsOf(inputs, 'Secrets Manager secrets')).toBeCloseTo(0.8, 10);
    expect(dollarsOf(inputs, 'KMS')).toBeCloseTo(1, 10);
    expect(totalOf(costLines(inputs))).toBeCloseTo(4.3, 10);
  });

  it('holds logs for the shorter of their retention and the month', () => {
    const gbDay = { ...nothing, logBytesPerDay: 1024 ** 3 };
    expect(dollarsOf(gbDay, 'CloudWatch Logs ingestion')).toBeCloseTo(30 * 0.5, 10);
    expect(dollarsOf(gbDay, 'CloudWatch Logs storage')).toBeCloseTo(30 * 0.03, 10);
    expect(dollarsOf({ ...gbDay, logRetentionDays: 7 }, 'CloudWatch Logs storage')).toBeCloseTo(7 * 0.03, 10);
  });

  it.each([
    ['zero', 0, '0.00'],
    ['below half a cent', 0.0049, '<0.01'],
    ['half a cent rounds up', 0.005, '0.01'],
    ['cents', 1.234, '1.23'],
    ['half up at two decimals', 2.675, '2.68'],
    ['dollars', 42.7, '42.70'],
  ])('rounds %s to the cent', (_name, amount, text) => {
    expect(dollars(amount)).toBe(text);
  });

  it('writes unit prices as published, without float noise', () => {
    expect(unitPrice({ unitPrice: prices.lambdaArmGbSecond, per: 1, unit: 'GB-s' })).toBe('$0.0000133334 / GB-s');
    expect(unitPrice({ unitPrice: 0.025, per: 1e3, unit: 'transitions' })).toBe('$0.025 / 1k transitions');
    expect(unitPrice({ unitPrice: 0.4, per: 1, unit: 'secret-month' })).toBe('$0.40 / secret-month');
  });

  it('names each quantity in the unit its price is quoted in', () => {
    const inputs = { ...nothing, functions: [{ name: 'f', memoryMb: 1024, invocationsPerDay: 1, secondsPerDay: 1 }] };
    const table = costTable(costLines({ ...inputs, stateTransitionsPerDay: 5 }), 5);
    expect(table).toContain('| Lambda requests | 30 requests | $0.20 / 1M requests |');
    expect(table).toContain('| Step Functions state transitions | 150 transitions | $0.025 / 1k transitions |');
  });

  it('prints the total against the target, and says by how much it is missed', () => {
    const inputs = { ...nothing, alarmMetrics: 60 };
    const table = costTable(costLines(inputs), 5);
    expect(table).toContain('| CloudWatch alarms | 60 alarm metric | $0.10 / alarm metric | 6.00 |');
    expect(table).toContain('over by $1.00');
    expect(costTable(costLines({ ...nothing, alarmMetrics: 10 }), 5)).toContain('target ≤ $5.00: within');
  });

  it('replaces only what lies between the cost markers', () => {
    const readme = `# x\nbefore\n${COST_BEGIN}\nold table\n${COST_END}\nafter\n`;
    const out = replaceCostSection(readme, '| new |');
    expect(out).toBe(`# x\nbefore\n${COST_BEGIN}\n| new |\n${COST_END}\nafter\n`);
    expect(replaceCostSection(out, '| newer |')).toContain(`${COST_BEGIN}\n| newer |\n${COST_END}`);
    expect(() => replaceCostSection('# no markers', 'x')).toThrow(/cost:begin/);
  });
});
