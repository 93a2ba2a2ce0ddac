import { describe, expect, it } from 'vitest';
import { mapAccount, mapComplaint, mapEngagement, mapFailed } from '../../../shared/sources/socketlabs-v1/mapping';

const at = Date.parse('2026-11-22T06:00:00Z');

describe('v1 mapping', () => {
  const failed = {
    ServerId: 1000,
    DateTime: '2010-03-24T13:02:56Z',
    MessageId: '',
    MailingId: null,
    ToAddress: 'Me@RayBushaw2.COM',
    FromAddress: '',
    FailureType: 1,
    FailureCode: 2002,
    Reason: 'Name service error{CRLF}\r\n"quoted" <script>alert(1)</script> Ünïcödé',
  };

  it('maps a documented record, deriving domain, type name and category', () => {
    const r = mapFailed(failed, at);
    expect(r).toEqual({
      ok: true,
      row: {
        event_time: Date.parse('2010-03-24T13:02:56Z'),
        message_id: null,
        mailing_id: null,
        to_address: 'Me@RayBushaw2.COM',
        recipient_domain: 'raybushaw2.com',
        from_address: null,
        failure_type: 1,
        failure_type_name: 'hard',
        failure_code: 2002,
        failure_category: 'invalid_address',
        reason: failed.Reason,
        extra: null,
        ingested_at: at,
      },
    });
  });

  const recasings: [string, (k: string) => string][] = [
    ['lower', (k) => k.toLowerCase()],
    ['UPPER', (k) => k.toUpperCase()],
    ['camel', (k) => k[0]!.toLowerCase() + k.slice(1)],
  ];
  it.each(recasings)('reads keys in %s case the same', (_name, recase) => {
    const recased = Object.fromEntries(Object.entries(failed).map(([k, v]) => [recase(k), v]));
    expect(mapFailed(recased, at)).toEqual(mapFailed(failed, at));
  });

  it('keeps unknown fields in extra, under the names the API used', () => {
    const r = mapFailed({ ...failed, BounceStatus: 'x', Tracking: { a: 1 } }, at);
    expect(r.ok && JSON.parse(String(r.row.extra))).toEqual({ BounceStatus: 'x', Tracking: { a: 1 } });
  });

  it('accepts numbers sent as strings', () => {
    const r = mapFailed({ ...failed, FailureType: '0', FailureCode: '3001' }, at);
    expect(r.ok && [r.row.failure_type_name, r.row.failure_category]).toEqual(['soft', 'temporary']);
  });

  const bad: [string, unknown, RegExp][] = [
    ['missing DateTime', { ...failed, DateTime: undefined }, /datetime/],
    ['unreadable DateTime', { ...failed, DateTime: 'soon' }, /not a valid date-time/],
    ['non-numeric FailureCode', { ...failed, FailureCode: 'abc' }, /failurecode/],
    ['not an object', 'oops', /expected an object/],
  ];
  it.each(bad)('quarantines a record with %s, naming the field', (_name, raw, reason) => {
    const r = mapFailed(raw, at);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('converts offsets to UTC and names event types', () => {
    const r = mapEngagement(
      {
        DateTime: '2010-03-01T16:30:00-04:00',
        OriginalRecipient: 'bing@socketlabs.com',
        EventType: 0,
        URL: 'http://x',
        RemoteIp: '1.2.3.4',
      },
      at,
    );
    expect(r.ok && [new Date(Number(r.row.event_time)).toISOString(), r.row.event_type_name]).toEqual([
      '2010-03-01T20:30:00.000Z',
      'click',
    ]);
  });

  it('lower-cases complaint types', () => {
    const r = mapComplaint({ DateTime: '2009-11-18T20:45:04Z', Type: 'Abuse', UserAgent: 'Hotmail' }, at);
    expect(r.ok && r.row.complaint_type).toBe('abuse');
  });

  it('maps account data with booleans as sent', () => {
    const r = mapAccount(
      {
        ServerId: 1234,
        CurrentBillingPeriodStart: '2009-11-15T00:00:00Z',
        BillingPeriodMessageCount: 29588,
        IsOverAllowance: 'false',
        ServerByteAllowance: 64000000000,
      },
      at,
      at - 5000,
    );
    expect(r.ok && r.row.snapshot_time).toBe(at - 5000);
    expect(r.ok && [r.row.billing_period_message_count, r.row.is_over_allowance, r.row.server_byte_allowance]).toEqual([
      29588,
      false,
      64000000000,
    ]);
  });
});
