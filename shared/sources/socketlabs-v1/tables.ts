import { column, defineTable, provenanceColumns, type TableDef } from '../../lake/table';
import { bounceRollups, socketlabsPartitionKeys, socketlabsSnapshotPartitionKeys } from '../socketlabs-common/tables';

const eventTime = column(
  'event_time',
  'timestamp',
  'When the event happened (UTC; offsets in the API answer are converted).',
  false,
);
const messageId = column('message_id', 'string', 'X-xsMessageId header value; null when the message had none.');
const mailingId = column('mailing_id', 'string', 'X-xsMailingId header value; null when the message had none.');
const fromAddress = column('from_address', 'string', 'Sender address.');
const recipientDomain = column('recipient_domain', 'string', 'Lower-cased domain of the recipient address.');
const toAddress = column('to_address', 'string', 'Recipient address.');
const messageSize = column('message_size', 'int64', 'Message size in bytes.');

export const socketlabsFailed = defineTable({
  name: 'socketlabs_failed',
  description: 'Messages that failed: synchronous failures and asynchronous bounces (v1 messagesFailed).',
  partitionKeys: socketlabsPartitionKeys,
  timeColumn: 'event_time',
  rollups: [{ name: 'totals', dimensions: ['failure_type_name'] }, ...bounceRollups],
  columns: [
    eventTime,
    messageId,
    mailingId,
    toAddress,
    recipientDomain,
    fromAddress,
    column('failure_type', 'int32', '0 soft/temporary, 1 hard/permanent, 2 suppressed.'),
    column('failure_type_name', 'string', 'soft | hard | suppressed (null for an undocumented failure_type).'),
    column('failure_code', 'int32', 'SocketLabs failure code (see the guide appendix).'),
    column(
      'failure_category',
      'string',
      'Family of the failure code: rejected, invalid_address, temporary, system, informational, unknown.',
    ),
    column('reason', 'string', "The receiving server's answer or SocketLabs' reason text, as sent."),
    ...provenanceColumns,
  ],
});

export const socketlabsQueued = defineTable({
  name: 'socketlabs_queued',
  description: 'Messages that entered the SocketLabs queue (v1 messagesQueued).',
  partitionKeys: socketlabsPartitionKeys,
  timeColumn: 'event_time',
  rollups: [{ name: 'totals', dimensions: [] }],
  columns: [
    eventTime,
    messageId,
    mailingId,
    toAddress,
    recipientDomain,
    fromAddress,
    messageSize,
    ...provenanceColumns,
  ],
});

export const socketlabsProcessed = defineTable({
  name: 'socketlabs_processed',
  description: "Messages accepted by the recipient's mail server (v1 messagesProcessed).",
  partitionKeys: socketlabsPartitionKeys,
  timeColumn: 'event_time',
  rollups: [{ name: 'totals', dimensions: [] }],
  columns: [
    eventTime,
    messageId,
    mailingId,
    toAddress,
    recipientDomain,
    fromAddress,
    messageSize,
    column('disposition', 'int32', 'Disposition code as sent by the API.'),
    column('local_ip', 'string', 'SocketLabs IP address the message was sent from.'),
    column('response', 'string', "The receiving server's SMTP answer, as sent (may contain the literal {CRLF})."),
    ...provenanceColumns,
  ],
});

export const socketlabsComplaints = defineTable({
  name: 'socketlabs_complaints',
  description: 'Feedback-loop reports, mostly spam complaints (v1 messagesFblReported).',
  partitionKeys: socketlabsPartitionKeys,
  timeColumn: 'event_time',
  rollups: [{ name: 'totals', dimensions: ['complaint_type'] }],
  columns: [
    eventTime,
    messageId,
    mailingId,
    column('original_recipient', 'string', 'The recipient who complained.'),
    recipientDomain,
    fromAddress,
    column('complaint_type', 'string', 'abuse | dkim | fraud | virus | other (lower-cased as sent).'),
    column('user_agent', 'string', 'The reporting feedback-loop agent, e.g. Hotmail.'),
    ...provenanceColumns,
  ],
});

export const socketlabsEngagement = defineTable({
  name: 'socketlabs_engagement',
  description: 'Open and click events (v1 messagesOpenClick).',
  partitionKeys: socketlabsPartitionKeys,
  timeColumn: 'event_time',
  rollups: [{ name: 'totals', dimensions: ['event_type_name'] }],
  columns: [
    eventTime,
    messageId,
    mailingId,
    column('original_recipient', 'string', 'The recipient who opened or clicked.'),
    recipientDomain,
    column('event_type', 'int32', 'As sent: 0 click, 1 open.'),
    column('event_type_name', 'string', 'click | open (null for an undocumented event_type).'),
    column('url', 'string', 'Clicked URL; null for opens.'),
    column('remote_ip', 'string', 'IP address the event came from.'),
    ...provenanceColumns,
  ],
});

export const socketlabsAccount = defineTable({
  name: 'socketlabs_account',
  description: 'Server usage and allowances, one snapshot per server per collection day (v1 accountData).',
  partitionKeys: socketlabsSnapshotPartitionKeys,
  timeColumn: 'snapshot_time',
  rollups: [],
  columns: [
    column('snapshot_time', 'timestamp', "The API's timestamp of the answer (UTC).", false),
    column('current_billing_period_start', 'timestamp', 'Start of the current billing period.'),
    column('current_billing_period_end', 'timestamp', 'End of the current billing period.'),
    column('billing_period_api_access_count', 'int64', 'API calls in the billing period.'),
    column('billing_period_message_count', 'int64', 'Messages sent in the billing period.'),
    column('billing_period_byte_count', 'int64', 'Bytes sent in the billing period.'),
    column('server_api_access_allowance', 'int64', 'API call allowance of the server.'),
    column('server_message_allowance', 'int64', 'Message allowance of the server.'),
    column('server_byte_allowance', 'int64', 'Byte allowance of the server.'),
    column('is_over_allowance', 'boolean', 'Whether any allowance is exceeded.'),
    column('is_over_byte_allowance', 'boolean', 'Whether the byte allowance is exceeded.'),
    column('is_over_message_allowance', 'boolean', 'Whether the message allowance is exceeded.'),
    ...provenanceColumns,
  ],
});

/** Every table the v1 source writes, in the order the README lists them. */
export const socketlabsV1Tables: readonly TableDef[] = [
  socketlabsFailed,
  socketlabsQueued,
  socketlabsProcessed,
  socketlabsComplaints,
  socketlabsEngagement,
  socketlabsAccount,
];
