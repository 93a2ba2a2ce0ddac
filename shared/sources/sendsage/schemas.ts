import * as z from 'zod';
import {
  type AliasTable,
  fieldKey,
  lakeTimestamp,
  optionalBoolean,
  optionalInt32,
  optionalInt64,
  optionalNumber,
  optionalText,
  tolerantReader,
} from '../records';

/**
 * Body schemas of the SendSage Monitor API, over lower-cased canonical keys. The API is PHP behind a thin JSON layer
 * and its document disagrees with its own examples (counts as strings, dates with and without offsets, repeated
 * keys), so every body is read tolerantly: keys in any case, each field optional, and a value a field cannot hold
 * becomes null there while the original is kept for `extra`. Which fields a row cannot do without is mapping.ts's
 * decision, so it can name the field in the quarantine reason.
 */

/** An instant, and whether it is unambiguous: epoch seconds or a string with an explicit offset. */
export interface ApiInstant {
  readonly at: number;
  readonly zoned: boolean;
}

const zoneSuffix = /(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * An optional SendSage date (`2012-06-01 T 12:45:40-0600`, ISO, or epoch seconds as number or text), and whether it
 * carried its zone: the document's key table shows `time_collected` without an offset, which is only UTC by guess.
 */
const optionalInstant = z
  .unknown()
  .optional()
  .transform((v, ctx): ApiInstant | null => {
    if (v === null || v === undefined || v === '') return null;
    const parsed = lakeTimestamp.safeParse(v);
    if (!parsed.success || parsed.data === null) {
      ctx.addIssue({ code: 'custom', message: `not a valid date-time: ${JSON.stringify(v)?.slice(0, 60)}` });
      return z.NEVER;
    }
    const zoned = typeof v === 'number' || /^\d+$/.test(String(v).trim()) || zoneSuffix.test(String(v).trim());
    return { at: parsed.data, zoned };
  });

/** SpamAssassin's Yes/No (any case), or a boolean in any of the forms optionalBoolean reads; absent → null. */
const yesNo = z
  .unknown()
  .optional()
  .transform((v, ctx): boolean | null => {
    if (typeof v === 'string' && /^\s*(yes|no)\s*$/i.test(v)) return /yes/i.test(v);
    const parsed = optionalBoolean.safeParse(v);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: `expected Yes or No: ${JSON.stringify(v)?.slice(0, 60)}` });
      return z.NEVER;
    }
    return parsed.data;
  });

/** `success` as 1/0, "1"/"0" or a boolean; absent → null (list bodies carry no envelope). */
const successFlag = optionalBoolean;

/** Any JSON value, kept for a nested reader (isp_stats, spamassassin, applications, seeds). */
const nested = z.unknown().optional();

/** Builds an alias table where every field is known only by its own name, plus the given extra names. */
function aliasesOf<S extends z.ZodObject>(
  schema: S,
  more: Partial<Record<keyof S['shape'], readonly string[]>> = {},
): AliasTable<S> {
  const table: Record<string, readonly string[]> = {};
  for (const key of Object.keys(schema.shape)) table[key] = more[key as keyof S['shape']] ?? [key];
  return table as AliasTable<S>;
}

const envelopeFields = { success: successFlag, error: optionalText };

/** The `success`/`error` envelope: failures come back on HTTP 200 as `{ success: 0, error: "..." }`. */
const envelope = z.object(envelopeFields);

/** One delivery_test_list item. */
const campaignListItem = z.object({
  campaign_id: optionalInt64,
  date: optionalInstant,
  date_unix: optionalInstant,
  from_address: optionalText,
  from_name: optionalText,
  from_domain: optionalText,
  subject: optionalText,
  customer_defined_campaign_id: optionalText,
});

/**
 * delivery_test_get_info body; isp_stats and spamassassin are read by their own schemas. It also reads the legacy
 * campaignGetStats body, which has the same shape but `customerid` for the customer-defined id (campaignInfoAliases
 * reads either name into customer_defined_campaign_id).
 */
const campaignInfoBody = z.object({
  ...envelopeFields,
  from_address: optionalText,
  from_domain: optionalText,
  from_name: optionalText,
  subject: optionalText,
  customer_defined_campaign_id: optionalText,
  pct_inbox: optionalNumber,
  pct_bulk: optionalNumber,
  pct_missing: optionalNumber,
  isp_stats: nested,
  spamassassin: nested,
  // The document puts _status inside spamassassin; a top-level one is read as a fallback.
  _status: optionalText,
});

/** One isp_stats entry. */
const ispStatItem = z.object({
  domain: optionalText,
  name: optionalText,
  category: optionalText,
  count_inbox: optionalInt32,
  count_bulk: optionalInt32,
  count_missing: optionalInt32,
  count_duplicate: optionalInt32,
  count_total: optionalInt32,
  pct_inbox: optionalNumber,
  pct_bulk: optionalNumber,
  pct_missing: optionalNumber,
});

/** The spamassassin object of get_info. */
const spamassassinResult = z.object({
  message_id: optionalInt64,
  time_processed: lakeTimestamp,
  result: yesNo,
  score: optionalNumber,
  required: optionalNumber,
  version: optionalText,
  rules_matched: nested,
  _status: optionalText,
});

/** One spamassassin.rules_matched entry. */
const spamRuleItem = z.object({
  area: optionalText,
  rule: optionalText,
  score: optionalNumber,
  description: optionalText,
});

/** One delivery_test_get_email_list item. */
const emailListItem = z.object({
  message_id: optionalInt64,
  isp: optionalText,
  address: optionalText,
  username: optionalText,
  domain: optionalText,
  from_address: optionalText,
  time_collected: optionalInstant,
  time_collected_unix: optionalInstant,
  subject: optionalText,
  location: optionalText,
  duplicate: optionalBoolean,
});

/** delivery_message_get body. */
const messageBody = z.object({
  ...envelopeFields,
  campaign_id: optionalInt64,
  message_id: optionalInt64,
  seed_id: optionalInt64,
  location: optionalText,
  duplicate: optionalBoolean,
  time_collected: optionalInstant,
  time_collected_unix: optionalInstant,
  from_address: optionalText,
  from_name: optionalText,
  subject: optionalText,
  // Not optionalText: a number or boolean here is not message content, and goes to `extra`.
  content: z.string().nullish(),
});

/** delivery_seedlist_get body. */
const seedlistBody = z.object({ ...envelopeFields, seeds: nested });

/** One preview_list item. */
const previewListItem = z.object({
  preview_id: optionalInt64,
  date: optionalInstant,
  date_unix: optionalInstant,
  from_address: optionalText,
  from_name: optionalText,
  from_domain: optionalText,
  subject: optionalText,
});

/** preview_get_info body; `applications` is keyed by application id. */
const previewInfoBody = z.object({ ...envelopeFields, applications: nested });

/** One application of preview_get_info; its views (thumbnail, images_on, ...) are the object-valued other keys. */
const previewApplication = z.object({ platform: optionalText, name: optionalText });

/** One view of an application. */
const previewView = z.object({ url: optionalText, status: optionalText });

const campaignListAliases = aliasesOf(campaignListItem);
const campaignInfoAliases = aliasesOf(campaignInfoBody, {
  customer_defined_campaign_id: ['customer_defined_campaign_id', 'customerid'],
});
const ispStatAliases = aliasesOf(ispStatItem);
const spamassassinAliases = aliasesOf(spamassassinResult);
const spamRuleAliases = aliasesOf(spamRuleItem);
const emailListAliases = aliasesOf(emailListItem);
const messageAliases = aliasesOf(messageBody);
const seedlistAliases = aliasesOf(seedlistBody);
const previewListAliases = aliasesOf(previewListItem);
const previewInfoAliases = aliasesOf(previewInfoBody);
const previewApplicationAliases = aliasesOf(previewApplication);
const previewViewAliases = aliasesOf(previewView);
const envelopeAliases = aliasesOf(envelope);

/** Readers: raw JSON value → `{ value, extra }`, null when it is not an object (see tolerantReader). */
export const readers = {
  campaignListItem: tolerantReader(campaignListItem, campaignListAliases),
  campaignInfo: tolerantReader(campaignInfoBody, campaignInfoAliases),
  ispStat: tolerantReader(ispStatItem, ispStatAliases),
  spamassassin: tolerantReader(spamassassinResult, spamassassinAliases),
  spamRule: tolerantReader(spamRuleItem, spamRuleAliases),
  emailListItem: tolerantReader(emailListItem, emailListAliases),
  message: tolerantReader(messageBody, messageAliases),
  seedlist: tolerantReader(seedlistBody, seedlistAliases),
  previewListItem: tolerantReader(previewListItem, previewListAliases),
  previewInfo: tolerantReader(previewInfoBody, previewInfoAliases),
  previewApplication: tolerantReader(previewApplication, previewApplicationAliases),
  previewView: tolerantReader(previewView, previewViewAliases),
};

const readEnvelope = tolerantReader(envelope, envelopeAliases);

/**
 * The API's error for a body that says `success: 0` (any spelling), else null. Bodies without `success` (lists,
 * the seedlist) are not failures; an unreadable `success` is, since the body cannot be trusted either way.
 */
export function apiFailure(body: unknown): string | null {
  const read = readEnvelope(body);
  if (!read) return null;
  const { success, error } = read.value;
  const unreadable = read.extra && Object.keys(read.extra).some((k) => k.toLowerCase() === 'success');
  if (success === false || unreadable) return error ?? `success ${JSON.stringify(entryOf(body, 'success')?.[1])}`;
  return null;
}

/** The first key of a record naming the same field (case and separators ignored), and its value; null when none. */
export function entryOf(raw: unknown, name: string): [string, unknown] | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const wanted = fieldKey(name);
  for (const key of Object.keys(raw)) {
    if (fieldKey(key) === wanted) return [key, (raw as Record<string, unknown>)[key]];
  }
  return null;
}
