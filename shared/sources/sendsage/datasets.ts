import { ApiRequestError } from '../../core/errors';
import { utcDay } from '../../core/windows';
import type { ItemDataset, ItemOutput, ItemTableOutput } from '../../engine/collect-items';
import type { Row, TableDef } from '../../lake/table';
import { parseApiTimestamp } from '../timestamps';
import type { SendSageClient } from './client';
import { campaignRows, campaignStatus, ispRows, ruleRows, seedRows } from './mapping/campaigns';
import { messageRow } from './mapping/messages';
import { previewRows } from './mapping/previews';
import type { SendsageMapped } from './mapping/rows';
import { seedlistRows } from './mapping/seedlist';
import { entryOf } from './schemas';
import {
  sendsageCampaigns,
  sendsageIspResults,
  sendsageMessages,
  sendsagePreviews,
  sendsageSeedlist,
  sendsageSeedResults,
  sendsageSpamRules,
} from './tables';

export const SENDSAGE = 'sendsage';

export interface SendSageDatasetOptions {
  /** How many days of tests and previews to list (the list calls have no paging). */
  readonly days: number;
  /** Which seed messages to fetch whole for their authentication headers. */
  readonly messages: 'non-inbox' | 'all' | 'none';
  readonly now: () => number;
}

/** A list answer is a bare array; anything else (an error body was already thrown) is read as no items. */
const asList = (body: unknown): unknown[] => (Array.isArray(body) ? body : []);

const field = (item: unknown, key: string) => entryOf(item, key)?.[1];

/** One table's part of an item: its rows (or quarantine) in the partition of the item's date. */
function output(table: TableDef, dt: string, mapped: SendsageMapped): ItemTableOutput {
  return { table, partition: { dt }, rows: mapped.rows, quarantine: mapped.quarantine };
}

/** Delivery tests: list the last `days`, then per campaign its info, seed placements and misplaced messages. */
export function sendsageCampaignDataset(client: SendSageClient, opts: SendSageDatasetOptions): ItemDataset<unknown> {
  return {
    source: SENDSAGE,
    dataset: 'campaigns',
    scope: 'account',
    list: async (signal) => asList(await client.call('delivery_test_list', { days: opts.days }, signal)),
    key: (item) => String(field(item, 'campaign_id') ?? `unkeyed-${JSON.stringify(item).length}`),
    async collect(item, signal): Promise<ItemOutput> {
      const ingestedAt = opts.now();
      const campaignId = String(field(item, 'campaign_id') ?? '');
      const info = await campaignInfo(client, item, campaignId, signal);
      const emailList = await client.call('delivery_test_get_email_list', { campaign_id: campaignId }, signal);
      const campaign = campaignRows(item, info, ingestedAt);
      const row: Row | undefined = campaign.rows[0];
      const id = typeof row?.campaign_id === 'number' ? row.campaign_id : Number(campaignId) || null;
      const sentAt = typeof row?.sent_at === 'number' ? row.sent_at : parseApiTimestamp(field(item, 'date'));
      // An item without a usable send date is quarantined in the partition of the day it was collected.
      const dt = utcDay(sentAt ?? ingestedAt);
      const seeds = seedRows(id, sentAt, emailList, ingestedAt);
      const messages: SendsageMapped = { rows: [], quarantine: [] };
      for (const seed of seeds.rows) {
        // A missing seed has no message to read; 'non-inbox' means the misplaced ones that did arrive (bulk).
        const misplaced = seed.location !== 'inbox' && seed.location !== 'missing';
        const wanted = opts.messages === 'all' || (opts.messages === 'non-inbox' && misplaced);
        if (!wanted || seed.message_id === null) continue;
        const body = await client.call('delivery_message_get', { message_id: String(seed.message_id) }, signal);
        const m = messageRow(id, sentAt, body, ingestedAt);
        messages.rows.push(...m.rows);
        messages.quarantine.push(...m.quarantine);
      }
      return {
        complete: campaignStatus(info) === 'done',
        tables: [
          output(sendsageCampaigns, dt, campaign),
          output(sendsageIspResults, dt, ispRows(id, sentAt, info, ingestedAt)),
          output(sendsageSpamRules, dt, ruleRows(id, sentAt, info, ingestedAt)),
          output(sendsageSeedResults, dt, seeds),
          output(sendsageMessages, dt, messages),
        ],
      };
    },
  };
}

/**
 * delivery_test_get_info by campaign id; where the API cannot find it that way, by the customer's own campaign id and
 * the send date (the API then picks the campaign nearest that date); and last the legacy campaignGetStats. Only a
 * "not found" falls back: authentication and transient failures propagate.
 */
export async function campaignInfo(client: SendSageClient, item: unknown, campaignId: string, signal: AbortSignal) {
  const customerId = field(item, 'customer_defined_campaign_id');
  const date = field(item, 'date_unix') ?? field(item, 'date');
  const dateParam: Record<string, string> =
    date === undefined || date === null || date === '' ? {} : { date: String(date) };
  const attempts: [string, Record<string, string>][] = [['delivery_test_get_info', { campaign_id: campaignId }]];
  if (typeof customerId === 'string' && customerId !== '') {
    attempts.push(['delivery_test_get_info', { customer_defined_campaign_id: customerId, ...dateParam }]);
    attempts.push(['campaignGetStats', { customerid: customerId, ...dateParam }]);
  }
  for (let i = 0; ; i++) {
    const [method, params] = attempts[i]!;
    try {
      return await client.call(method, params, signal);
    } catch (error) {
      if (!(error instanceof ApiRequestError) || i === attempts.length - 1) throw error;
    }
  }
}

/** Rendering previews: list the last `days`, then each preview's applications and views. */
export function sendsagePreviewDataset(client: SendSageClient, opts: SendSageDatasetOptions): ItemDataset<unknown> {
  return {
    source: SENDSAGE,
    dataset: 'previews',
    scope: 'account',
    list: async (signal) => asList(await client.call('preview_list', { days: opts.days }, signal)),
    key: (item) => String(field(item, 'preview_id') ?? `unkeyed-${JSON.stringify(item).length}`),
    async collect(item, signal): Promise<ItemOutput> {
      const ingestedAt = opts.now();
      const info = await client.call(
        'preview_get_info',
        { preview_id: String(field(item, 'preview_id') ?? '') },
        signal,
      );
      const mapped = previewRows(item, info, ingestedAt);
      const requestedAt = mapped.rows[0]?.requested_at;
      const dt = utcDay(
        typeof requestedAt === 'number' ? requestedAt : (parseApiTimestamp(field(item, 'date')) ?? ingestedAt),
      );
      // Previews have no running state in the API: what was rendered is final.
      return { complete: true, tables: [output(sendsagePreviews, dt, mapped)] };
    },
  };
}

/** The seed list, one snapshot per collection day (an item keyed by the day, so a re-run that day replaces it). */
export function sendsageSeedlistDataset(client: SendSageClient, opts: SendSageDatasetOptions): ItemDataset<unknown> {
  return {
    source: SENDSAGE,
    dataset: 'seedlist',
    scope: 'account',
    list: async (signal) => [await client.call('delivery_seedlist_get', {}, signal)],
    key: () => utcDay(opts.now()),
    async collect(body): Promise<ItemOutput> {
      const takenAt = opts.now();
      // Complete for the day, but a new day is a new key, so tomorrow's run takes a new snapshot.
      return {
        complete: false,
        tables: [output(sendsageSeedlist, utcDay(takenAt), seedlistRows(body, takenAt, takenAt))],
      };
    },
  };
}
