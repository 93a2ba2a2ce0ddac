import { describe, expect, it } from 'vitest';
import { loadDigestConfig } from '../../../shared/config';
import { defaultThresholds, thresholdEnvironment, thresholdOverridesSchema } from '../../../shared/digest/thresholds';

describe('thresholds: one schema for the CLI environment and the deployment config', () => {
  it('defaults when nothing is set', () => {
    expect(loadDigestConfig({}).thresholds).toEqual(defaultThresholds);
  });

  it('a deployment override reaches the function through its environment, the rest keep the defaults', () => {
    const overrides = thresholdOverridesSchema.parse({ bounceWarn: 0.03, inboxCritical: 50, minVolume: 250 });
    const env = thresholdEnvironment(overrides);
    expect(env).toEqual({
      INBOXLAKE_BOUNCE_WARN: '0.03',
      INBOXLAKE_INBOX_CRITICAL: '50',
      INBOXLAKE_MIN_VOLUME: '250',
    });
    expect(loadDigestConfig(env).thresholds).toEqual({ ...defaultThresholds, ...overrides });
  });

  it.each([
    ['bounceWarn', 2, 'INBOXLAKE_BOUNCE_WARN'],
    ['inboxWarn', 101, 'INBOXLAKE_INBOX_WARN'],
    ['minVolume', 1.5, 'INBOXLAKE_MIN_VOLUME'],
  ] as const)('%s = %s is refused by both doors', (field, value, name) => {
    expect(thresholdOverridesSchema.safeParse({ [field]: value }).success).toBe(false);
    expect(() => loadDigestConfig({ [name]: String(value) })).toThrow(name);
  });

  it('the deployment config cannot set what the function cannot read', () => {
    expect(thresholdOverridesSchema.safeParse({ minSeeds: 5 }).success).toBe(false);
  });
});
