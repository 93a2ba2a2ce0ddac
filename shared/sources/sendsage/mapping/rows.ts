import type { Row } from '../../../lake/table';
import type { TolerantRecord } from '../../records';
import { type ApiInstant, apiFailure, entryOf } from '../schemas';

/**
 * SendSage bodies → lake rows: what the mappings of this folder share. Every mapping takes bodies as JSON.parse
 * returned them and gives back rows plus quarantine entries, never throwing and never dropping: a record that cannot
 * be placed (no campaign id, no usable date) comes back with the reason and the raw value, and fields no column
 * models go to `extra`.
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

export const kindOf = (v: unknown) => (Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v);

export const show = (v: unknown) => JSON.stringify(v)?.slice(0, 60) ?? String(v);

/**
 * Collects `extra`: the row's own record flat under the API's names; a second body's fields flat too, unless the
 * name is taken by a different value, then under `<prefix>.<name>`; nested structures under one key.
 */
export function extraBag() {
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
export function keepShadowed(bag: ReturnType<typeof extraBag>, raw: unknown, lowerName: string, prefix = '') {
  const entry = entryOf(raw, lowerName);
  if (entry && entry[1] !== null && entry[1] !== undefined && entry[1] !== '') bag.set(prefix + entry[0], entry[1]);
}

/**
 * The instant of a `date`/`date_unix` pair. A string with an offset is preferred, then the epoch, then a string
 * without an offset (read as UTC): the document shows `time_collected` without one, and the API's own clock is
 * not UTC. The other value, when it disagrees by a second or more, is named so it can be kept in `extra`.
 */
export function pickInstant(
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
export function noUsableTime(what: string, raw: unknown, fields: readonly string[]): string {
  const unusable = fields
    .map((f) => entryOf(raw, f))
    .filter((e): e is [string, unknown] => e !== null && e[1] !== null && e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k} ${show(v)}`);
  return `${what}: no usable ${fields.join(' or ')} (${unusable.length ? `unusable: ${unusable.join(', ')}` : 'none present'})`;
}

export function noUsableId(field: string, raw: unknown): string {
  const entry = entryOf(raw, field);
  const present = entry && entry[1] !== null && entry[1] !== undefined && entry[1] !== '';
  return `${field}: ${present ? `not an integer id (${entry[0]} ${show(entry[1])})` : 'missing'}`;
}

export const lower = (s: string | null) => (s === null ? null : s.trim().toLowerCase() || null);

/** A list the PHP API may send as a JSON array or, when its keys are not 0..n, as an object; absent → []. */
export function listOf(value: unknown): unknown[] | null {
  if (value === null || value === undefined || value === '') return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object') return Object.values(value);
  return null;
}

export const nothing = (): SendsageMapped => ({ rows: [], quarantine: [] });
export const only = (reason: string, raw: unknown): SendsageMapped => ({ rows: [], quarantine: [{ reason, raw }] });

/** The reason child records of a campaign cannot be placed, or null when the campaign id and send time are known. */
export function campaignProblem(campaignId: number | null, sentAt: number | null): string | null {
  const problems: string[] = [];
  if (campaignId === null) problems.push('campaign_id: the campaign has no usable id');
  if (sentAt === null) problems.push(`sent_at: campaign ${campaignId ?? '(unknown)'} has no usable send date`);
  return problems.length ? problems.join('; ') : null;
}

/** An optional body (get_info, preview_get_info): its reading, or the reason it cannot be used. */
export function readOptionalBody<T>(
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

/** Maps each entry of a nested list to a row, quarantining entries that are not objects or lack their campaign. */
export function childRows<T>(
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

export const flatExtra = <T>(r: TolerantRecord<T>) => extraBag().add(r.extra).json();
