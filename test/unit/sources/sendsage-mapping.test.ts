import { describe, expect, it } from 'vitest';
import type { Row } from '../../../shared/lake/table';
import { bodyCapBytes, capUtf8, parseAuthentication } from '../../../shared/sources/sendsage/mapping/authentication';
import {
  campaignRows,
  campaignStatus,
  ispRows,
  ruleRows,
  seedRows,
} from '../../../shared/sources/sendsage/mapping/campaigns';
import { messageRow } from '../../../shared/sources/sendsage/mapping/messages';
import { previewRows } from '../../../shared/sources/sendsage/mapping/previews';
import type { SendsageMapped } from '../../../shared/sources/sendsage/mapping/rows';
import { seedlistRows } from '../../../shared/sources/sendsage/mapping/seedlist';
import { apiFailure } from '../../../shared/sources/sendsage/schemas';
import {
  sendsageCampaigns,
  sendsageIspResults,
  sendsageMessages,
  sendsagePreviews,
  sendsageSeedlist,
  sendsageSeedResults,
  sendsageSpamRules,
  sendsageTables,
} from '../../../shared/sources/sendsage/tables';

const at = Date.parse('2026-11-22T06:00:00Z');
const ms = (iso: string) => Date.parse(iso);

// The examples from sendsage-monitor-api.txt, character for character (JSON escapes such as \/ and \n included).
/** delivery_test_list, the document's example JSON response verbatim. */
const listJson = `[
  {
    "campaign_id":1234,
    "date":"2012-01-07 T 12:02:41-0600",
    "date_unix":1339773180,
    "from_address":"news@example.com",
    "from_name":"Newsletter",
    "from_domain":"example.com",
    "subject":"This Week's News",
    "campaign_id":"abc123"
  }, {
    "campaign_id":1235,
    "date":"2011-12-04 T 12:02:41-0600",
    "date_unix":1339773180,
    "from_address":"weather@example.com",
    "from_name":"Newsletter",
    "from_domain":"example.com",
    "subject":"Your Daily Weather Forecast",
    "campaign_id":"abc456"
  }, {
    "campaign_id":1235,
    "date":"2011-12-04 T 12:02:47-0600",
    "date_unix":1339773180,
    "from_address":"news@example.com",
    "from_name":"Newsletter",
    "from_domain":"example.com",
    "subject":"Some New News",
    "campaign_id":"abc123"
  }
]`;

/** delivery_test_get_info, the document's example JSON response verbatim. */
const getInfoJson = `{
  "success":1,
  "from_address":"customerservice@example.com",
  "from_domain":"example.com",
  "from_name":"Newsletter",
  "subject":"Daily News",
  "customer_defined_campaign_id":"my-newsletter-1",
  "pct_inbox":92.1,
  "pct_bulk":7.9,
  "pct_missing":0,
  "isp_stats": [
    {
      "domain":"aol.com",
      "name":"AOL",
      "category":"Global",
      "count_inbox":"10",
      "count_bulk":"0",
      "count_missing":"0",
      "count_duplicate":"0",
      "count_total":"10",
      "pct_inbox":100,
      "pct_bulk":0,
      "pct_missing":0
    }, {
      "domain":"aol.com",
      "name":"AOL 2",
      "category":"Global",
      "count_inbox":"10",
      "count_bulk":"0",
      "count_missing":"0",
      "count_duplicate":"0",
      "count_total":"10",
      "pct_inbox":100,
      "pct_bulk":0,
      "pct_missing":0
    }, {
      "domain":"att.net",
      "name":"ATT",
      "category":"US",
      "count_inbox":"9",
      "count_bulk":"0",
      "count_missing":"0",
      "count_duplicate":"0",
      "count_total":"9",
      "pct_inbox":100,
      "pct_bulk":0,
      "pct_missing":0
    }
  ],
  "spamassassin":
    {
      "message_id":2739462,
      "time_processed":1341504526,
      "result":"No",
      "score":"-2.5",
      "required":"5.0",
      "version":"SpamAssassin 3.3.2 (2011-06-06) on calvin.drh.net",
      "rules_matched":[
        {
          "area":"RBL: ",
          "rule":"RCVD_IN_RP_CERTIFIED",
          "score":"-3.0",
          "description":"Sender is in Return Path Certified (trusted relay)"
        }, {
          "area":"RBL: ",
          "rule":"RCVD_IN_RP_SAFE",
          "score":"-2.0",
          "description":"Sender is in Return Path Safe (trusted relay)"
        }
      ],
      "_status":"done"
    }
}`;

/** delivery_test_get_email_list, the document's example JSON response verbatim. */
const emailListJson = `[
  {
    "isp":"AOL",
    "address":"asdf123@aol.com",
    "username":"asdf123",
    "domain":"aol.com",
    "from_address":"support@example.com",
    "time_collected":"2011-09-05 T 00:01:29-0600",
    "time_collected_unix":1339773180,
    "subject":"Your Daily News",
    "duplicate":false
  }, {
    "isp":"Yahoo",
    "address":"asdf123@yahoo.com",
    "username":"asdf123",
    "domain":"yahoo.com",
    "from_address":"support@example.com",
    "time_collected":"2011-09-05 T 00:02:29-0600",
    "time_collected_unix":1339773180,
    "subject":"Your Daily News",
    "duplicate":false
  }, {
    "isp":"Comcast",
    "address":"qwer123@comcast.com",
    "username":"qwer123",
    "domain":"comcast.com",
    "from_address":"support@example.com",
    "time_collected":"2011-09-05 T 00:03:29-0600",
    "time_collected_unix":1339773180,
    "subject":"Your Daily News",
    "duplicate":false
  }
]`;

/** delivery_message_get, the document's example JSON response verbatim. */
const messageJson = String.raw`{
  "campaign_id":716,
  "message_id":143422950,
  "seed_id":39432,
  "location":"inbox",
  "duplicate":false,
  "time_collected":"2011-12-31 T 19:33:31-0600",
  "time_collected_unix":1339773180,
  "from_address":"news@example.com",
  "from_name":"Newsletter",
  "subject":"Your Daily News",
  "content":"X-Apparently-To: saasdfasdf@yahoo.com via 98.168.85.137; Mon, 05 Sep 2011 00:01:26 -0700\nX-YahooFilteredBulk: 14.17.34.24\nReceived-SPF: pass (domain of example.com designates 14.17.34.24 as permitted sender)\nX-Originating-IP: [14.17.34.24]\nAuthentication-Results: mta1067.mail.sk1.yahoo.com  from=example.com; domainkeys=pass (ok);  from=example.com; dkim=pass (ok)\nReceived: from 127.0.0.1  (HELO smtp1-1.example.com) (14.17.34.24)\n  by mta1067.mail.sk1.yahoo.com with SMTP; Mon, 05 Sep 2011 00:01:26 -0700\nReceived: (qmail 8253 invoked by uid 48); 5 Sep 2011 07:01:26 -0000\nDKIM-Signature: v=1; a=rsa-sha1; c=relaxed\/relaxed;\n\td=example.com; s=default; h=Comment:DomainKey-Signature:\n\tDate:Message-ID:To:Subject:From:Reply-To:MIME-Version:\n\tContent-Type:Content-Transfer-Encoding; bh=asdf123; b=1234123412341234\nComment: DomainKeys? See http://antispam.yahoo.com\/domainkeys\nDomainKey-Signature: a=rsa-sha1; q=dns; c=nofws;\n  s=default; d=example.com;\n  b=1234asdfgasdfgasdfasdfasdfzxcvzxcv  ;\nDate: 5 Sep 2011 07:01:26 -0000\nMessage-ID: <12345.qmail@example.com>\nTo: sagepawnasdf@yahoo.com\nSubject: Your Daily News\nFrom: \"Daily News\" <news@example.com>\nReply-To: news@example.com\nMIME-Version: 1.0\nX-Mailer-LID: 17\nX-Mailer-SID: 12726\nX-Mailer-Sent-By: 1\nX-Mailer-Info: asdfasdf123\nX-Mailer-Seed: oaijsdfoaisjdf019283\nContent-Type: text\/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\nHello there,\nHere's your daily headlines!\n\n\n\n"
}`;

/** delivery_seedlist_get, the document's example JSON response verbatim. */
const seedlistJson = `{
  "seeds":[
    "aaaaaa@aaaaaa.reference.drh.net",
    "aaaaaa-reference2@aaaaaa.reference.drh.net",
    "zzzzzz-reference3@zzzzzz.reference.drh.net",
    "zzzzzz-reference4@zzzzzz.reference.drh.net"
  ]
}`;

/** preview_list, the document's example JSON response verbatim. */
const previewListJson = `[
  {
    "preview_id":65,
    "date":"2012-03-27 T 09:59:13-0600",
    "date_unix":1332856753,
    "from_address":"newsletter@example.com",
    "from_domain":"example.com",
    "from_name":"Newsletter",
    "subject":"demo"
  }, {
    "preview_id":62,
    "date":"2012-02-03 T 05:05:29-0600",
    "date_unix":1328306729,
    "from_address":"newsletter@example.com",
    "from_domain":"example.com",
    "from_name":"Newsletter",
    "subject":"My Newsletter"
  }
]`;

/** preview_get_info, the document's example JSON response verbatim. */
const previewInfoJson = String.raw`{
  "applications": {
    "ol2000": {
      "platform":"Desktop",
       "name":"2Outlook 2000",
       "thumbnail": {
         "url": null,
         "status":"not available"
       },
       "images_on": {
         "url":"http://monitor.drh.net\/preview_images\/65.4a5f27ce6438123123123.ol2000.images_on.png",
         "status":"done"
       },
       "images_off": {
         "url":null,
         "status":"not available"
       },
       "preview_images_on": {
         "url":"http://monitor.drh.net\/preview_images\/65.123cb12391e82f9b.ol2000.preview_images_on.png",
         "status":"done"
       },
       "preview_images_off": {
         "url":null,
         "status":"not available"
       }
     },
     "ol2002": {
       "platform":"Desktop",
       "name":"2Outlook 2002\/XP",
       "thumbnail": {
         "url":null,
         "status":"not available"
       },
       "images_on": {
         "url":"http://monitor.drh.net\/preview_images\/65.4a5f244212341072f9b.ol2002.images_on.png",
         "status":"done"
       },
       "images_off": {
         "url":null,
         "status":"not available"
       },
       "preview_images_on": {
         "url":"http://monitor.drh.net\/preview_images\/65.4a5f25431234924072f9b.ol2002.preview_images_on.png",
         "status":"done"
       },
       "preview_images_off": {
         "url":null,
         "status":"not available"
       }
     }
  }
}`;

// campaignGetStats: the document prints the same example response as for delivery_test_get_info (above).

type Json = Record<string, unknown>;
const parse = <T = Json>(text: string) => JSON.parse(text) as T;

function rowsOf(m: SendsageMapped): Row[] {
  if (m.quarantine.length) throw new Error(`quarantined: ${m.quarantine.map((q) => q.reason).join(' | ')}`);
  return m.rows;
}
const oneRow = (m: SendsageMapped) => {
  const rows = rowsOf(m);
  expect(rows).toHaveLength(1);
  return rows[0]!;
};
const extraOf = (row: Row) => (row.extra === null ? null : JSON.parse(String(row.extra)));

/** Every key of an object (and of the objects and lists inside it) re-cased; values untouched. */
function recase(
  value: unknown,
  fn: (k: string) => string,
  keepKeysAt: (path: string[]) => boolean = () => false,
  path: string[] = [],
): unknown {
  if (Array.isArray(value)) return value.map((v) => recase(v, fn, keepKeysAt, path));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [keepKeysAt(path) ? k : fn(k), recase(v, fn, keepKeysAt, [...path, k])]),
  );
}
/** The same mapping with the keys inside every row's extra re-cased, as they would be had the API sent them so. */
const recaseExtra = (m: SendsageMapped, fn: (k: string) => string): SendsageMapped => ({
  ...m,
  rows: m.rows.map((r) => ({
    ...r,
    extra: r.extra === null ? null : JSON.stringify(recase(JSON.parse(String(r.extra)), fn)),
  })),
});
const recasings: [string, (k: string) => string][] = [
  ['UPPER', (k) => k.toUpperCase()],
  ['Pascal', (k) => k.replace(/(^|_)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase())],
];

/** The documented list item, as the key table describes it (the example repeats campaign_id for the customer id). */
const listItem = {
  campaign_id: 1234,
  date: '2012-01-07 T 12:02:41-0600',
  date_unix: 1325959361,
  from_address: 'customerservice@example.com',
  from_name: 'Newsletter',
  from_domain: 'example.com',
  subject: 'Daily News',
  customer_defined_campaign_id: 'my-newsletter-1',
};
const sentAt = ms('2012-01-07T18:02:41Z');

const campaign: Row = {
  campaign_id: 1234,
  sent_at: sentAt,
  from_address: 'customerservice@example.com',
  from_name: 'Newsletter',
  from_domain: 'example.com',
  subject: 'Daily News',
  customer_defined_campaign_id: 'my-newsletter-1',
  pct_inbox: 92.1,
  pct_bulk: 7.9,
  pct_missing: 0,
  spam_score: -2.5,
  spam_required: 5,
  spam_result: false,
  spamassassin_version: 'SpamAssassin 3.3.2 (2011-06-06) on calvin.drh.net',
  spam_message_id: 2739462,
  spam_processed_at: 1341504526_000,
  status: 'done',
  seeds_total: 29,
  seeds_inbox: 29,
  seeds_bulk: 0,
  seeds_missing: 0,
  extra: null,
  ingested_at: at,
};

const views: [string, string, string | null, string][] = [
  ['ol2000', 'thumbnail', null, 'not available'],
  [
    'ol2000',
    'images_on',
    'http://monitor.drh.net/preview_images/65.4a5f27ce6438123123123.ol2000.images_on.png',
    'done',
  ],
  ['ol2000', 'images_off', null, 'not available'],
  [
    'ol2000',
    'preview_images_on',
    'http://monitor.drh.net/preview_images/65.123cb12391e82f9b.ol2000.preview_images_on.png',
    'done',
  ],
  ['ol2000', 'preview_images_off', null, 'not available'],
  ['ol2002', 'thumbnail', null, 'not available'],
  ['ol2002', 'images_on', 'http://monitor.drh.net/preview_images/65.4a5f244212341072f9b.ol2002.images_on.png', 'done'],
  ['ol2002', 'images_off', null, 'not available'],
  [
    'ol2002',
    'preview_images_on',
    'http://monitor.drh.net/preview_images/65.4a5f25431234924072f9b.ol2002.preview_images_on.png',
    'done',
  ],
  ['ol2002', 'preview_images_off', null, 'not available'],
];

const columnsOf = (table: { columns: readonly { name: string }[] }) => table.columns.map((c) => c.name);

describe('sendsage tables', () => {
  it('partition by dt only and end with the provenance columns', () => {
    expect(new Set(sendsageTables.map((t) => t.name)).size).toBe(7);
    for (const table of sendsageTables) {
      expect(table.name).toMatch(/^sendsage_[a-z_]+$/);
      expect(table.partitionKeys.map((k) => [k.name, k.type])).toEqual([['dt', 'date']]);
      expect(columnsOf(table).slice(-2)).toEqual(['extra', 'ingested_at']);
      expect(table.columns.find((c) => c.name === table.timeColumn)?.nullable).toBe(false);
    }
  });
});

describe('sendsage document examples', () => {
  it('quarantines every item of the list example: its repeated campaign_id key leaves no integer id', () => {
    const items = parse<unknown[]>(listJson);
    expect(items).toHaveLength(3);
    for (const item of items) {
      const m = campaignRows(item, null, at);
      expect(m.rows).toEqual([]);
      expect(m.quarantine).toHaveLength(1);
      expect(m.quarantine[0]!.reason).toMatch(/^campaign_id: not an integer id \(campaign_id "abc\d+"\)$/);
      expect(m.quarantine[0]!.raw).toEqual({ list_item: item, info: null });
    }
  });

  it('maps a list item and the get_info example to one campaign row', () => {
    const row = oneRow(campaignRows(listItem, parse(getInfoJson), at));
    expect(row).toEqual(campaign);
    expect(Object.keys(row)).toEqual(columnsOf(sendsageCampaigns));
  });

  it('maps a campaignGetStats body like get_info, reading its customerid as the customer-defined id', () => {
    // The document's campaignGetStats example is get_info's; the legacy field name is what differs in practice.
    const { customer_defined_campaign_id: id, ...rest } = parse(getInfoJson);
    const renamed = { ...rest, customerid: id };
    expect(oneRow(campaignRows(listItem, renamed, at))).toEqual(campaign);
  });

  it('keeps list values that disagree with get_info, and the shadowed date_unix, in extra', () => {
    const item = { ...parse<Json[]>(listJson)[0]!, campaign_id: 1234, customer_defined_campaign_id: 'abc123' };
    const row = oneRow(campaignRows(item, parse(getInfoJson), at));
    expect(row).toMatchObject({ subject: 'Daily News', from_address: 'customerservice@example.com', sent_at: sentAt });
    expect(extraOf(row)).toEqual({
      // The example's date_unix is 2012-06-15, not the date it claims to represent; the date string wins.
      date_unix: 1339773180,
      'list.from_address': 'news@example.com',
      'list.subject': "This Week's News",
      'list.customer_defined_campaign_id': 'abc123',
    });
  });

  it('maps a list item alone (get_info not fetched yet)', () => {
    expect(oneRow(campaignRows(listItem, null, at))).toMatchObject({
      campaign_id: 1234,
      subject: 'Daily News',
      pct_inbox: null,
      spam_result: null,
      status: null,
      seeds_total: null,
    });
  });

  const isps: [string, string, string, number, number][] = [
    ['AOL', 'aol.com', 'Global', 10, 10],
    ['AOL 2', 'aol.com', 'Global', 10, 10],
    ['ATT', 'att.net', 'US', 9, 9],
  ];
  it('maps the isp_stats of get_info, counts from strings', () => {
    const rows = rowsOf(ispRows(1234, sentAt, parse(getInfoJson), at));
    expect(rows.map((r) => [r.isp_name, r.isp_domain, r.category, r.count_inbox, r.count_total])).toEqual(isps);
    expect(rows[0]).toEqual({
      campaign_id: 1234,
      sent_at: sentAt,
      isp_name: 'AOL',
      isp_domain: 'aol.com',
      category: 'Global',
      count_inbox: 10,
      count_bulk: 0,
      count_missing: 0,
      count_duplicate: 0,
      count_total: 10,
      pct_inbox: 100,
      pct_bulk: 0,
      pct_missing: 0,
      extra: null,
      ingested_at: at,
    });
    expect(Object.keys(rows[0]!)).toEqual(columnsOf(sendsageIspResults));
  });

  it('maps the rules_matched of get_info', () => {
    const rows = rowsOf(ruleRows(1234, sentAt, parse(getInfoJson), at));
    expect(rows).toEqual([
      {
        campaign_id: 1234,
        sent_at: sentAt,
        area: 'RBL',
        rule: 'RCVD_IN_RP_CERTIFIED',
        score: -3,
        description: 'Sender is in Return Path Certified (trusted relay)',
        extra: null,
        ingested_at: at,
      },
      {
        campaign_id: 1234,
        sent_at: sentAt,
        area: 'RBL',
        rule: 'RCVD_IN_RP_SAFE',
        score: -2,
        description: 'Sender is in Return Path Safe (trusted relay)',
        extra: null,
        ingested_at: at,
      },
    ]);
    expect(Object.keys(rows[0]!)).toEqual(columnsOf(sendsageSpamRules));
  });

  it('maps the email list example; seeds keep the campaign send time, collected_at is their own', () => {
    const rows = rowsOf(seedRows(1234, sentAt, parse(emailListJson), at));
    expect(rows.map((r) => [r.isp, r.address, r.domain, r.collected_at])).toEqual([
      ['AOL', 'asdf123@aol.com', 'aol.com', ms('2011-09-05T06:01:29Z')],
      ['Yahoo', 'asdf123@yahoo.com', 'yahoo.com', ms('2011-09-05T06:02:29Z')],
      ['Comcast', 'qwer123@comcast.com', 'comcast.com', ms('2011-09-05T06:03:29Z')],
    ]);
    expect(rows[0]).toEqual({
      campaign_id: 1234,
      sent_at: sentAt,
      // The example has neither message_id nor location, though the key table lists both.
      message_id: null,
      isp: 'AOL',
      address: 'asdf123@aol.com',
      username: 'asdf123',
      domain: 'aol.com',
      from_address: 'support@example.com',
      subject: 'Your Daily News',
      location: null,
      duplicate: false,
      collected_at: ms('2011-09-05T06:01:29Z'),
      extra: '{"time_collected_unix":1339773180}',
      ingested_at: at,
    });
    expect(Object.keys(rows[0]!)).toEqual(columnsOf(sendsageSeedResults));
  });

  it('maps the message example, reading its Authentication-Results and Received-SPF', () => {
    const body = parse(messageJson);
    const row = oneRow(messageRow(716, sentAt, body, at));
    const content = String(body.content);
    expect(row).toEqual({
      message_id: 143422950,
      campaign_id: 716,
      sent_at: sentAt,
      seed_id: 39432,
      location: 'inbox',
      duplicate: false,
      collected_at: ms('2012-01-01T01:33:31Z'),
      from_address: 'news@example.com',
      from_name: 'Newsletter',
      subject: 'Your Daily News',
      spf: 'pass',
      dkim: 'pass',
      dmarc: null,
      domainkeys: 'pass',
      authentication_results:
        'mta1067.mail.sk1.yahoo.com  from=example.com; domainkeys=pass (ok);  from=example.com; dkim=pass (ok)',
      received_spf: 'pass (domain of example.com designates 14.17.34.24 as permitted sender)',
      headers: content.slice(0, content.indexOf('\n\n')),
      body: "Hello there,\nHere's your daily headlines!\n\n\n\n",
      content_bytes: Buffer.byteLength(content),
      extra: '{"time_collected_unix":1339773180}',
      ingested_at: at,
    });
    expect(String(row.headers)).toMatch(/^X-Apparently-To: .*\n\tContent-Type:Content-Transfer-Encoding; bh=/s);
    expect(Object.keys(row)).toEqual(columnsOf(sendsageMessages));
  });

  it('maps the seedlist example', () => {
    const rows = rowsOf(seedlistRows(parse(seedlistJson), at - 5000, at));
    expect(rows.map((r) => [r.address, r.domain])).toEqual([
      ['aaaaaa@aaaaaa.reference.drh.net', 'aaaaaa.reference.drh.net'],
      ['aaaaaa-reference2@aaaaaa.reference.drh.net', 'aaaaaa.reference.drh.net'],
      ['zzzzzz-reference3@zzzzzz.reference.drh.net', 'zzzzzz.reference.drh.net'],
      ['zzzzzz-reference4@zzzzzz.reference.drh.net', 'zzzzzz.reference.drh.net'],
    ]);
    expect(rows[0]).toEqual({
      snapshot_time: at - 5000,
      address: 'aaaaaa@aaaaaa.reference.drh.net',
      domain: 'aaaaaa.reference.drh.net',
      extra: null,
      ingested_at: at,
    });
    expect(Object.keys(rows[0]!)).toEqual(columnsOf(sendsageSeedlist));
  });

  it('maps the preview list and preview info examples to one row per application and view', () => {
    const item = parse<Json[]>(previewListJson)[0]!;
    const rows = rowsOf(previewRows(item, parse(previewInfoJson), at));
    expect(rows.map((r) => [r.application, r.view, r.url, r.status])).toEqual(views);
    expect(rows[0]).toEqual({
      preview_id: 65,
      // 09:59:13-0600; the example's date_unix (13:59:13Z) disagrees and is kept in extra.
      requested_at: ms('2012-03-27T15:59:13Z'),
      subject: 'demo',
      from_address: 'newsletter@example.com',
      from_name: 'Newsletter',
      from_domain: 'example.com',
      application: 'ol2000',
      platform: 'Desktop',
      name: '2Outlook 2000',
      view: 'thumbnail',
      url: null,
      status: 'not available',
      extra: '{"date_unix":1332856753}',
      ingested_at: at,
    });
    expect(rows[5]).toMatchObject({ application: 'ol2002', name: '2Outlook 2002/XP' });
    expect(Object.keys(rows[0]!)).toEqual(columnsOf(sendsagePreviews));
    const second = parse<Json[]>(previewListJson)[1]!;
    expect(oneRow(previewRows(second, null, at))).toMatchObject({
      preview_id: 62,
      requested_at: ms('2012-02-03T11:05:29Z'),
      application: null,
      view: null,
      // Here the example's date_unix is 11 hours off the date; it is kept, not used.
      extra: '{"date_unix":1328306729}',
    });
  });
});

describe('sendsage re-cased keys', () => {
  it.each(recasings)('reads %s keys in every body the same', (_name, fn) => {
    const info = parse(getInfoJson);
    expect(campaignRows(recase(listItem, fn), recase(info, fn), at)).toEqual(campaignRows(listItem, info, at));
    expect(ispRows(1234, sentAt, recase(info, fn), at)).toEqual(ispRows(1234, sentAt, info, at));
    expect(ruleRows(1234, sentAt, recase(info, fn), at)).toEqual(ruleRows(1234, sentAt, info, at));
    // Shadowed values in extra keep the names the API used, so only their keys differ.
    const emails = parse(emailListJson);
    expect(seedRows(1234, sentAt, recase(emails, fn), at)).toEqual(recaseExtra(seedRows(1234, sentAt, emails, at), fn));
    const message = parse(messageJson);
    expect(messageRow(716, sentAt, recase(message, fn), at)).toEqual(
      recaseExtra(messageRow(716, sentAt, message, at), fn),
    );
    const seeds = parse(seedlistJson);
    expect(seedlistRows(recase(seeds, fn), at, at)).toEqual(seedlistRows(seeds, at, at));
    // Application keys (ol2000) are data, not field names: only the fields around them are re-cased.
    const previewInfo = parse(previewInfoJson);
    const keepApps = (path: string[]) => path.length === 1;
    const item = parse<Json[]>(previewListJson)[0]!;
    const recased = previewRows(recase(item, fn), recase(previewInfo, fn, keepApps), at);
    expect(recased).toEqual(recaseExtra(previewRows(item, previewInfo, at), fn));
    expect(recased.rows.map((r) => [r.view, r.status])).toEqual(views.map((v) => [v[1], v[3]]));
  });
});

describe('sendsage extra fields', () => {
  it('keeps unknown fields of every level in extra, under the names the API used', () => {
    const info = parse(getInfoJson);
    const spamassassin: Json = { ...(info.spamassassin as Json), bayes_score: '0.01' };
    const isp = { ...(info.isp_stats as Json[])[0]!, Region: 'NA' };
    const rules = [{ ...(spamassassin.rules_matched as Json[])[0]!, hits: 2 }];
    const odd = {
      ...info,
      report_url: 'https://x.test/r/1',
      spamassassin: { ...spamassassin, rules_matched: rules },
      isp_stats: [isp],
    };
    const row = oneRow(campaignRows({ ...listItem, tags: ['a'] }, odd, at));
    expect(extraOf(row)).toEqual({
      tags: ['a'],
      report_url: 'https://x.test/r/1',
      spamassassin: { bayes_score: '0.01' },
    });
    expect(extraOf(rowsOf(ispRows(1, sentAt, odd, at))[0]!)).toEqual({ Region: 'NA' });
    expect(extraOf(rowsOf(ruleRows(1, sentAt, odd, at))[0]!)).toEqual({ hits: 2 });
    expect(row.seeds_total).toBe(10);
  });

  it('keeps extra fields of seeds, messages, seedlists and previews', () => {
    const email = { ...parse<Json[]>(emailListJson)[0]!, time_collected_unix: 1315202489, seed_group: 'b' };
    expect(extraOf(rowsOf(seedRows(1, sentAt, [email], at))[0]!)).toEqual({ seed_group: 'b' });
    const message = { ...parse(messageJson), time_collected_unix: '1325381611', spam_folder: 'Junk' };
    expect(extraOf(oneRow(messageRow(716, sentAt, message, at)))).toEqual({ spam_folder: 'Junk' });
    expect(extraOf(rowsOf(seedlistRows({ seeds: ['a@b.c'], count: 1 }, at, at))[0]!)).toEqual({ count: 1 });
    const info = parse<{ applications: Record<string, Json> }>(previewInfoJson);
    const app = info.applications.ol2000!;
    const withExtras = {
      applications: {
        ol2000: { ...app, browser: 'none', images_on: { ...(app.images_on as Json), width: 600 } },
        dark1: { platform: 'Mobile devices', name: 'Dark mode', dark_mode: { url: null, status: 'pending' } },
      },
      queued: 3,
    };
    const item = { ...parse<Json[]>(previewListJson)[0]!, date_unix: 1332863953 };
    const rows = rowsOf(previewRows(item, withExtras, at));
    const imagesOn = rows.find((r) => r.application === 'ol2000' && r.view === 'images_on')!;
    expect(extraOf(imagesOn)).toEqual({ queued: 3, application: { browser: 'none' }, view: { width: 600 } });
    // A view the document does not list is still a view when it carries url or status.
    expect(rows.filter((r) => r.application === 'dark1').map((r) => [r.view, r.status])).toEqual([
      ['dark_mode', 'pending'],
    ]);
  });

  const odd: [string, Json, string, string][] = [
    ['count_total "ten"', { count_total: 'ten' }, 'count_total', 'count_total'],
    ['count_inbox 1.5', { count_inbox: 1.5 }, 'count_inbox', 'count_inbox'],
    ['pct_inbox "lots"', { pct_inbox: 'lots' }, 'pct_inbox', 'pct_inbox'],
    ['name as an object', { name: { short: 'AOL' } }, 'isp_name', 'name'],
  ];
  it.each(odd)('stores null for an ISP %s and keeps the value in extra', (_name, fields, column, key) => {
    const info = parse(getInfoJson);
    const isp = { ...(info.isp_stats as Json[])[0]!, ...fields };
    const row = rowsOf(ispRows(1, sentAt, { ...info, isp_stats: [isp] }, at))[0]!;
    expect(row[column]).toBeNull();
    expect(extraOf(row)).toEqual({ [key]: fields[key] });
  });
});

describe('sendsage dates', () => {
  const dates: [string, unknown, unknown, number][] = [
    ['space-T-space, offset -0600', '2012-06-01 T 12:45:40-0600', undefined, ms('2012-06-01T18:45:40Z')],
    ['space-T-space, offset -06:00', '2011-09-05 T 00:01:29-06:00', undefined, ms('2011-09-05T06:01:29Z')],
    ['ISO with Z', '2012-06-01T18:45:40Z', undefined, ms('2012-06-01T18:45:40Z')],
    ['epoch seconds in date', 1332856753, undefined, ms('2012-03-27T13:59:13Z')],
    ['epoch seconds as text in date', '1332856753', undefined, ms('2012-03-27T13:59:13Z')],
    ['date_unix only, a number', undefined, 1332856753, ms('2012-03-27T13:59:13Z')],
    ['date_unix only, a string', undefined, '1332856753', ms('2012-03-27T13:59:13Z')],
    ['an empty date, date_unix', '', 1332856753, ms('2012-03-27T13:59:13Z')],
    ['a date without offset loses to date_unix', '2012-03-27 T 07:59:13', 1332856753, ms('2012-03-27T13:59:13Z')],
    ['a date without offset alone is read as UTC', '2012-03-27 T 07:59:13', undefined, ms('2012-03-27T07:59:13Z')],
    ['an unreadable date, date_unix', 'last Tuesday', 1332856753, ms('2012-03-27T13:59:13Z')],
  ];
  it.each(dates)('places a campaign by %s', (_name, date, unix, expected) => {
    const row = oneRow(campaignRows({ ...listItem, date, date_unix: unix }, null, at));
    expect(row.sent_at).toBe(expected);
  });

  it.each(dates)('places a preview by %s', (_name, date, unix, expected) => {
    const item = { ...parse<Json[]>(previewListJson)[0]!, date, date_unix: unix };
    expect(oneRow(previewRows(item, null, at)).requested_at).toBe(expected);
  });

  it('keeps an unreadable date or a shadowed one in extra', () => {
    const unreadable = oneRow(campaignRows({ ...listItem, date: 'last Tuesday' }, null, at));
    expect(extraOf(unreadable)).toEqual({ date: 'last Tuesday' });
    const noOffset = oneRow(campaignRows({ ...listItem, date: '2012-01-07 T 12:02:41' }, null, at));
    expect([noOffset.sent_at, extraOf(noOffset)]).toEqual([sentAt, { date: '2012-01-07 T 12:02:41' }]);
    // Agreeing values (here to the second) leave nothing behind.
    expect(oneRow(campaignRows(listItem, null, at)).extra).toBeNull();
  });

  it('reads collected times of both styles, and epochs as numbers and strings', () => {
    const base = parse<Json[]>(emailListJson)[0]!;
    const items = [
      { ...base, time_collected: '2011-09-05 T 00:01:29-06:00', time_collected_unix: undefined },
      { ...base, time_collected: undefined, time_collected_unix: '1315202489' },
      { ...base, time_collected: '2011-09-05 T 00:01:29', time_collected_unix: 1315202489 },
    ];
    const rows = rowsOf(seedRows(1, sentAt, items, at));
    expect(rows.map((r) => r.collected_at)).toEqual(Array(3).fill(ms('2011-09-05T06:01:29Z')));
  });
});

describe('sendsage messages and campaigns in context', () => {
  it("places a message by its campaign's send time, keeping a disagreeing campaign_id of the body in extra", () => {
    const message = parse(messageJson);
    const row = oneRow(messageRow(1234, sentAt, message, at));
    expect([row.campaign_id, row.sent_at]).toEqual([1234, sentAt]);
    expect(extraOf(row)).toEqual({ time_collected_unix: 1339773180, campaign_id: 716 });
    expect(oneRow(messageRow(null, sentAt, message, at)).campaign_id).toBe(716);
  });

  it('leaves the seed totals null when an ISP lacks a count, rather than understate them', () => {
    const info = parse(getInfoJson);
    const isps = info.isp_stats as Json[];
    const partial = { ...info, isp_stats: [isps[0], { ...isps[1], count_total: '' }] };
    expect(oneRow(campaignRows(listItem, partial, at))).toMatchObject({ seeds_total: null, seeds_inbox: 20 });
  });
});

describe('sendsage quarantine', () => {
  const noDate: [string, Json, RegExp][] = [
    [
      'no date fields',
      { date: undefined, date_unix: undefined },
      /^sent_at: no usable date or date_unix \(none present\)$/,
    ],
    ['empty dates', { date: '', date_unix: null }, /\(none present\)/],
    ['unreadable dates', { date: 'soon', date_unix: 0 }, /sent_at: .*unusable: date "soon", date_unix 0/],
    ['an impossible date', { date: '2012-02-31 T 00:00:00-0600', date_unix: undefined }, /date "2012-02-31 T/],
  ];
  it.each(noDate)('quarantines a campaign with %s, naming the field', (_name, fields, reason) => {
    const item = { ...listItem, ...fields };
    const info = parse(getInfoJson);
    const m = campaignRows(item, info, at);
    expect(m.rows).toEqual([]);
    expect(m.quarantine).toEqual([{ reason: expect.stringMatching(reason), raw: { list_item: item, info } }]);
  });

  it('names both fields when neither the id nor the date is usable', () => {
    const m = campaignRows({ subject: 'x' }, null, at);
    expect(m.quarantine[0]!.reason).toBe('campaign_id: missing; sent_at: no usable date or date_unix (none present)');
  });

  it('quarantines a preview without a usable date', () => {
    const item = { ...parse<Json[]>(previewListJson)[0]!, date: null, date_unix: 'x' };
    const m = previewRows(item, parse(previewInfoJson), at);
    expect(m.rows).toEqual([]);
    expect(m.quarantine[0]!.reason).toBe('requested_at: no usable date or date_unix (unusable: date_unix "x")');
  });

  it('quarantines every child record of a campaign that has no send date, never dropping one', () => {
    const info = parse(getInfoJson);
    const isp = ispRows(1234, null, info, at);
    expect([isp.rows.length, isp.quarantine.length]).toEqual([0, 3]);
    expect(isp.quarantine[2]).toEqual({
      reason: 'isp_stats[2]: sent_at: campaign 1234 has no usable send date',
      raw: (info.isp_stats as unknown[])[2],
    });
    expect(ruleRows(1234, null, info, at).quarantine).toHaveLength(2);
    expect(seedRows(null, null, parse(emailListJson), at).quarantine[0]!.reason).toBe(
      'email_list[0]: campaign_id: the campaign has no usable id; sent_at: campaign (unknown) has no usable send date',
    );
    const message = parse(messageJson);
    expect(messageRow(716, null, message, at)).toEqual({
      rows: [],
      quarantine: [{ reason: 'message 143422950: sent_at: campaign 716 has no usable send date', raw: message }],
    });
  });

  it('quarantines records that are not objects, and keeps the rest', () => {
    const m = ispRows(1, sentAt, { isp_stats: [null, { name: 'AOL', count_total: '3' }, 'AOL'] }, at);
    expect(m.rows.map((r) => r.count_total)).toEqual([3]);
    expect(m.quarantine.map((q) => q.reason)).toEqual([
      'isp_stats[0]: expected an object, got null',
      'isp_stats[2]: expected an object, got string',
    ]);
    expect(seedlistRows({ seeds: ['a@b.c', 7, ''] }, at, at).quarantine.map((q) => q.reason)).toEqual([
      'seeds[1]: expected an address, got 7',
      'seeds[2]: expected an address, got ""',
    ]);
    expect(seedlistRows({}, at, at).quarantine[0]!.reason).toBe('seeds: missing');
    expect(campaignRows('oops', null, at).quarantine[0]!.reason).toBe('list item: expected an object, got string');
  });

  it('quarantines bodies that answer success 0, with the API error', () => {
    const failed = { success: 0, error: 'Invalid campaign_id' };
    expect(campaignRows(listItem, failed, at).quarantine[0]!.reason).toBe(
      'delivery_test_get_info: the API answered success 0: Invalid campaign_id',
    );
    expect(messageRow(1, sentAt, { Success: '0', Error: 'No such message' }, at).quarantine[0]!.reason).toBe(
      'delivery_message_get: the API answered success 0: No such message',
    );
    expect(seedlistRows(failed, at, at).quarantine).toHaveLength(1);
  });
});

describe('sendsage envelope and status', () => {
  const bodies: [string, unknown, string | null][] = [
    ['success 0 with error', { success: 0, error: 'Invalid login' }, 'Invalid login'],
    ['success "0"', { success: '0', error: 'Invalid login' }, 'Invalid login'],
    ['success false, re-cased', { SUCCESS: false, Error: 'x' }, 'x'],
    ['success 0 without error', { success: 0 }, 'success 0'],
    ['an unreadable success', { success: 'maybe' }, 'success "maybe"'],
    ['success 1', { success: 1, from_address: 'a@b.c' }, null],
    ['success "1"', { success: '1' }, null],
    ['no envelope (a list)', [], null],
    ['no envelope (the seedlist)', { seeds: [] }, null],
  ];
  it.each(bodies)('reads %s', (_name, body, error) => {
    expect(apiFailure(body)).toBe(error);
  });

  const statuses: [string, Json, string | null][] = [
    ['done', {}, 'done'],
    ['pending', { _status: 'pending' }, 'pending'],
    ['Pending, upper-cased', { _status: 'Pending' }, 'pending'],
    ['absent', { _status: undefined }, null],
  ];
  it.each(statuses)('reads a %s _status', (_name, fields, status) => {
    const info = parse(getInfoJson);
    const pending = { ...info, spamassassin: { ...(info.spamassassin as Json), ...fields } };
    expect(oneRow(campaignRows(listItem, pending, at)).status).toBe(status);
    expect(campaignStatus(pending)).toBe(status);
  });

  it('reads a running test: top-level _status, empty PHP arrays, no counts yet', () => {
    const running = { success: 1, pct_inbox: '0', isp_stats: [], spamassassin: [], _status: 'pending' };
    const row = oneRow(campaignRows(listItem, running, at));
    expect(row).toMatchObject({ status: 'pending', pct_inbox: 0, seeds_total: null, spam_result: null, extra: null });
    expect(rowsOf(ispRows(1234, sentAt, running, at))).toEqual([]);
    expect(rowsOf(ruleRows(1234, sentAt, running, at))).toEqual([]);
  });

  it.each([
    ['Yes', true],
    ['yes', true],
    ['No', false],
    ['1', true],
    [false, false],
  ])('reads spamassassin result %j as %j', (result, expected) => {
    const info = parse(getInfoJson);
    const body = { ...info, spamassassin: { ...(info.spamassassin as Json), result } };
    expect(oneRow(campaignRows(listItem, body, at)).spam_result).toBe(expected);
  });
});

const msg = (...headers: string[]) => `${headers.join('\n')}\n\nbody\n`;

describe('parseAuthentication', () => {
  const cases: [string, string, Partial<Record<'spf' | 'dkim' | 'dmarc' | 'domainkeys', string | null>>][] = [
    [
      'all pass, folded over lines',
      msg(
        'Authentication-Results: mx.google.com;',
        '       dkim=pass header.i=@example.com header.s=s1 header.b=abc;',
        '       spf=pass (google.com: domain of b@example.com designates 1.2.3.4 as permitted sender) smtp.mailfrom=b@example.com;',
        '       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com',
      ),
      { spf: 'pass', dkim: 'pass', dmarc: 'pass', domainkeys: null },
    ],
    [
      'fail, folded with tabs',
      msg(
        'Authentication-Results: mx.example.net;\n\tspf=fail smtp.mailfrom=x@y.z;\n\tdkim=fail (bad sig) header.d=y.z;\n\tdmarc=fail (p=REJECT) header.from=y.z',
      ),
      { spf: 'fail', dkim: 'fail', dmarc: 'fail' },
    ],
    [
      'softfail',
      msg(
        'Authentication-Results: mx.example.net; spf=softfail (transitioning) smtp.mailfrom=x@y.z; dkim=none; dmarc=none',
      ),
      { spf: 'softfail', dkim: 'none', dmarc: 'none' },
    ],
    [
      'none (message not signed)',
      msg(
        'Authentication-Results: mx.example.net; spf=none smtp.mailfrom=y.z; dkim=none (message not signed); dmarc=none',
      ),
      { spf: 'none', dkim: 'none', dmarc: 'none' },
    ],
    [
      "Yahoo's dkim=pass (ok) and domainkeys=pass, SPF from Received-SPF",
      msg(
        'Received-SPF: pass (domain of example.com designates 14.17.34.24 as permitted sender)',
        'Authentication-Results: mta1067.mail.sk1.yahoo.com  from=example.com; domainkeys=pass (ok);  from=example.com; dkim=pass (ok)',
      ),
      { spf: 'pass', dkim: 'pass', dmarc: null, domainkeys: 'pass' },
    ],
    [
      'domainkeys alone is not dkim',
      msg('Authentication-Results: mta1.yahoo.com  from=example.com; domainkeys=neutral (no sig)'),
      { dkim: null, domainkeys: 'neutral' },
    ],
    [
      'several DKIM signatures: one pass is enough',
      msg('Authentication-Results: mx.isp.net; dkim=fail header.d=esp.net; dkim=pass header.d=example.com; spf=pass'),
      { dkim: 'pass', spf: 'pass' },
    ],
    [
      'several DKIM results without a pass: the first',
      msg('Authentication-Results: mx.isp.net; dkim=temperror header.d=a.net; dkim=fail header.d=b.net'),
      { dkim: 'temperror' },
    ],
    [
      'several headers of the ISP: the topmost reporting each method',
      msg(
        'Authentication-Results: mx1.isp.net; spf=fail smtp.mailfrom=x@y.z',
        'Authentication-Results: filter.isp.net; spf=pass; dkim=pass header.d=y.z',
      ),
      { spf: 'fail', dkim: 'pass' },
    ],
    [
      "a sender's own Authentication-Results below the ISP's is not trusted",
      msg(
        'Authentication-Results: mx.isp.net; spf=softfail smtp.mailfrom=x@y.z',
        'Authentication-Results: relay.sender.example; spf=pass; dkim=pass; dmarc=pass',
      ),
      { spf: 'softfail', dkim: null, dmarc: null },
    ],
    [
      'Authentication-Results before Received-SPF',
      msg('Received-SPF: pass (sender ok)', 'Authentication-Results: mx.isp.net; spf=fail smtp.mailfrom=x@y.z'),
      { spf: 'fail' },
    ],
    [
      'Received-SPF only, capitalised',
      msg('Received-SPF: SoftFail (mailfrom) identity=mailfrom; client-ip=192.0.2.1'),
      { spf: 'softfail', dkim: null },
    ],
    [
      'Received-SPF neutral',
      msg('Received-SPF: neutral (google.com: 1.2.3.4 is neither permitted nor denied)'),
      { spf: 'neutral' },
    ],
    [
      'results inside comments and quoted strings do not count',
      msg('Authentication-Results: mx.isp.net; dkim=fail (a (nested) dkim=pass) header.b="dkim=pass"; spf=none'),
      { dkim: 'fail', spf: 'none' },
    ],
    [
      'header names in any case, results lower-cased',
      msg('AUTHENTICATION-RESULTS: mx.isp.net; SPF=PASS smtp.mailfrom=a@b.c; DKIM=Pass; DMARC=bestguesspass'),
      { spf: 'pass', dkim: 'pass', dmarc: 'bestguesspass' },
    ],
    [
      'ARC-Authentication-Results is not Authentication-Results',
      msg('ARC-Authentication-Results: i=1; mx.isp.net; spf=pass; dkim=pass; dmarc=pass'),
      { spf: null, dkim: null, dmarc: null },
    ],
    [
      'CRLF line endings',
      'Authentication-Results: mx.isp.net;\r\n  spf=pass;\r\n  dkim=fail\r\nSubject: x\r\n\r\nbody',
      { spf: 'pass', dkim: 'fail' },
    ],
    [
      'no authentication headers',
      msg('Subject: hi', 'From: a@b.c'),
      { spf: null, dkim: null, dmarc: null, domainkeys: null },
    ],
  ];
  it.each(cases)('%s', (_name, content, expected) => {
    expect(parseAuthentication(content)).toMatchObject(expected);
  });

  it('keeps the unfolded values, one header per line, and null when there are none', () => {
    const parsed = parseAuthentication(
      msg(
        'Authentication-Results: mx1.isp.net;',
        '\tspf=pass',
        'Received-SPF: pass (a)',
        'Authentication-Results: mx2.isp.net; dkim=pass',
        'Received-SPF: fail (b)',
      ),
    );
    expect(parsed.authenticationResults).toBe('mx1.isp.net; spf=pass\nmx2.isp.net; dkim=pass');
    expect(parsed.receivedSpf).toBe('pass (a)\nfail (b)');
    const none = parseAuthentication(msg('Subject: hi'));
    expect([none.authenticationResults, none.receivedSpf]).toEqual([null, null]);
  });

  it('splits headers from the body at the first blank line', () => {
    expect(parseAuthentication('Subject: a\nX-B: c\n\nline 1\n\nline 2')).toMatchObject({
      headers: 'Subject: a\nX-B: c',
      body: 'line 1\n\nline 2',
      contentBytes: 33,
    });
    expect(parseAuthentication('Subject: a\r\n\r\nhi')).toMatchObject({ headers: 'Subject: a', body: 'hi' });
    expect(parseAuthentication('Subject: no body')).toMatchObject({ headers: 'Subject: no body', body: null });
    expect(parseAuthentication('\nonly a body')).toMatchObject({ headers: '', body: 'only a body' });
  });

  it('gives nulls for a message without content', () => {
    expect(parseAuthentication(null)).toEqual({
      spf: null,
      dkim: null,
      dmarc: null,
      domainkeys: null,
      authenticationResults: null,
      receivedSpf: null,
      headers: null,
      body: null,
      contentBytes: null,
    });
    const body = { ...parse(messageJson), content: undefined };
    expect(oneRow(messageRow(716, sentAt, body, at))).toMatchObject({ headers: null, body: null, content_bytes: null });
  });
});

describe('body cap', () => {
  const marker = /…\[truncated (\d+) bytes\]$/;
  const bodies: [string, string][] = [
    ['ASCII, 70,000 bytes', 'a'.repeat(70_000)],
    ['two-byte characters, 80,000 bytes', 'é'.repeat(40_000)],
    ['four-byte characters around the cut', `${'x'.repeat(65_500)}${'😀'.repeat(100)}`],
    ['ten times the cap', 'b'.repeat(bodyCapBytes * 10)],
  ];
  it.each(bodies)('caps %s at 64 KiB with a marker naming the bytes cut', (_name, text) => {
    const capped = capUtf8(text);
    const total = Buffer.byteLength(text);
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(bodyCapBytes);
    const cut = Number(marker.exec(capped)?.[1]);
    const kept = capped.replace(marker, '');
    expect(Buffer.byteLength(kept) + cut).toBe(total);
    expect(text.startsWith(kept)).toBe(true);
    expect(kept).not.toContain('\uFFFD');
    // Nothing larger fits: the kept part ends within a character of the limit.
    expect(bodyCapBytes - Buffer.byteLength(capped)).toBeLessThan(4);
  });

  it('leaves a body of exactly 64 KiB alone', () => {
    const text = 'c'.repeat(bodyCapBytes);
    expect(capUtf8(text)).toBe(text);
  });

  it('caps the body column but counts the whole content', () => {
    const message = { ...parse(messageJson), content: `Subject: big\n\n${'z'.repeat(100_000)}` };
    const row = oneRow(messageRow(716, sentAt, message, at));
    expect(row.content_bytes).toBe(100_014);
    expect(String(row.body)).toMatch(/^z+…\[truncated \d+ bytes\]$/);
    expect(Buffer.byteLength(String(row.body))).toBeLessThanOrEqual(bodyCapBytes);
    expect(row.headers).toBe('Subject: big');
  });
});
