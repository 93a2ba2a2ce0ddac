/**
 * The fixed tables v2 items are drawn from on top of the v1 vocabulary: the event kinds by the account's mix,
 * subjects that break naive CSV and HTML handling, and the sources and reasons of suppressions. Data, apart from the
 * item builders and the store that draw from it.
 */
import { type Rng, type WeightedTable, weightedTable } from '../random';
import type { V2EventMix } from './model';

/** The kinds of status event a generated item is (failure: failed, deferred or suppressed). */
export type V2EventKind = 'queued' | 'delivered' | 'failure' | 'complaint' | 'engagement';
export type Category = V2EventKind;

export function categoryTable(mix: V2EventMix): WeightedTable<Category> {
  return weightedTable<Category>([
    ['queued', mix.queued],
    ['delivered', mix.delivered],
    ['failure', mix.failure],
    ['complaint', mix.complaint],
    ['engagement', mix.engagement],
  ]);
}

type SubjectTemplate = (rng: Rng) => string | null;

/** Subjects chosen to break naive CSV, HTML and line-based handling as often as the reasons do. */
export const subjectTable = weightedTable<SubjectTemplate>([
  [(r) => `Your receipt #${r.int(10_000, 999_999)}`, 10],
  [(r) => `Order ${r.int(1000, 99_999)} has shipped, arriving "soon"`, 8],
  [() => 'Weekly digest: top 10 stories', 8],
  [() => 'Reset your password', 6],
  [() => 'Welcome aboard!', 6],
  [() => 'Ünïcödé Sommerangebote 🌞 bis zu 50% Rabatt', 2],
  [() => '【セール】本日限り・送料無料', 1],
  [() => '<b>Flash sale</b> & <script>alert(1)</script>', 1],
  [() => 'Re: invoice, "March", final\r\n reminder', 1],
  [() => '  leading and trailing spaces  ', 0.5],
  [() => '', 0.5],
  [() => null, 0.3],
]);

export const suppressionSourceTable = weightedTable<string>([
  ['Bounce', 50],
  ['Unsubscribe', 20],
  ['Manual', 12],
  ['Complaint', 10],
  ['Api', 8],
]);

export const unsubscribeReasons = [
  'List-Unsubscribe one-click',
  'Unsubscribed via link, "weekly digest"',
  'Désinscription — Ünïcödé ✉️',
];
export const manualReasons = [
  'Added by admin',
  'Imported from "old list.csv", row 12',
  '<b>manual</b> entry\r\nsecond line',
];
