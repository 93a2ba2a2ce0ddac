import { column, defineTable, provenanceColumns, type TableDef } from '../../lake/table';
import { bounceRollups, socketlabsPartitionKeys, socketlabsSnapshotPartitionKeys } from '../socketlabs-common/tables';

export const socketlabsMessages = defineTable({
  name: 'socketlabs_messages',
  description:
    'Message status events from the v2 Reporting API (message detail, JSON or CSV): one row per status event, so ' +
    'a message usually has several rows (queued, then delivered or failed, then opens and clicks).',
  partitionKeys: socketlabsPartitionKeys,
  timeColumn: 'event_time',
  rollups: [{ name: 'totals', dimensions: ['event_type', 'failure_type_name', 'complaint_type'] }, ...bounceRollups],
  columns: [
    column(
      'event_time',
      'timestamp',
      'When the status was reached (UTC): statusDate (webhook DateTime); queuedTime only when neither is usable.',
      false,
    ),
    column(
      'event_type',
      'string',
      'queued | delivered | failed | deferred | suppressed | complaint | open | click | unsubscribe | other ' +
        '(normalised from status).',
      false,
    ),
    column('status', 'string', 'Status (or webhook Type) as sent, e.g. Delivered.'),
    column('message_id', 'string', 'X-xsMessageId header value; null when the message had none.'),
    column('mailing_id', 'string', 'X-xsMailingId header value; null when the message had none.'),
    column('to_address', 'string', 'Recipient address.'),
    column('recipient_domain', 'string', 'Lower-cased domain of the recipient address.'),
    column('from_address', 'string', 'Sender address.'),
    column('subject', 'string', 'Subject line as sent.'),
    column('queued_time', 'timestamp', 'When the message entered the SocketLabs queue (UTC).'),
    column('delivery_time', 'timestamp', "When the recipient's server accepted the message (UTC)."),
    column(
      'failure_type',
      'int32',
      '0 soft/temporary, 1 hard/permanent, 2 suppressed (v1 numbering; names converted).',
    ),
    column('failure_type_name', 'string', 'soft | hard | suppressed (null for no or an undocumented failure_type).'),
    column('failure_code', 'int32', 'SocketLabs failure code (see the v1 guide appendix).'),
    column(
      'failure_category',
      'string',
      'Family of the failure code: rejected, invalid_address, temporary, system, informational, unknown.',
    ),
    column('bounce_status', 'string', 'Enhanced status code of the failure, e.g. 5.1.1, as sent.'),
    column('reason', 'string', "The receiving server's answer or SocketLabs' reason text, as sent."),
    column('remote_mta', 'string', "The recipient's mail server SocketLabs talked to."),
    column('complaint_type', 'string', 'Feedback-loop type of a complaint, lower-cased (abuse, fraud, ...).'),
    column('url', 'string', 'Clicked URL; null for other events.'),
    column(
      'ip_address',
      'string',
      'IP address as sent: the sending IP for deliveries and failures, the client IP for opens and clicks.',
    ),
    column('user_agent', 'string', 'User agent of an open or click, or the feedback-loop agent of a complaint.'),
    column('message_size', 'int64', 'Message size in bytes.'),
    ...provenanceColumns,
  ],
});

export const socketlabsSuppressions = defineTable({
  name: 'socketlabs_suppressions',
  description: 'The suppression list of a server, one full snapshot per server per collection day (v2).',
  partitionKeys: socketlabsSnapshotPartitionKeys,
  timeColumn: 'snapshot_time',
  // Each snapshot repeats the whole list, so per-window counts would be levels, not flows: summing them over days
  // (what rollups are for) would count every address once per snapshot. The list is small enough to query directly.
  rollups: [],
  columns: [
    column('snapshot_time', 'timestamp', 'When the list was read (UTC).', false),
    column('email_address', 'string', 'Suppressed address as sent.'),
    column('recipient_domain', 'string', 'Lower-cased domain of the suppressed address.'),
    column('last_updated', 'timestamp', 'When the entry was last added or changed (UTC).'),
    column('reason', 'string', 'Why the address is suppressed, as sent.'),
    column('source', 'string', 'What suppressed it, as sent: Bounce, Complaint, Unsubscribe, Manual, Api, ...'),
    ...provenanceColumns,
  ],
});

/** Every table the v2 source writes, in the order the README lists them. */
export const socketlabsV2Tables: readonly TableDef[] = [socketlabsMessages, socketlabsSuppressions];
