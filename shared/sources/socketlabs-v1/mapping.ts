import { emailDomain, type RecordMapping, recordMapper } from '../records';
import { describeFailureCode, failureTypeNames } from '../socketlabs-common/failure-codes';
import { accountObject, complaintItem, engagementItem, failedItem, processedItem, queuedItem } from './schemas';

/** v1 record → `socketlabs_failed` row. */
export const mapFailed = recordMapper(failedItem, (r) => ({
  event_time: r.datetime,
  message_id: r.messageid,
  mailing_id: r.mailingid,
  to_address: r.toaddress,
  recipient_domain: emailDomain(r.toaddress),
  from_address: r.fromaddress,
  failure_type: r.failuretype,
  failure_type_name: r.failuretype === null ? null : (failureTypeNames[r.failuretype] ?? null),
  failure_code: r.failurecode,
  failure_category: describeFailureCode(r.failurecode)?.category ?? null,
  reason: r.reason,
}));

/** v1 record → `socketlabs_queued` row. */
export const mapQueued = recordMapper(queuedItem, (r) => ({
  event_time: r.datetime,
  message_id: r.messageid,
  mailing_id: r.mailingid,
  to_address: r.toaddress,
  recipient_domain: emailDomain(r.toaddress),
  from_address: r.fromaddress,
  message_size: r.messagesize,
}));

/** v1 record → `socketlabs_processed` row. */
export const mapProcessed = recordMapper(processedItem, (r) => ({
  event_time: r.datetime,
  message_id: r.messageid,
  mailing_id: r.mailingid,
  to_address: r.toaddress,
  recipient_domain: emailDomain(r.toaddress),
  from_address: r.fromaddress,
  message_size: r.messagesize,
  disposition: r.disposition,
  local_ip: r.localip,
  response: r.response,
}));

/** v1 record → `socketlabs_complaints` row. */
export const mapComplaint = recordMapper(complaintItem, (r) => ({
  event_time: r.datetime,
  message_id: r.messageid,
  mailing_id: r.mailingid,
  original_recipient: r.originalrecipient,
  recipient_domain: emailDomain(r.originalrecipient),
  from_address: r.fromaddress,
  complaint_type: r.type?.toLowerCase() ?? null,
  user_agent: r.useragent,
}));

const eventTypeNames: Record<number, string> = { 0: 'click', 1: 'open' };

/** v1 record → `socketlabs_engagement` row. */
export const mapEngagement = recordMapper(engagementItem, (r) => ({
  event_time: r.datetime,
  message_id: r.messageid,
  mailing_id: r.mailingid,
  original_recipient: r.originalrecipient,
  recipient_domain: emailDomain(r.originalrecipient),
  event_type: r.eventtype,
  event_type_name: r.eventtype === null ? null : (eventTypeNames[r.eventtype] ?? null),
  url: r.url,
  remote_ip: r.remoteip,
}));

const mapAccountObject = recordMapper(accountObject, (r) => ({
  current_billing_period_start: r.currentbillingperiodstart,
  current_billing_period_end: r.currentbillingperiodend,
  billing_period_api_access_count: r.billingperiodapiaccesscount,
  billing_period_message_count: r.billingperiodmessagecount,
  billing_period_byte_count: r.billingperiodbytecount,
  server_api_access_allowance: r.serverapiaccessallowance,
  server_message_allowance: r.servermessageallowance,
  server_byte_allowance: r.serverbyteallowance,
  is_over_allowance: r.isoverallowance,
  is_over_byte_allowance: r.isoverbyteallowance,
  is_over_message_allowance: r.isovermessageallowance,
}));

/** v1 accountData object → `socketlabs_account` row; the snapshot time is the answer's `timestamp`. */
export function mapAccount(raw: unknown, ingestedAt: number, takenAt: number): RecordMapping {
  const mapped = mapAccountObject(raw, ingestedAt);
  if (mapped.ok) mapped.row.snapshot_time = takenAt;
  return mapped;
}
