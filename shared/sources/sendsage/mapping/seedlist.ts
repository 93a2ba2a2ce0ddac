import { emailDomain } from '../../records';
import { apiFailure, readers } from '../schemas';
import { extraBag, kindOf, listOf, nothing, only, type SendsageMapped, show } from './rows';

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
