import type { Row } from '../../../lake/table';
import { apiFailure, readers } from '../schemas';
import { parseAuthentication } from './authentication';
import { campaignProblem, extraBag, keepShadowed, kindOf, lower, only, pickInstant, type SendsageMapped } from './rows';

/**
 * delivery_message_get body → `sendsage_messages` row. The campaign id and send time come from the campaign the
 * message was listed under; a body naming another campaign keeps its value in `extra`.
 */
export function messageRow(
  campaignId: number | null,
  sentAt: number | null,
  body: unknown,
  ingestedAt: number,
): SendsageMapped {
  const failure = apiFailure(body);
  if (failure !== null) return only(`delivery_message_get: the API answered success 0: ${failure}`, body);
  const read = readers.message(body);
  if (!read) return only(`message: expected an object, got ${kindOf(body)}`, body);
  const m = read.value;
  const id = campaignId ?? m.campaign_id;
  const problem = campaignProblem(id, sentAt);
  if (problem) return only(`message ${m.message_id ?? '(no id)'}: ${problem}`, body);

  const bag = extraBag().add(read.extra);
  if (m.campaign_id !== null && m.campaign_id !== id) keepShadowed(bag, body, 'campaign_id');
  const collected = pickInstant(m.time_collected, m.time_collected_unix);
  if (collected.shadowed) {
    keepShadowed(bag, body, collected.shadowed === 'unix' ? 'time_collected_unix' : 'time_collected');
  }
  const parsed = parseAuthentication(m.content ?? null);
  const row: Row = {
    message_id: m.message_id,
    campaign_id: id,
    sent_at: sentAt,
    seed_id: m.seed_id,
    location: lower(m.location),
    duplicate: m.duplicate,
    collected_at: collected.at,
    from_address: m.from_address,
    from_name: m.from_name,
    subject: m.subject,
    spf: parsed.spf,
    dkim: parsed.dkim,
    dmarc: parsed.dmarc,
    domainkeys: parsed.domainkeys,
    authentication_results: parsed.authenticationResults,
    received_spf: parsed.receivedSpf,
    headers: parsed.headers,
    body: parsed.body,
    content_bytes: parsed.contentBytes,
    extra: bag.json(),
    ingested_at: ingestedAt,
  };
  return { rows: [row], quarantine: [] };
}
