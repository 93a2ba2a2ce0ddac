import { column, defineTable, type PartitionKey, provenanceColumns, type TableDef } from '../../lake/table';

/**
 * SendSage Monitor tables. SendSage is one account, so the only partition is the day; a campaign and everything
 * measured about it (ISP results, seeds, rules, messages) land under the day it was sent, so one campaign's rows are
 * always read together whatever day the seeds were collected.
 */
const campaignDay: readonly PartitionKey[] = [
  { name: 'dt', type: 'date', description: "UTC date of the campaign's send time (YYYY-MM-DD)." },
];

const previewDay: readonly PartitionKey[] = [
  { name: 'dt', type: 'date', description: 'UTC date the preview was requested (YYYY-MM-DD).' },
];

const snapshotDay: readonly PartitionKey[] = [
  { name: 'dt', type: 'date', description: 'UTC date of the snapshot (YYYY-MM-DD).' },
];

const campaignId = column('campaign_id', 'int64', 'SendSage internal campaign id.', false);
const sentAt = column(
  'sent_at',
  'timestamp',
  'When the campaign was sent (UTC): the list date, or date_unix when the date has no offset or is unusable.',
  false,
);
const fromAddress = column('from_address', 'string', 'Sender address as sent.');
const subject = column('subject', 'string', 'Subject line as sent.');
const location = column('location', 'string', 'Where the seed copy landed, lower-cased: inbox | bulk | missing.');
const duplicate = column('duplicate', 'boolean', 'Whether the seed received the message twice or more.');
const collectedAt = column(
  'collected_at',
  'timestamp',
  'When SendSage retrieved the message from the ISP (UTC): time_collected, or time_collected_unix without an offset.',
);
const pct = (name: string, what: string) =>
  column(name, 'double', `Percentage (0–100, not a fraction) of the seeds that ${what}.`);

export const sendsageCampaigns = defineTable({
  name: 'sendsage_campaigns',
  description:
    'Inbox-placement tests (delivery_test_list joined with delivery_test_get_info or the legacy campaignGetStats): ' +
    'one row per campaign, overwritten while the test is still running.',
  partitionKeys: campaignDay,
  timeColumn: 'sent_at',
  rollups: [{ name: 'totals', dimensions: ['from_domain', 'spam_result', 'status'] }],
  columns: [
    campaignId,
    sentAt,
    fromAddress,
    column('from_name', 'string', 'Display name of the From header.'),
    column('from_domain', 'string', 'Domain of the sender address, lower-cased.'),
    subject,
    column(
      'customer_defined_campaign_id',
      'string',
      'Your X-CampaignID header value (customerid in campaignGetStats); not unique.',
    ),
    pct('pct_inbox', 'reached the inbox'),
    pct('pct_bulk', 'reached the bulk folder'),
    pct('pct_missing', 'never arrived'),
    column('spam_score', 'double', 'SpamAssassin score; lower is more likely to reach the inbox.'),
    column('spam_required', 'double', "SpamAssassin's spam threshold for this installation."),
    column('spam_result', 'boolean', 'Whether SpamAssassin called the message spam (Yes → true).'),
    column('spamassassin_version', 'string', 'SpamAssassin version and host, as sent.'),
    column('spam_message_id', 'int64', 'SendSage id of the message SpamAssassin scanned.'),
    column('spam_processed_at', 'timestamp', 'When SpamAssassin received the message (UTC).'),
    column(
      'status',
      'string',
      'Test status, lower-cased (_status): done when complete; anything else (e.g. pending) means still running.',
    ),
    column(
      'seeds_total',
      'int32',
      'Seeds the test was sent to: sum of the ISP count_total; null when there is no ISP data or an ISP lacks it.',
    ),
    column('seeds_inbox', 'int32', 'Sum of the ISP count_inbox (null as for seeds_total).'),
    column('seeds_bulk', 'int32', 'Sum of the ISP count_bulk (null as for seeds_total).'),
    column('seeds_missing', 'int32', 'Sum of the ISP count_missing (null as for seeds_total).'),
    ...provenanceColumns,
  ],
});

export const sendsageIspResults = defineTable({
  name: 'sendsage_isp_results',
  description:
    'Per-ISP placement of each campaign (isp_stats of delivery_test_get_info): one row per campaign and ISP.',
  partitionKeys: campaignDay,
  timeColumn: 'sent_at',
  // Placement lives in the count_* values, which a row-counting rollup cannot sum; counting rows would only count
  // campaign × ISP pairs. sendsage_seed_results carries the per-seed placement rollup instead.
  rollups: [],
  columns: [
    campaignId,
    sentAt,
    column('isp_name', 'string', 'ISP (test account host) name, e.g. AOL 2.'),
    column('isp_domain', 'string', 'Domain of the test accounts, lower-cased.'),
    column('category', 'string', 'SendSage ISP category, e.g. Global, US.'),
    column('count_inbox', 'int32', 'Seed copies that reached the inbox.'),
    column('count_bulk', 'int32', 'Seed copies that reached the bulk folder.'),
    column('count_missing', 'int32', 'Seed copies that never arrived.'),
    column('count_duplicate', 'int32', 'Seeds that received the message twice or more.'),
    column('count_total', 'int32', 'Seed copies sent to this ISP.'),
    pct('pct_inbox', 'reached the inbox'),
    pct('pct_bulk', 'reached the bulk folder'),
    pct('pct_missing', 'never arrived'),
    ...provenanceColumns,
  ],
});

export const sendsageSeedResults = defineTable({
  name: 'sendsage_seed_results',
  description: 'Where each seed copy of a campaign landed (delivery_test_get_email_list): one row per seed address.',
  partitionKeys: campaignDay,
  timeColumn: 'sent_at',
  rollups: [{ name: 'totals', dimensions: ['isp', 'location'] }],
  columns: [
    campaignId,
    sentAt,
    column('message_id', 'int64', 'SendSage message id (for delivery_message_get); not the Message-ID header.'),
    column('isp', 'string', 'ISP hosting the seed, e.g. Yahoo.'),
    column('address', 'string', 'Seed address.'),
    column('username', 'string', 'Local part of the seed address.'),
    column('domain', 'string', 'Domain of the seed address, lower-cased.'),
    fromAddress,
    subject,
    location,
    duplicate,
    collectedAt,
    ...provenanceColumns,
  ],
});

export const sendsageSpamRules = defineTable({
  name: 'sendsage_spam_rules',
  description: 'SpamAssassin rules each campaign matched (spamassassin.rules_matched): one row per rule.',
  partitionKeys: campaignDay,
  timeColumn: 'sent_at',
  rollups: [{ name: 'totals', dimensions: ['rule'] }],
  columns: [
    campaignId,
    sentAt,
    column('area', 'string', 'Rule area without the trailing colon, e.g. RBL.'),
    column('rule', 'string', 'Rule name, e.g. RCVD_IN_RP_SAFE.'),
    column('score', 'double', 'Points the rule added (negative: towards the inbox).'),
    column('description', 'string', 'Rule description, as sent.'),
    ...provenanceColumns,
  ],
});

export const sendsagePreviews = defineTable({
  name: 'sendsage_previews',
  description:
    'Rendering tests (preview_list joined with preview_get_info): one row per application and view; a preview ' +
    'without applications yet has one row with application and view null.',
  partitionKeys: previewDay,
  timeColumn: 'requested_at',
  rollups: [{ name: 'totals', dimensions: ['platform', 'view', 'status'] }],
  columns: [
    column('preview_id', 'int64', 'SendSage preview id.', false),
    column(
      'requested_at',
      'timestamp',
      'When the preview was requested (UTC): the list date, or date_unix when the date has no offset or is unusable.',
      false,
    ),
    subject,
    fromAddress,
    column('from_name', 'string', 'Display name of the From header.'),
    column('from_domain', 'string', 'Domain of the sender address, lower-cased.'),
    column('application', 'string', 'Application key, e.g. ol2000 or ffyahoo.'),
    column('platform', 'string', 'Desktop, Web-based or Mobile devices, as sent.'),
    column('name', 'string', 'Long application name, as sent.'),
    column(
      'view',
      'string',
      'thumbnail | images_on | images_off | preview_images_on | preview_images_off (lower-cased as sent).',
    ),
    column('url', 'string', 'Image URL; null until generated.'),
    column('status', 'string', 'Image status, lower-cased: done, not available, ...'),
    ...provenanceColumns,
  ],
});

export const sendsageMessages = defineTable({
  name: 'sendsage_messages',
  description:
    'Seed copies of a campaign with headers and content (delivery_message_get), and the SPF, DKIM and DMARC ' +
    'results the receiving ISP recorded.',
  partitionKeys: campaignDay,
  timeColumn: 'sent_at',
  rollups: [{ name: 'totals', dimensions: ['location', 'spf', 'dkim', 'dmarc'] }],
  columns: [
    column('message_id', 'int64', 'SendSage message id; not the Message-ID header.'),
    campaignId,
    sentAt,
    column('seed_id', 'int64', 'SendSage id of the seed address.'),
    location,
    duplicate,
    collectedAt,
    fromAddress,
    column('from_name', 'string', 'Display name of the From header.'),
    subject,
    column(
      'spf',
      'string',
      'SPF result, lower-cased (pass | fail | softfail | neutral | none | temperror | permerror | ...): from the ' +
        "receiving ISP's Authentication-Results (see authentication_results), else the topmost Received-SPF.",
    ),
    column(
      'dkim',
      'string',
      "DKIM result, lower-cased, from the receiving ISP's Authentication-Results; pass if any signature passed. " +
        'DomainKeys results are not DKIM (see domainkeys).',
    ),
    column('dmarc', 'string', "DMARC result, lower-cased, from the receiving ISP's Authentication-Results."),
    column(
      'domainkeys',
      'string',
      "Legacy DomainKeys result, lower-cased, from the receiving ISP's Authentication-Results (Yahoo reports it).",
    ),
    column(
      'authentication_results',
      'string',
      'Every Authentication-Results value, unfolded, one per line, topmost first. Results are read from the topmost ' +
        "header that reports a method, among those of the topmost header's organisation (a sender can add its own).",
    ),
    column('received_spf', 'string', 'Every Received-SPF header value, unfolded, one per line, topmost first.'),
    column('headers', 'string', 'The whole header block as sent (folded lines kept).'),
    column(
      'body',
      'string',
      'Content after the first blank line, at most 64 KiB (UTF-8) including a closing …[truncated N bytes] marker.',
    ),
    column('content_bytes', 'int64', 'UTF-8 size of the whole content (headers and body) before any truncation.'),
    ...provenanceColumns,
  ],
});

export const sendsageSeedlist = defineTable({
  name: 'sendsage_seedlist',
  description: 'The seed addresses to send campaigns to (delivery_seedlist_get), one full snapshot per collection day.',
  partitionKeys: snapshotDay,
  timeColumn: 'snapshot_time',
  // Each snapshot repeats the whole list, so per-window counts would be levels, not flows; the list is small.
  rollups: [],
  columns: [
    column('snapshot_time', 'timestamp', 'When the list was read (UTC).', false),
    column('address', 'string', 'Seed address as sent.'),
    column('domain', 'string', 'Domain of the seed address, lower-cased.'),
    ...provenanceColumns,
  ],
});

/** Every table the SendSage source writes, in the order the README lists them. */
export const sendsageTables: readonly TableDef[] = [
  sendsageCampaigns,
  sendsageIspResults,
  sendsageSeedResults,
  sendsageSpamRules,
  sendsagePreviews,
  sendsageMessages,
  sendsageSeedlist,
];
