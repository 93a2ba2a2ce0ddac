import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { generateV2Data } from '../../../shared/sandbox/socketlabs-v2/dataset';
import { type V2Item, v2Statuses } from '../../../shared/sandbox/socketlabs-v2/model';
import type { RecordMapping } from '../../../shared/sources/records';
import { mapMessage, mapSuppression, normalizeEventType } from '../../../shared/sources/socketlabs-v2/mapping';
import { apiErrorBody, listEnvelope } from '../../../shared/sources/socketlabs-v2/schemas';
import { socketlabsMessages, socketlabsSuppressions } from '../../../shared/sources/socketlabs-v2/tables';
import { EXTREME_V2_EVENTS } from '../../helpers/collect-v2';

const at = Date.parse('2026-11-22T06:00:00Z');
const ms = (iso: string) => Date.parse(iso);

/** A simulator-shaped item: every v2 field present, null where not applicable. */
const base: V2Item = {
  messageId: 'tx-2002325',
  mailingId: 'welcome-series-7',
  to: 'Wei.Tanaka@MSN.com',
  from: 'billing@advanced-email.com',
  subject: 'Re: invoice, "March", final\r\n reminder',
  status: 'Queued',
  queuedTime: '2026-11-20T00:44:23Z',
  statusDate: '2026-11-20T00:44:23Z',
  deliveryTime: null,
  failureType: null,
  failureCode: null,
  bounceStatus: null,
  reason: null,
  remoteMta: null,
  fblType: null,
  url: null,
  ipAddress: null,
  messageSize: 49512,
};

const common = {
  message_id: 'tx-2002325',
  mailing_id: 'welcome-series-7',
  to_address: 'Wei.Tanaka@MSN.com',
  recipient_domain: 'msn.com',
  from_address: 'billing@advanced-email.com',
  subject: base.subject,
  queued_time: ms('2026-11-20T00:44:23Z'),
  message_size: 49512,
};

const none = {
  delivery_time: null,
  failure_type: null,
  failure_type_name: null,
  failure_code: null,
  failure_category: null,
  bounce_status: null,
  reason: null,
  remote_mta: null,
  complaint_type: null,
  url: null,
  ip_address: null,
  user_agent: null,
};

const statusDate = '2026-11-20T01:10:00Z';

/** [status, item fields over `base`, expected row fields over `common` + `none`] */
const byStatus: [string, V2Item, Record<string, unknown>][] = [
  ['Queued', {}, { event_time: ms('2026-11-20T00:44:23Z'), event_type: 'queued' }],
  [
    'Delivered',
    {
      statusDate,
      deliveryTime: statusDate,
      reason: '250 ok: Message 1625142179 accepted\r\n',
      remoteMta: 'mx3.msn.com',
      ipAddress: '192.168.100.119',
    },
    {
      event_type: 'delivered',
      delivery_time: ms(statusDate),
      reason: '250 ok: Message 1625142179 accepted\r\n',
      remote_mta: 'mx3.msn.com',
      ip_address: '192.168.100.119',
    },
  ],
  [
    'Failed',
    {
      statusDate,
      failureType: 'Hard',
      failureCode: 2001,
      bounceStatus: '5.1.1',
      reason: '550 5.1.1 <x@msn.com>: "no such user", sorry',
      remoteMta: 'mx1.msn.com',
      ipAddress: '192.168.100.120',
    },
    {
      event_type: 'failed',
      failure_type: 1,
      failure_type_name: 'hard',
      failure_code: 2001,
      failure_category: 'invalid_address',
      bounce_status: '5.1.1',
      reason: '550 5.1.1 <x@msn.com>: "no such user", sorry',
      remote_mta: 'mx1.msn.com',
      ip_address: '192.168.100.120',
    },
  ],
  [
    'Deferred',
    { statusDate, failureType: 'Soft', failureCode: 3001, reason: '452 4.2.2 mailbox full', bounceStatus: '4.2.2' },
    {
      event_type: 'deferred',
      failure_type: 0,
      failure_type_name: 'soft',
      failure_code: 3001,
      failure_category: 'temporary',
      bounce_status: '4.2.2',
      reason: '452 4.2.2 mailbox full',
    },
  ],
  [
    'Suppressed',
    { statusDate, failureType: 'Suppressed', failureCode: 1999, reason: 'Address is on the suppression list' },
    {
      event_type: 'suppressed',
      failure_type: 2,
      failure_type_name: 'suppressed',
      failure_code: 1999,
      failure_category: 'rejected',
      reason: 'Address is on the suppression list',
    },
  ],
  [
    'Complained',
    { statusDate, deliveryTime: '2026-11-20T00:44:25Z', fblType: 'Abuse', reason: 'Feedback loop report from AOL' },
    {
      event_type: 'complaint',
      delivery_time: ms('2026-11-20T00:44:25Z'),
      complaint_type: 'abuse',
      reason: 'Feedback loop report from AOL',
    },
  ],
  [
    'Opened',
    { statusDate, deliveryTime: '2026-11-20T00:44:25Z', ipAddress: '203.0.113.9' },
    { event_type: 'open', delivery_time: ms('2026-11-20T00:44:25Z'), ip_address: '203.0.113.9' },
  ],
  [
    'Clicked',
    {
      statusDate,
      deliveryTime: '2026-11-20T00:44:25Z',
      url: 'https://example.com/a?b=1&c=%22x%22',
      ipAddress: '203.0.113.9',
    },
    {
      event_type: 'click',
      delivery_time: ms('2026-11-20T00:44:25Z'),
      url: 'https://example.com/a?b=1&c=%22x%22',
      ip_address: '203.0.113.9',
    },
  ],
];

const itemOf = (status: string, fields: V2Item): V2Item => ({ ...base, ...fields, status });

/** The same item as papaparse (header: true) hands it over from a CSV download: every value a string, null as ''. */
function asCsvRow(item: V2Item): Record<string, string> {
  const text = Papa.unparse([item], { newline: '\r\n' });
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: 'greedy' });
  if (parsed.errors.length || parsed.data.length !== 1) throw new Error(`CSV round trip: ${text}`);
  return parsed.data[0]!;
}

function rowOf(r: RecordMapping) {
  if (!r.ok) throw new Error(`quarantined: ${r.reason}`);
  return r.row;
}

const extraOf = (r: RecordMapping) => JSON.parse(String(rowOf(r).extra));

describe('v2 message mapping', () => {
  it.each(byStatus)('maps a simulator %s item to every column', (status, fields, expected) => {
    const r = mapMessage(itemOf(status, fields), at);
    expect(rowOf(r)).toEqual({
      event_time: ms(statusDate),
      status,
      ...common,
      ...none,
      ...expected,
      extra: null,
      ingested_at: at,
    });
    // Exactly the table's columns, in the table's order.
    expect(Object.keys(rowOf(r)).sort()).toEqual(socketlabsMessages.columns.map((c) => c.name).sort());
  });

  it.each(byStatus)('maps the %s item as a CSV row of strings the same', (status, fields) => {
    const item = itemOf(status, fields);
    const csv = asCsvRow(item);
    expect(Object.values(csv).every((v) => typeof v === 'string')).toBe(true);
    expect(mapMessage(csv, at)).toEqual(mapMessage(item, at));
  });

  const failed = itemOf('Failed', byStatus[2]![1]);
  const recasings: [string, (k: string) => string][] = [
    ['lower', (k) => k.toLowerCase()],
    ['UPPER', (k) => k.toUpperCase()],
    ['Pascal', (k) => k[0]!.toUpperCase() + k.slice(1)],
  ];
  it.each(recasings)('reads keys in %s case the same', (_name, recase) => {
    const recased = Object.fromEntries(Object.entries(failed).map(([k, v]) => [recase(k), v]));
    expect(mapMessage(recased, at)).toEqual(mapMessage(failed, at));
    expect(mapMessage(asCsvRow(recased), at)).toEqual(mapMessage(failed, at));
  });

  it('reads event-webhook names (Type, DateTime, Address, FailureCode, BounceStatus, RemoteMta, ...)', () => {
    const r = mapMessage(
      {
        Type: 'Failed',
        DateTime: '2026-11-20T01:10:00-05:00',
        MailingId: 'm-1',
        MessageId: 'x-1',
        Address: 'Bob@Example.ORG',
        ServerId: 1000,
        SecretKey: 'do-not-store',
        FromAddress: 'a@b.c',
        FailureType: 'Permanent',
        FailureCode: 2002,
        BounceStatus: '5.1.2',
        DiagnosticCode: 'smtp; 550 5.1.2 bad domain',
        Reason: '550 5.1.2 bad domain',
        RemoteMta: 'mx.example.org',
        Data: { Meta: [{ Key: 'k', Value: 'v' }], Tags: ['t'] },
      },
      at,
    );
    expect(rowOf(r)).toMatchObject({
      event_time: ms('2026-11-20T06:10:00Z'),
      event_type: 'failed',
      status: 'Failed',
      message_id: 'x-1',
      mailing_id: 'm-1',
      to_address: 'Bob@Example.ORG',
      recipient_domain: 'example.org',
      from_address: 'a@b.c',
      failure_type: 1,
      failure_type_name: 'hard',
      failure_code: 2002,
      failure_category: 'invalid_address',
      bounce_status: '5.1.2',
      reason: '550 5.1.2 bad domain',
      remote_mta: 'mx.example.org',
    });
    // The server id is the partition and the webhook secret is a credential: neither is copied into the row.
    expect(extraOf(r)).toEqual({
      DiagnosticCode: 'smtp; 550 5.1.2 bad domain',
      Data: { Meta: [{ Key: 'k', Value: 'v' }], Tags: ['t'] },
    });
  });

  const webhookEvents: [string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      'complaint',
      { Type: 'Complaint', FblType: 'Fraud', UserAgent: 'Yahoo! Mail', To: 'c@d.e', From: 'a@b.c', Length: 12 },
      { event_type: 'complaint', complaint_type: 'fraud', user_agent: 'Yahoo! Mail', to_address: 'c@d.e' },
    ],
    [
      'tracking open',
      { Type: 'Tracking', TrackingType: 'Open', ClientIp: '198.51.100.7', UserAgent: 'Mozilla/5.0', Address: 'c@d.e' },
      { event_type: 'open', ip_address: '198.51.100.7', user_agent: 'Mozilla/5.0', to_address: 'c@d.e' },
    ],
    [
      'tracking click by number',
      { Type: 'Tracking', TrackingType: 0, Url: 'https://x.test/', ClientIp: '198.51.100.7' },
      { event_type: 'click', url: 'https://x.test/' },
    ],
    [
      'tracking unsubscribe',
      { EventType: 'Tracking', TrackingType: 'Unsubscribe' },
      { event_type: 'unsubscribe', status: 'Tracking' },
    ],
    [
      'delivered',
      { Type: 'Delivered', Response: '250 OK', LocalIp: '192.0.2.1', RemoteMta: 'mx.d.e' },
      { event_type: 'delivered', reason: '250 OK', ip_address: '192.0.2.1', remote_mta: 'mx.d.e' },
    ],
    [
      'queued',
      { Type: 'Queued', SubjectLine: 'Hi', MessageSize: 1234, FromAddress: 'a@b.c' },
      { event_type: 'queued', subject: 'Hi', message_size: 1234, from_address: 'a@b.c' },
    ],
  ];
  it.each(webhookEvents)('reads a webhook %s event', (_name, fields, expected) => {
    const r = mapMessage({ DateTime: '2026-11-20T01:10:00Z', ...fields }, at);
    expect(rowOf(r)).toMatchObject({ event_time: ms(statusDate), ...expected });
  });

  it('keeps the TrackingType of a webhook event in extra (it has no column)', () => {
    const r = mapMessage({ Type: 'Tracking', TrackingType: 'Open', DateTime: statusDate }, at);
    expect(extraOf(r)).toEqual({ TrackingType: 'Open' });
  });

  it('keeps unknown fields in extra, under the names the API used', () => {
    const r = mapMessage({ ...failed, newField: 'x', Tags: ['a', 'b'], score: 0.5, links: { next: null } }, at);
    expect(extraOf(r)).toEqual({ newField: 'x', Tags: ['a', 'b'], score: 0.5, links: { next: null } });
    expect(rowOf(r).failure_code).toBe(2001);
  });

  it('keeps even a field named __proto__', () => {
    const raw = JSON.parse(`{"__proto__": {"polluted": true}, "statusDate": "${statusDate}"}`);
    expect(rowOf(mapMessage(raw, at)).extra).toBe('{"__proto__":{"polluted":true}}');
  });

  it('uses the first present alias and keeps the others in extra', () => {
    const r = mapMessage({ ...failed, Address: 'other@x.test', Response: '' }, at);
    expect(rowOf(r)).toMatchObject({ to_address: 'Wei.Tanaka@MSN.com', reason: failed.reason });
    // The empty Response says nothing, so only the shadowed Address is kept.
    expect(extraOf(r)).toEqual({ Address: 'other@x.test' });
  });

  it('prefers a non-empty alias over an empty one (CSV sends every column)', () => {
    const r = mapMessage({ ...asCsvRow(failed), statusDate: '', DateTime: '2026-11-21 08:00:00' }, at);
    expect(rowOf(r).event_time).toBe(ms('2026-11-21T08:00:00Z'));
    expect(rowOf(r).extra).toBeNull();
  });

  const odd: [string, Record<string, unknown>, string, string][] = [
    ['failureCode "abc"', { failureCode: 'abc' }, 'failure_code', 'failureCode'],
    ['failureCode beyond int32', { failureCode: 99_999_999_999 }, 'failure_code', 'failureCode'],
    ['failureCode 12.5', { failureCode: 12.5 }, 'failure_code', 'failureCode'],
    ['failureType "Sideways"', { failureType: 'Sideways' }, 'failure_type', 'failureType'],
    ['messageSize "big"', { messageSize: 'big' }, 'message_size', 'messageSize'],
    ['messageSize beyond 2^53', { messageSize: '123456789012345678901' }, 'message_size', 'messageSize'],
    ['deliveryTime "soon"', { deliveryTime: 'soon' }, 'delivery_time', 'deliveryTime'],
    ['queuedTime 0001-01-01 (.NET MinValue)', { queuedTime: '0001-01-01T00:00:00' }, 'queued_time', 'queuedTime'],
    ['subject as an object', { subject: { text: 'hi' } }, 'subject', 'subject'],
    ['status as an array', { status: ['Failed'] }, 'status', 'status'],
    ['to as an object', { to: { address: 'a@b.c' } }, 'to_address', 'to'],
  ];
  it.each(odd)('stores null for %s and keeps the value in extra', (_name, fields, column, key) => {
    const raw = { ...failed, ...fields };
    const r = mapMessage(raw, at);
    expect(rowOf(r)[column]).toBeNull();
    expect(extraOf(r)).toEqual({ [key]: raw[key as keyof typeof raw] });
    // Every other column is untouched.
    const { [column]: _a, extra: _b, ...others } = rowOf(r);
    const { [column]: _c, extra: _d, ...expected } = rowOf(mapMessage(failed, at));
    if (column === 'failure_code') delete expected.failure_category;
    if (column === 'failure_type') delete expected.failure_type_name;
    if (column === 'to_address') delete expected.recipient_domain;
    if (column === 'status') delete expected.event_type;
    expect(others).toMatchObject(expected);
  });

  it('keeps an unknown status as sent, with event_type other', () => {
    const r = mapMessage({ ...failed, status: 'Bounced-Later' }, at);
    expect([rowOf(r).status, rowOf(r).event_type, rowOf(r).extra]).toEqual(['Bounced-Later', 'other', null]);
  });

  it('keeps an undocumented numeric failure type as sent, without a name (as v1)', () => {
    const r = mapMessage({ ...failed, failureType: '7' }, at);
    expect([rowOf(r).failure_type, rowOf(r).failure_type_name]).toEqual([7, null]);
  });

  const times: [string, unknown, string][] = [
    ['ISO Z', '2026-11-20T01:10:00Z', '2026-11-20T01:10:00Z'],
    ['ISO offset', '2026-11-20T03:10:00+02:00', '2026-11-20T01:10:00Z'],
    ['ISO fraction', '2026-11-20T01:10:00.1234567Z', '2026-11-20T01:10:00.123Z'],
    ['yyyy-mm-dd HH:MM:SS (UTC)', '2026-11-20 01:10:00', '2026-11-20T01:10:00Z'],
    ['epoch seconds', 1_795_137_000, '2026-11-20T01:10:00Z'],
    ['epoch seconds as text', '1795137000', '2026-11-20T01:10:00Z'],
  ];
  it.each(times)('reads a %s status date', (_name, value, iso) => {
    expect(rowOf(mapMessage({ ...failed, statusDate: value }, at)).event_time).toBe(ms(iso));
  });

  it('falls back to queuedTime only when no status time is usable', () => {
    const noStatus = mapMessage({ ...failed, statusDate: null }, at);
    expect(rowOf(noStatus).event_time).toBe(ms('2026-11-20T00:44:23Z'));
    const unreadable = mapMessage({ ...failed, statusDate: 'soon' }, at);
    expect([rowOf(unreadable).event_time, extraOf(unreadable)]).toEqual([
      ms('2026-11-20T00:44:23Z'),
      { statusDate: 'soon' },
    ]);
  });

  const noTime: [string, unknown, RegExp][] = [
    [
      'no time fields at all',
      { status: 'Delivered', to: 'a@b.c' },
      /tried statusDate, DateTime, eventTime, queuedTime/,
    ],
    ['empty CSV time fields', asCsvRow({ ...failed, statusDate: null, queuedTime: null }), /\(none present\)/],
    [
      'unreadable times',
      { ...failed, statusDate: 'soon', queuedTime: 'later' },
      /statusDate "soon".*queuedTime "later"/,
    ],
    ['.NET MinValue', { Type: 'Delivered', DateTime: '0001-01-01T00:00:00' }, /DateTime "0001-01-01T00:00:00"/],
  ];
  it.each(noTime)('quarantines a record with %s, naming the fields tried', (_name, raw, reason) => {
    const r = mapMessage(raw, at);
    expect(r.ok).toBe(false);
    expect(r.ok || r.reason).toMatch(/^no usable event time: tried /);
    expect(r.ok || r.reason).toMatch(reason);
  });

  it.each([
    ['a string', 'oops'],
    ['an array', [failed]],
    ['null', null],
    ['a number', 42],
  ])('quarantines %s', (_name, raw) => {
    const r = mapMessage(raw, at);
    expect(r.ok || r.reason).toMatch(/^expected an object/);
  });

  const eventTypes: [string | null, unknown, string][] = [
    ['Queued', undefined, 'queued'],
    ['Delivered', undefined, 'delivered'],
    ['Processed', undefined, 'delivered'],
    ['Sent', undefined, 'delivered'],
    ['Failed', undefined, 'failed'],
    ['Bounced', undefined, 'failed'],
    ['Deferred', undefined, 'deferred'],
    ['Suppressed', undefined, 'suppressed'],
    ['Complained', undefined, 'complaint'],
    ['Complaint', undefined, 'complaint'],
    ['Opened', undefined, 'open'],
    ['open', undefined, 'open'],
    ['CLICKED', undefined, 'click'],
    ['Unsubscribed', undefined, 'unsubscribe'],
    [' delivered ', undefined, 'delivered'],
    ['Tracking', 'Click', 'click'],
    ['Tracking', '1', 'open'],
    ['Tracking', 2, 'unsubscribe'],
    ['Tracking', 'Forward', 'other'],
    ['Tracking', undefined, 'other'],
    ['Validation', undefined, 'other'],
    ['3', undefined, 'other'],
    [null, undefined, 'other'],
  ];
  it.each(eventTypes)('normalises status %j (tracking %j) to %s', (status, tracking, expected) => {
    expect(normalizeEventType(status, tracking)).toBe(expected);
  });

  it('gives event_type other (never null) when the status is missing', () => {
    const { status: _s, ...noStatus } = failed;
    expect(rowOf(mapMessage(noStatus, at))).toMatchObject({ status: null, event_type: 'other' });
  });
});

describe('v2 suppression mapping', () => {
  const entry = {
    emailAddress: 'Fatima.Garcia70@Orange.FR',
    suppressionLastUpdate: '2025-11-20T20:09:14Z',
    reason: '550-5.1.1 The email account that you tried to reach does not exist.\r\n550 5.1.1 "quoted", commas',
    source: 'Bounce',
  };
  const expected = {
    snapshot_time: at - 5000,
    email_address: 'Fatima.Garcia70@Orange.FR',
    recipient_domain: 'orange.fr',
    last_updated: ms('2025-11-20T20:09:14Z'),
    reason: entry.reason,
    source: 'Bounce',
    extra: null,
    ingested_at: at,
  };

  it('maps an entry; the snapshot time is when the list was read', () => {
    const r = mapSuppression(entry, at, at - 5000);
    expect(rowOf(r)).toEqual(expected);
    expect(Object.keys(rowOf(r)).sort()).toEqual(socketlabsSuppressions.columns.map((c) => c.name).sort());
  });

  it('maps the CSV row and re-cased keys the same', () => {
    expect(mapSuppression(asCsvRow(entry), at, at - 5000)).toEqual(mapSuppression(entry, at, at - 5000));
    const upper = Object.fromEntries(Object.entries(entry).map(([k, v]) => [k.toUpperCase(), v]));
    expect(mapSuppression(upper, at, at - 5000)).toEqual(mapSuppression(entry, at, at - 5000));
  });

  it('reads empty CSV fields as null and keeps odd values in extra', () => {
    const r = mapSuppression({ ...asCsvRow(entry), reason: '', suppressionLastUpdate: 'yesterday', tag: 'x' }, at, at);
    expect(rowOf(r)).toMatchObject({ reason: null, last_updated: null });
    expect(extraOf(r)).toEqual({ suppressionLastUpdate: 'yesterday', tag: 'x' });
  });

  it('reads alias names and quarantines only non-objects', () => {
    expect(rowOf(mapSuppression({ Email: 'a@b.c', LastUpdated: '2025-01-01 00:00:00' }, at, at))).toMatchObject({
      email_address: 'a@b.c',
      last_updated: ms('2025-01-01T00:00:00Z'),
      source: null,
    });
    expect(mapSuppression({}, at, at).ok).toBe(true);
    expect(mapSuppression('x', at, at).ok).toBe(false);
  });
});

describe('v2 simulator data', () => {
  const store = generateV2Data({
    seed: 20_261_120,
    serverIds: [1000, 2000],
    from: '2026-11-20',
    to: '2026-11-21',
    profile: () => 150,
    // Every status, Failed, Deferred and Suppressed included, in a few hundred items: the old failure-rich mix.
    events: EXTREME_V2_EVENTS,
  });
  const items = store.serverIds.flatMap((id) => store.items(id));
  // Complaints are rare (well under 1%); made items at chosen seconds make sure every status is exercised.
  for (let v = 0; items.filter((i) => i.status === 'Complained').length < 3 && v < 20_000; v++) {
    const item = store.makeItem(1000, ms('2026-11-20T12:00:00Z') / 1000 + v, v);
    if (item.status === 'Complained') items.push(item);
  }

  it('covers every status with a few hundred items', () => {
    expect(items.length).toBeGreaterThanOrEqual(600);
    expect(new Set(items.map((i) => i.status))).toEqual(new Set(v2Statuses));
  });

  it('maps every item, JSON and CSV alike, without quarantine or other', () => {
    const expectedType: Record<string, string> = {
      Queued: 'queued',
      Delivered: 'delivered',
      Failed: 'failed',
      Deferred: 'deferred',
      Suppressed: 'suppressed',
      Complained: 'complaint',
      Opened: 'open',
      Clicked: 'click',
    };
    const csvRows = Papa.parse<Record<string, string>>(Papa.unparse(items), { header: true, skipEmptyLines: 'greedy' });
    expect(csvRows.errors).toEqual([]);
    items.forEach((item, i) => {
      const json = mapMessage(item, at);
      const row = rowOf(json);
      expect(row.event_type).toBe(expectedType[String(item.status)]);
      expect(row.event_time).toBe(ms(String(item.statusDate)));
      expect(row.extra).toBeNull();
      if (item.failureType !== null) expect(row.failure_type_name).toBe(String(item.failureType).toLowerCase());
      expect(mapMessage(csvRows.data[i], at)).toEqual(json);
    });
  });

  it('maps every suppression entry', () => {
    for (const id of store.serverIds) {
      for (const entry of store.suppressions(id)) {
        const row = rowOf(mapSuppression(entry, at, at));
        expect(row.extra).toBeNull();
        expect(row.last_updated).toBe(ms(String(entry.suppressionLastUpdate)));
      }
    }
  });
});

describe('v2 envelopes', () => {
  it.each([
    ['numbers', { data: [{ a: 1 }], total: 3 }, [{ a: 1 }], 3],
    ['total as a string, keys re-cased', { DATA: [], Total: '0' }, [], 0],
    ['no data', { total: '0' }, [], 0],
  ])('reads a list envelope with %s', (_name, body, data, total) => {
    expect(listEnvelope.parse(body)).toEqual({ data, total });
  });

  it.each([
    ['no total', { data: [] }],
    ['a negative total', { data: [], total: -1 }],
    ['an error body', { error: [{ errorType: 'X', message: 'y' }] }],
    ['not an object', 'oops'],
  ])('rejects a list envelope with %s', (_name, body) => {
    expect(listEnvelope.safeParse(body).success).toBe(false);
  });

  it.each([
    ['a list', { error: [{ errorType: 'InvalidDomainFormat', message: 'Domain name not formatted correctly.' }] }],
    [
      'a single object',
      { Error: { ErrorType: 'InvalidDomainFormat', Message: 'Domain name not formatted correctly.' } },
    ],
    ['a bare error', { errorType: 'InvalidDomainFormat', message: 'Domain name not formatted correctly.' }],
  ])('reads an error body with %s', (_name, body) => {
    expect(apiErrorBody.parse(body)).toEqual([
      { errorType: 'InvalidDomainFormat', message: 'Domain name not formatted correctly.' },
    ]);
  });

  it('reads several errors and rejects bodies that are not errors', () => {
    expect(apiErrorBody.parse({ error: [{ message: 'a' }, { errorType: 'B' }] })).toEqual([
      { errorType: null, message: 'a' },
      { errorType: 'B', message: null },
    ]);
    for (const body of [{ error: [] }, { data: [] }, {}, '<html>', null]) {
      expect(apiErrorBody.safeParse(body).success).toBe(false);
    }
  });
});
