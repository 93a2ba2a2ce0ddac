import type { Row } from '../../../lake/table';
import { emailDomain } from '../../records';
import { apiFailure, entryOf, readers } from '../schemas';
import {
  childRows,
  extraBag,
  flatExtra,
  keepShadowed,
  kindOf,
  listOf,
  lower,
  nothing,
  noUsableId,
  noUsableTime,
  only,
  pickInstant,
  readOptionalBody,
  type SendsageMapped,
} from './rows';

// A delivery test: the campaign row and its child rows (ISP placements, spam rules, seed placements).

/** Sums a count over the ISP entries; null when there are none or one lacks it (a partial sum would understate). */
function sumOf(values: readonly (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return (values as number[]).reduce((a, b) => a + b, 0);
}

/**
 * delivery_test_list item + delivery_test_get_info (or legacy campaignGetStats) body → `sendsage_campaigns` row.
 * `info` may be null when it was not fetched. Descriptive fields prefer the info body; a list value that disagrees
 * is kept in `extra` under `list.<name>`.
 */
export function campaignRows(listItem: unknown, info: unknown, ingestedAt: number): SendsageMapped {
  const raw = { list_item: listItem, info: info ?? null };
  const list = readers.campaignListItem(listItem);
  if (!list) return only(`list item: expected an object, got ${kindOf(listItem)}`, raw);
  const body = readOptionalBody('delivery_test_get_info', info, readers.campaignInfo);
  if (!body.ok) return only(body.reason, raw);
  const l = list.value;
  const i = body.read?.value ?? null;

  const when = pickInstant(l.date, l.date_unix);
  const problems: string[] = [];
  if (l.campaign_id === null) problems.push(noUsableId('campaign_id', listItem));
  if (when.at === null) problems.push(noUsableTime('sent_at', listItem, ['date', 'date_unix']));
  if (problems.length) return only(problems.join('; '), raw);

  const bag = extraBag()
    .add(list.extra)
    .add(body.read?.extra ?? null, 'info');
  if (when.shadowed) keepShadowed(bag, listItem, when.shadowed === 'unix' ? 'date_unix' : 'date');
  const prefer = (name: 'from_address' | 'from_name' | 'from_domain' | 'subject' | 'customer_defined_campaign_id') => {
    const fromInfo = i?.[name] ?? null;
    const fromList = l[name];
    if (fromInfo !== null && fromList !== null && fromInfo !== fromList) keepShadowed(bag, listItem, name, 'list.');
    return fromInfo ?? fromList;
  };
  const fromAddress = prefer('from_address');
  const fromName = prefer('from_name');
  const fromDomain = lower(prefer('from_domain')) ?? emailDomain(fromAddress);
  const subject = prefer('subject');
  const customerId = prefer('customer_defined_campaign_id');

  const sa = i ? readSpamassassin(i.spamassassin) : null;
  if (sa?.invalid) bag.set(entryOf(info, 'spamassassin')?.[0] ?? 'spamassassin', sa.invalid.value);
  const s = sa?.read?.value ?? null;
  bag.nest(entryOf(info, 'spamassassin')?.[0] ?? 'spamassassin', sa?.read?.extra ?? null);
  const status = lower(s?._status ?? null) ?? lower(i?._status ?? null);
  if (s?._status && i?._status && lower(s._status) !== lower(i._status)) keepShadowed(bag, info, '_status');

  const isps = (i ? (listOf(i.isp_stats) ?? []) : []).map((item) => readers.ispStat(item)?.value ?? null);
  const sum = (k: 'count_total' | 'count_inbox' | 'count_bulk' | 'count_missing') =>
    sumOf(isps.map((x) => x?.[k] ?? null));

  const row: Row = {
    campaign_id: l.campaign_id,
    sent_at: when.at,
    from_address: fromAddress,
    from_name: fromName,
    from_domain: fromDomain,
    subject,
    customer_defined_campaign_id: customerId,
    pct_inbox: i?.pct_inbox ?? null,
    pct_bulk: i?.pct_bulk ?? null,
    pct_missing: i?.pct_missing ?? null,
    spam_score: s?.score ?? null,
    spam_required: s?.required ?? null,
    spam_result: s?.result ?? null,
    spamassassin_version: s?.version ?? null,
    spam_message_id: s?.message_id ?? null,
    spam_processed_at: s?.time_processed ?? null,
    status,
    seeds_total: sum('count_total'),
    seeds_inbox: sum('count_inbox'),
    seeds_bulk: sum('count_bulk'),
    seeds_missing: sum('count_missing'),
    extra: bag.json(),
    ingested_at: ingestedAt,
  };
  return { rows: [row], quarantine: [] };
}

/** The spamassassin object; PHP sends an empty one as `[]`. Anything else that is not an object is `invalid`. */
function readSpamassassin(value: unknown) {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
    return { read: null, invalid: null };
  }
  const read = readers.spamassassin(value);
  return read ? { read, invalid: null } : { read: null, invalid: { value } };
}

/** The campaign's status from get_info: `done` when the test is complete, anything else still running. */
export function campaignStatus(info: unknown): string | null {
  const i = readers.campaignInfo(info)?.value;
  if (!i) return null;
  return lower(readSpamassassin(i.spamassassin).read?.value._status ?? null) ?? lower(i._status);
}

/** get_info (or campaignGetStats) isp_stats → `sendsage_isp_results` rows of the campaign. */
export function ispRows(
  campaignId: number | null,
  sentAt: number | null,
  info: unknown,
  ingestedAt: number,
): SendsageMapped {
  const body = readOptionalBody('delivery_test_get_info', info, readers.campaignInfo);
  if (!body.ok) return only(body.reason, info);
  if (!body.read) return nothing();
  return childRows(
    'isp_stats',
    body.read.value.isp_stats,
    campaignId,
    sentAt,
    readers.ispStat,
    (v) => ({
      isp_name: v.name,
      isp_domain: lower(v.domain),
      category: v.category,
      count_inbox: v.count_inbox,
      count_bulk: v.count_bulk,
      count_missing: v.count_missing,
      count_duplicate: v.count_duplicate,
      count_total: v.count_total,
      pct_inbox: v.pct_inbox,
      pct_bulk: v.pct_bulk,
      pct_missing: v.pct_missing,
    }),
    flatExtra,
    ingestedAt,
  );
}

/** get_info (or campaignGetStats) spamassassin.rules_matched → `sendsage_spam_rules` rows of the campaign. */
export function ruleRows(
  campaignId: number | null,
  sentAt: number | null,
  info: unknown,
  ingestedAt: number,
): SendsageMapped {
  const body = readOptionalBody('delivery_test_get_info', info, readers.campaignInfo);
  if (!body.ok) return only(body.reason, info);
  const sa = body.read ? readSpamassassin(body.read.value.spamassassin) : null;
  // An unreadable spamassassin value is kept in the campaign row's extra; it has no rules to give here.
  if (!sa?.read) return nothing();
  return childRows(
    'spamassassin.rules_matched',
    sa.read.value.rules_matched,
    campaignId,
    sentAt,
    readers.spamRule,
    (v) => ({
      // "RBL: " as sent; the colon and spaces are layout, not part of the area's name.
      area: v.area === null ? null : v.area.trim().replace(/\s*:$/, '') || null,
      rule: v.rule,
      score: v.score,
      description: v.description,
    }),
    flatExtra,
    ingestedAt,
  );
}

/** delivery_test_get_email_list body (a list of seeds) → `sendsage_seed_results` rows of the campaign. */
export function seedRows(
  campaignId: number | null,
  sentAt: number | null,
  emailList: unknown,
  ingestedAt: number,
): SendsageMapped {
  const failure = apiFailure(emailList);
  if (failure !== null) return only(`delivery_test_get_email_list: the API answered success 0: ${failure}`, emailList);
  return childRows(
    'email_list',
    emailList,
    campaignId,
    sentAt,
    readers.emailListItem,
    (v) => ({
      message_id: v.message_id,
      isp: v.isp,
      address: v.address,
      username: v.username,
      domain: lower(v.domain) ?? emailDomain(v.address),
      from_address: v.from_address,
      subject: v.subject,
      location: lower(v.location),
      duplicate: v.duplicate,
      collected_at: pickInstant(v.time_collected, v.time_collected_unix).at,
    }),
    (r, raw) => {
      const bag = extraBag().add(r.extra);
      const { shadowed } = pickInstant(r.value.time_collected, r.value.time_collected_unix);
      if (shadowed) keepShadowed(bag, raw, shadowed === 'unix' ? 'time_collected_unix' : 'time_collected');
      return bag.json();
    },
    ingestedAt,
  );
}
