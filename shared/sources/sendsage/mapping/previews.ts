import type { Row } from '../../../lake/table';
import { emailDomain, fieldKey } from '../../records';
import { entryOf, readers } from '../schemas';
import {
  extraBag,
  keepShadowed,
  kindOf,
  lower,
  nothing,
  noUsableId,
  noUsableTime,
  only,
  pickInstant,
  readOptionalBody,
  type SendsageMapped,
} from './rows';

const documentedViews = new Set(['thumbnail', 'images_on', 'images_off', 'preview_images_on', 'preview_images_off']);

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
