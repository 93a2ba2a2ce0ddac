import { describe, expect, it } from 'vitest';
import { defaultAlertThresholds } from '../../../shared/alerts/thresholds';
import { loadAlertThresholds } from '../../../shared/app/alert-config';
import { ConfigError } from '../../../shared/core/errors';

describe('alert thresholds from the environment', () => {
  it('are the documented defaults when nothing is set', () => {
    expect(loadAlertThresholds({})).toEqual(defaultAlertThresholds);
  });

  it('INBOXLAKE_ALERT_THRESHOLDS changes the thresholds it names and keeps the rest', () => {
    const t = loadAlertThresholds({ INBOXLAKE_ALERT_THRESHOLDS: '{"alpha": 1e-5, "blockMinCount": 30}' });
    expect(t).toEqual({ ...defaultAlertThresholds, alpha: 1e-5, blockMinCount: 30 });
  });

  it("placement follows the digest's inbox thresholds, unless the JSON sets its own", () => {
    const env = { INBOXLAKE_INBOX_WARN: '70', INBOXLAKE_INBOX_CRITICAL: '50' };
    expect(loadAlertThresholds(env)).toMatchObject({ inboxWarn: 70, inboxCritical: 50 });
    expect(loadAlertThresholds({ ...env, INBOXLAKE_ALERT_THRESHOLDS: '{"inboxWarn": 85}' })).toMatchObject({
      inboxWarn: 85,
      inboxCritical: 50,
    });
  });

  it.each([
    ['not JSON', '{alpha: 1}', /INBOXLAKE_ALERT_THRESHOLDS is not JSON/],
    ['not an object', '[1, 2]', /INBOXLAKE_ALERT_THRESHOLDS must be a JSON object/],
    ['a misspelt threshold', '{"alpah": 1e-5}', /unknown threshold 'alpah' \(known: windowsMinutes, .*alpha/],
    ['a value out of bounds', '{"alpha": 2}', /INBOXLAKE_ALERT_THRESHOLDS: alpha: /],
    ['a window not in quarter-hours', '{"windowsMinutes": [50]}', /windowsMinutes\.0: /],
  ])('refuses %s with a ConfigError naming the variable and the field', (_name, value, message) => {
    const load = () => loadAlertThresholds({ INBOXLAKE_ALERT_THRESHOLDS: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});
