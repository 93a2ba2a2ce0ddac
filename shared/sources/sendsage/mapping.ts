import type { Row } from '../../lake/table';
import { emailDomain, fieldKey, type TolerantRecord } from '../records';
import { type ApiInstant, apiFailure, entryOf, readers } from './schemas';

/**
 * SendSage bodies → lake rows. Every function takes bodies as JSON.parse returned them and gives back rows plus
 * quarantine entries, never throwing and never dropping: a record that cannot be placed (no campaign id, no usable
 * date) comes back with the reason and the raw value, and fields no column models go to `extra`.
 */

/** A record that could not become a row, with the reason (naming the field) and the value as received. */
export interface SendsageQuarantine {
  readonly reason: string;
  readonly raw: unknown;
}

/** Rows for one table, and what could not be placed. */
export interface SendsageMapped {
  readonly rows: Row[];
  readonly quarantine: SendsageQuarantine[];
}

type Fields = Record<string, unknown> | null;

/** Most a `body` value may take in UTF-8 bytes, marker included; rows stay small enough for Parquet pages. */
export const bodyCapBytes = 64 * 1024;

const documentedViews = new Set(['thumbnail', 'images_on', 'images_off', 'preview_images_on', 'preview_images_off']);

const kindOf = (v: unknown) => (Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v);

const show = (v: unknown) => JSON.stringify(v)?.slice(0, 60) ?? String(v);

/**
 * Collects `extra`: the row's own record flat under the API's names; a second body's fields flat too, unless the
 * name is taken by a different value, then under `<prefix>.<name>`; nested structures under one key.
 */
function extraBag() {
  const out = new Map<string, unknown>();
  const bag = {
    add(fields: Fields, collisionPrefix = 'info') {
      if (!fields) return bag;
      for (const [k, v] of Object.entries(fields)) {
        if (!out.has(k)) out.set(k, v);
        else if (JSON.stringify(out.get(k)) !== JSON.stringify(v)) out.set(`${collisionPrefix}.${k}`, v);
      }
      return bag;
    },
    set(key: string, value: unknown) {
      out.set(key, value);
      return bag;
    },
    nest(key: string, fields: Fields) {
      if (fields) out.set(key, fields);
      return bag;
    },
    json: (): string | null => (out.size ? JSON.stringify(Object.fromEntries(out)) : null),
  };
  return bag;
}

/** Keeps a value the row did not use (a shadowed time or a disagreeing copy) under the key the API sent it as. */
function keepShadowed(bag: ReturnType<typeof extraBag>, raw: unknown, lowerName: string, prefix = '') {
  const entry = entryOf(raw, lowerName);
  if (entry && entry[1] !== null && entry[1] !== undefined && entry[1] !== '') bag.set(prefix + entry[0], entry[1]);
}

/**
 * The instant of a `date`/`date_unix` pair. A string with an offset is preferred, then the epoch, then a string
 * without an offset (read as UTC): the document shows `time_collected` without one, and the API's own clock is
 * not UTC. The other value, when it disagrees by a second or more, is named so it can be kept in `extra`.
 */
function pickInstant(
  text: ApiInstant | null,
  unix: ApiInstant | null,
): { at: number | null; shadowed: 'text' | 'unix' | null } {
  const first = text?.zoned ? 'text' : unix ? 'unix' : text ? 'text' : null;
  if (first === null) return { at: null, shadowed: null };
  const [chosen, other] = first === 'text' ? [text!, unix] : [unix!, text];
  const disagrees = other !== null && Math.abs(other.at - chosen.at) >= 1000;
  return { at: chosen.at, shadowed: disagrees ? (first === 'text' ? 'unix' : 'text') : null };
}

/** Why no instant could be read from the given fields: the values found there, or that none were present. */
function noUsableTime(what: string, raw: unknown, fields: readonly string[]): string {
  const unusable = fields
    .map((f) => entryOf(raw, f))
    .filter((e): e is [string, unknown] => e !== null && e[1] !== null && e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k} ${show(v)}`);
  return `${what}: no usable ${fields.join(' or ')} (${unusable.length ? `unusable: ${unusable.join(', ')}` : 'none present'})`;
}

function noUsableId(field: string, raw: unknown): string {
  const entry = entryOf(raw, field);
  const present = entry && entry[1] !== null && entry[1] !== undefined && entry[1] !== '';
  return `${field}: ${present ? `not an integer id (${entry[0]} ${show(entry[1])})` : 'missing'}`;
}

const lower = (s: string | null) => (s === null ? null : s.trim().toLowerCase() || null);

/** A list the PHP API may send as a JSON array or, when its keys are not 0..n, as an object; absent → []. */
function listOf(value: unknown): unknown[] | null {
  if (value === null || value === undefined || value === '') return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object') return Object.values(value);
  return null;
}

const nothing = (): SendsageMapped => ({ rows: [], quarantine: [] });
const only = (reason: string, raw: unknown): SendsageMapped => ({ rows: [], quarantine: [{ reason, raw }] });

/** The reason child records of a campaign cannot be placed, or null when the campaign id and send time are known. */
function campaignProblem(campaignId: number | null, sentAt: number | null): string | null {
  const problems: string[] = [];
  if (campaignId === null) problems.push('campaign_id: the campaign has no usable id');
  if (sentAt === null) problems.push(`sent_at: campaign ${campaignId ?? '(unknown)'} has no usable send date`);
  return problems.length ? problems.join('; ') : null;
}

/** An optional body (get_info, preview_get_info): its reading, or the reason it cannot be used. */
function readOptionalBody<T>(
  method: string,
  body: unknown,
  read: (raw: unknown) => TolerantRecord<T> | null,
): { ok: true; read: TolerantRecord<T> | null } | { ok: false; reason: string } {
  if (body === null || body === undefined) return { ok: true, read: null };
  const failure = apiFailure(body);
  if (failure !== null) return { ok: false, reason: `${method}: the API answered success 0: ${failure}` };
  const r = read(body);
  if (!r) return { ok: false, reason: `${method}: expected an object, got ${kindOf(body)}` };
  return { ok: true, read: r };
}

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

/** Maps each entry of a nested list to a row, quarantining entries that are not objects or lack their campaign. */
function childRows<T>(
  path: string,
  items: unknown,
  campaignId: number | null,
  sentAt: number | null,
  read: (raw: unknown) => TolerantRecord<T> | null,
  toRow: (value: T, raw: unknown) => Row,
  extraOf: (r: TolerantRecord<T>, raw: unknown) => string | null,
  ingestedAt: number,
): SendsageMapped {
  const list = listOf(items);
  if (list === null) return only(`${path}: expected a list, got ${kindOf(items)}`, items);
  const problem = campaignProblem(campaignId, sentAt);
  const out = nothing();
  list.forEach((item, n) => {
    const r = read(item);
    if (!r) out.quarantine.push({ reason: `${path}[${n}]: expected an object, got ${kindOf(item)}`, raw: item });
    else if (problem) out.quarantine.push({ reason: `${path}[${n}]: ${problem}`, raw: item });
    else {
      const row: Row = { campaign_id: campaignId, sent_at: sentAt, ...toRow(r.value, item) };
      row.extra = extraOf(r, item);
      row.ingested_at = ingestedAt;
      out.rows.push(row);
    }
  });
  return out;
}

const flatExtra = <T>(r: TolerantRecord<T>) => extraBag().add(r.extra).json();

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

/**
 * preview_list item + preview_get_info body → `sendsage_previews` rows, one per application and view. `info` may
 * be null when it was not fetched; a preview without applications still gets one row (application and view null).
 */
export function previewRows(listItem: unknown, info: unknown, ingestedAt: number): SendsageMapped {
  const raw = { list_item: listItem, info: info ?? null };
  const list = readers.previewListItem(listItem);
  if (!list) return only(`list item: expected an object, got ${kindOf(listItem)}`, raw);
  const body = readOptionalBody('preview_get_info', info, readers.previewInfo);
  if (!body.ok) return only(body.reason, raw);
  const l = list.value;
  const when = pickInstant(l.date, l.date_unix);
  const problems: string[] = [];
  if (l.preview_id === null) problems.push(noUsableId('preview_id', listItem));
  if (when.at === null) problems.push(noUsableTime('requested_at', listItem, ['date', 'date_unix']));
  if (problems.length) return only(problems.join('; '), raw);

  const apps = body.read?.value.applications ?? null;
  const appEntries =
    apps === null || apps === undefined || apps === '' ? [] : typeof apps === 'object' ? Object.entries(apps) : null;
  if (appEntries === null) return only(`applications: expected an object, got ${kindOf(apps)}`, raw);

  const base = {
    preview_id: l.preview_id,
    requested_at: when.at,
    subject: l.subject,
    from_address: l.from_address,
    from_name: l.from_name,
    from_domain: lower(l.from_domain) ?? emailDomain(l.from_address),
  };
  const baseExtra = () => {
    const bag = extraBag()
      .add(list.extra)
      .add(body.read?.extra ?? null, 'info');
    if (when.shadowed) keepShadowed(bag, listItem, when.shadowed === 'unix' ? 'date_unix' : 'date');
    return bag;
  };
  const out = nothing();
  const push = (fields: Row, bag: ReturnType<typeof extraBag>) => {
    out.rows.push({ ...base, ...fields, extra: bag.json(), ingested_at: ingestedAt });
  };
  if (appEntries.length === 0) {
    push({ application: null, platform: null, name: null, view: null, url: null, status: null }, baseExtra());
  }
  for (const [key, value] of appEntries) {
    const app = readers.previewApplication(value);
    if (!app) {
      out.quarantine.push({
        reason: `applications.${key}: expected an object, got ${kindOf(value)}`,
        raw: { list_item: listItem, application: key, value },
      });
      continue;
    }
    const appFields = { application: key, platform: app.value.platform, name: app.value.name };
    const views: [string, unknown][] = [];
    const appExtra: [string, unknown][] = [];
    for (const [k, v] of Object.entries(app.extra ?? {})) (isView(k, v) ? views : appExtra).push([k, v]);
    const appExtraFields = appExtra.length ? Object.fromEntries(appExtra) : null;
    if (views.length === 0) {
      push({ ...appFields, view: null, url: null, status: null }, baseExtra().nest('application', appExtraFields));
    }
    for (const [viewKey, viewValue] of views) {
      const view = readers.previewView(viewValue ?? {});
      const bag = baseExtra().nest('application', appExtraFields);
      // A documented view sent as something other than an object (PHP `false`, a bare URL) is kept whole.
      if (!view) bag.nest('view', { [viewKey]: viewValue });
      else bag.nest('view', view.extra);
      push(
        {
          ...appFields,
          view: canonicalView(viewKey),
          url: view?.value.url ?? null,
          status: lower(view?.value.status ?? null),
        },
        bag,
      );
    }
  }
  return out;
}

/** The documented spelling of a view name however it was cased (`imagesOn` → `images_on`). */
function canonicalView(key: string): string {
  return [...documentedViews].find((v) => fieldKey(v) === fieldKey(key)) ?? key.toLowerCase();
}

/** A view of an application: a documented view name, or any object carrying `url` or `status`. */
function isView(key: string, value: unknown): boolean {
  if (documentedViews.has(canonicalView(key))) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (entryOf(value, 'url') !== null || entryOf(value, 'status') !== null)
  );
}

/** delivery_seedlist_get body → `sendsage_seedlist` rows; the snapshot time is when the list was read. */
export function seedlistRows(body: unknown, takenAt: number, ingestedAt: number): SendsageMapped {
  const failure = apiFailure(body);
  if (failure !== null) return only(`delivery_seedlist_get: the API answered success 0: ${failure}`, body);
  // A bare list is read as the seeds themselves.
  const read = Array.isArray(body) ? { value: { seeds: body }, extra: null } : readers.seedlist(body);
  if (!read) return only(`seedlist: expected an object, got ${kindOf(body)}`, body);
  const seeds = read.value.seeds;
  const list = seeds === undefined || seeds === null ? null : listOf(seeds);
  if (list === null) return only(`seeds: ${seeds == null ? 'missing' : `expected a list, got ${kindOf(seeds)}`}`, body);
  const extra = extraBag().add(read.extra).json();
  const out = nothing();
  list.forEach((seed, n) => {
    const address = typeof seed === 'string' ? seed.trim() : '';
    if (address === '') {
      out.quarantine.push({ reason: `seeds[${n}]: expected an address, got ${show(seed)}`, raw: seed });
      return;
    }
    out.rows.push({
      snapshot_time: takenAt,
      address,
      domain: emailDomain(address),
      extra,
      ingested_at: ingestedAt,
    });
  });
  return out;
}

/** What parseAuthentication reads from a message's content. */
export interface ParsedMessage {
  readonly spf: string | null;
  readonly dkim: string | null;
  readonly dmarc: string | null;
  readonly domainkeys: string | null;
  /** Every Authentication-Results value, unfolded, one per line, topmost first; null when there is none. */
  readonly authenticationResults: string | null;
  /** Every Received-SPF value, unfolded, one per line, topmost first; null when there is none. */
  readonly receivedSpf: string | null;
  /** The header block as sent. */
  readonly headers: string | null;
  /** Content after the first blank line, capped at bodyCapBytes; null when the content has no blank line. */
  readonly body: string | null;
  readonly contentBytes: number | null;
}

/** One header: name as sent, value with folds joined by a single space. */
function headerFields(block: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const line of block.split(/\r?\n/)) {
    const last = out.at(-1);
    if (/^[ \t]/.test(line)) {
      if (last) last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const m = /^([!-9;-~]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (m) out.push({ name: m[1]!, value: m[2]!.trim() });
  }
  return out;
}

/** Removes RFC 5322 comments (nested parentheses) and quoted strings, which may contain `dkim=pass`-like text. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let n = 0; n < value.length; n++) {
    const c = value[n]!;
    if (c === '\\' && (depth > 0 || quoted)) {
      n++;
      continue;
    }
    if (quoted) {
      if (c === '"') quoted = false;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) {
      if (c === '"') quoted = true;
      else out += c;
    }
  }
  return out;
}

// `method=result` (RFC 8601, optionally `method/version=result`), at the start or after a space or semicolon, so
// `header.d=` and `smtp.mailfrom=` properties are never mistaken for methods.
const methodResult = /(?:^|[\s;])([a-z][a-z0-9_-]*)(?:\/\d+)?[ \t]*=[ \t]*([a-z][a-z0-9_-]*)/gi;

/** Results per method in one Authentication-Results value, in order. */
function resultsOf(value: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of withoutComments(value).matchAll(methodResult)) {
    const method = m[1]!.toLowerCase();
    const list = out.get(method) ?? [];
    list.push(m[2]!.toLowerCase());
    out.set(method, list);
  }
  return out;
}

/** The organisational part (last two labels) of an Authentication-Results authserv-id. */
function authservDomain(value: string): string {
  const id = /^\s*([^\s;]+)/.exec(withoutComments(value))?.[1]?.toLowerCase() ?? '';
  return id.split('.').slice(-2).join('.');
}

/**
 * A method's result from the topmost Authentication-Results header that reports it (headers are prepended, so the
 * topmost is the receiving ISP's own); within it, pass if any result passed (one good signature is enough), else
 * the first. Only headers from the topmost one's organisation count: a sender can put any Authentication-Results
 * into the message it sends (RFC 8601 §5), and a stage of the ISP's own may report a method the top one did not.
 */
function methodOutcome(values: readonly string[], method: string): string | null {
  const trusted = values.length ? authservDomain(values[0]!) : '';
  for (const value of values) {
    if (authservDomain(value) !== trusted) continue;
    const list = resultsOf(value).get(method);
    if (list?.length) return list.includes('pass') ? 'pass' : list[0]!;
  }
  return null;
}

/** Caps text at `max` UTF-8 bytes, marker included, cutting on a character boundary. */
export function capUtf8(text: string, max = bodyCapBytes): string {
  const total = Buffer.byteLength(text, 'utf8');
  if (total <= max) return text;
  const bytes = Buffer.from(text, 'utf8');
  // The marker names how much was cut, which depends on where the cut falls; the cut only moves earlier, so this ends.
  let cut = max;
  for (;;) {
    const marker = `…[truncated ${total - cut} bytes]`;
    let next = Math.max(0, max - Buffer.byteLength(marker, 'utf8'));
    while (next > 0 && (bytes[next]! & 0xc0) === 0x80) next--;
    if (next >= cut) return bytes.subarray(0, cut).toString('utf8') + marker;
    cut = next;
  }
}

/**
 * Reads a message's content (headers, a blank line, the body): the SPF, DKIM, DMARC and DomainKeys results from the
 * Authentication-Results headers (Received-SPF for SPF when they have none), the raw headers, the capped body and
 * the content's size. Null content gives nulls throughout.
 */
export function parseAuthentication(content: string | null): ParsedMessage {
  if (content === null) {
    return {
      spf: null,
      dkim: null,
      dmarc: null,
      domainkeys: null,
      authenticationResults: null,
      receivedSpf: null,
      headers: null,
      body: null,
      contentBytes: null,
    };
  }
  const split = /^\r?\n/.exec(content) ?? /\r?\n\r?\n/.exec(content);
  const headers = split ? content.slice(0, split.index) : content;
  const body = split ? content.slice(split.index + split[0].length) : null;
  const fields = headerFields(headers);
  const valuesOf = (name: string) => fields.filter((f) => f.name.toLowerCase() === name).map((f) => f.value);
  const authResults = valuesOf('authentication-results');
  const receivedSpf = valuesOf('received-spf');
  const spfHeader = receivedSpf.map((v) => /^([a-z]+)/i.exec(v)?.[1]?.toLowerCase() ?? null).find((v) => v !== null);
  return {
    spf: methodOutcome(authResults, 'spf') ?? spfHeader ?? null,
    dkim: methodOutcome(authResults, 'dkim'),
    dmarc: methodOutcome(authResults, 'dmarc'),
    domainkeys: methodOutcome(authResults, 'domainkeys'),
    authenticationResults: authResults.length ? authResults.join('\n') : null,
    receivedSpf: receivedSpf.length ? receivedSpf.join('\n') : null,
    headers,
    body: body === null ? null : capUtf8(body),
    contentBytes: Buffer.byteLength(content, 'utf8'),
  };
}
