/**
 * What each API method answers at a moment, before encoding: delivery tests (list, info, campaignGetStats, email
 * list, message), the seedlist and previews, with the lookups by campaign, X-CampaignID and date they share. Apart
 * from the server, which keeps HTTP, login and faults, so that this reads as the API's own behaviour.
 */
import { sendSageCampaignView } from './campaign-view';
import { formatSendSageDate, parseSendSageDate } from './dates';
import { sendSageMessageContent } from './message-content';
import { type SendSageCampaign, type SendSageData, type SendSagePreview, sendSagePreviewViews } from './model';
import { apiError, intval, unix } from './php-encoding';

export interface Answer {
  readonly ok: boolean;
  readonly body: unknown;
}

const success = (body: unknown): Answer => ({ ok: true, body });
const failure = (error: string): Answer => ({ ok: false, body: apiError(error) });

/** The method dispatcher over one account's data; `now` is the simulator's clock. */
export function createSendSageMethods(
  data: SendSageData,
  now: () => Date,
): (method: string | undefined, params: Map<string, string>) => Answer {
  const byId = new Map(data.campaigns.map((c) => [c.campaignId, c]));
  const byMessage = new Map<number, SendSageCampaign>();
  for (const c of data.campaigns) for (const row of c.seeds) byMessage.set(row.messageId, c);
  const previewsById = new Map(data.previews.map((p) => [p.previewId, p]));
  const nowSec = () => Math.floor(now().getTime() / 1000);

  const visibleCampaigns = (t: number) => data.campaigns.filter((c) => c.sentSec <= t);

  /** campaign_id wins; otherwise the test with that X-CampaignID nearest `date`, or the latest without one. */
  const findCampaign = (params: Map<string, string>, t: number, customerKey: string): SendSageCampaign | Answer => {
    const idText = customerKey === 'customer_defined_campaign_id' ? params.get('campaign_id') : undefined;
    if (idText !== undefined && idText !== '') {
      const c = byId.get(intval(idText));
      return c && c.sentSec <= t ? c : failure('Campaign not found');
    }
    const customerId = params.get(customerKey);
    if (customerId === undefined || customerId === '') {
      return failure(
        customerKey === 'customerid'
          ? 'Missing parameter: customerid'
          : 'Missing parameter: campaign_id or customer_defined_campaign_id',
      );
    }
    const matches = visibleCampaigns(t).filter((c) => c.customerDefinedCampaignId === customerId);
    if (matches.length === 0) return failure('Campaign not found');
    const dateText = params.get('date');
    if (dateText === undefined || dateText === '') return matches[matches.length - 1]!;
    const target = parseSendSageDate(dateText);
    if (target === null) return failure('Invalid date');
    let best = matches[0]!;
    for (const c of matches) {
      if (Math.abs(c.sentSec - target) <= Math.abs(best.sentSec - target)) best = c;
    }
    return best;
  };

  const isAnswer = (v: SendSageCampaign | Answer): v is Answer => 'ok' in v;

  const daysWindow = (params: Map<string, string>) => {
    const text = params.get('days');
    return text === undefined || text === '' ? 14 : intval(text);
  };

  // ---- answers

  const listItem = (c: SendSageCampaign | SendSagePreview, idKey: 'campaign_id' | 'preview_id') => ({
    [idKey]: 'campaignId' in c ? c.campaignId : c.previewId,
    date: formatSendSageDate(c.sentSec, c.colonOffset),
    date_unix: unix(c.sentSec, c.dateUnixAsString),
    from_address: c.fromAddress,
    from_name: c.fromName,
    from_domain: c.fromDomain,
    subject: c.subject,
    ...('campaignId' in c ? { customer_defined_campaign_id: c.customerDefinedCampaignId } : {}),
  });

  const testList = (params: Map<string, string>, t: number): Answer => {
    const since = t - daysWindow(params) * 86_400;
    const items = visibleCampaigns(t)
      .filter((c) => c.sentSec >= since)
      .reverse()
      .map((c) => listItem(c, 'campaign_id'));
    return success(items);
  };

  const testInfo = (c: SendSageCampaign, t: number, customerKey: string): Answer => {
    const view = sendSageCampaignView(c, data.isps, t);
    const spam = c.spam;
    const scored = view.spamProcessed;
    return success({
      success: 1,
      from_address: c.fromAddress,
      from_domain: c.fromDomain,
      from_name: c.fromName,
      subject: c.subject,
      [customerKey]: c.customerDefinedCampaignId,
      pct_inbox: view.pctInbox,
      pct_bulk: view.pctBulk,
      pct_missing: view.pctMissing,
      isp_stats: view.isps.map((i) => ({
        domain: i.domain,
        name: i.name,
        category: i.category,
        count_inbox: String(i.countInbox),
        count_bulk: String(i.countBulk),
        count_missing: String(i.countMissing),
        count_duplicate: String(i.countDuplicate),
        count_total: String(i.countTotal),
        pct_inbox: i.pctInbox,
        pct_bulk: i.pctBulk,
        pct_missing: i.pctMissing,
      })),
      spamassassin: {
        message_id: spam.messageId,
        time_processed: scored ? spam.processedSec : null,
        result: scored ? (Number(spam.score) >= Number(spam.required) ? 'Yes' : 'No') : '',
        score: scored ? spam.score : '',
        required: spam.required,
        version: scored ? spam.version : '',
        rules_matched: scored ? spam.rules.map((r) => ({ ...r })) : [],
        _status: view.status,
      },
    });
  };

  const emailList = (c: SendSageCampaign, t: number): Answer => {
    const view = sendSageCampaignView(c, data.isps, t);
    return success(
      view.rows.map((v) => ({
        message_id: v.row.messageId,
        isp: v.row.isp,
        address: v.row.address,
        username: v.row.username,
        domain: v.row.domain,
        from_address: c.fromAddress,
        time_collected: v.collectedSec === null ? '' : formatSendSageDate(v.collectedSec, v.row.colonOffset),
        time_collected_unix: v.collectedSec === null ? '' : unix(v.collectedSec, v.row.unixAsString),
        subject: c.subject,
        location: v.location,
        duplicate: v.row.duplicate,
      })),
    );
  };

  const messageGet = (params: Map<string, string>, t: number): Answer => {
    const text = params.get('message_id');
    if (text === undefined || text === '') return failure('Missing parameter: message_id');
    const messageId = intval(text);
    const c = byMessage.get(messageId);
    if (!c || c.sentSec > t) return failure('Message not found');
    const v = sendSageCampaignView(c, data.isps, t).rows.find((r) => r.row.messageId === messageId);
    // A duplicate copy does not exist before it is collected.
    if (!v) return failure('Message not found');
    const collected = v.collectedSec;
    return success({
      campaign_id: c.campaignId,
      message_id: v.row.messageId,
      seed_id: v.row.seedId,
      location: v.location,
      duplicate: v.row.duplicate,
      time_collected: collected === null ? '' : formatSendSageDate(collected, v.row.colonOffset),
      time_collected_unix: collected === null ? '' : unix(collected, v.row.unixAsString),
      from_address: c.fromAddress,
      from_name: c.fromName,
      subject: c.subject,
      content: collected === null ? null : sendSageMessageContent(data, c, v.row),
    });
  };

  const previewList = (params: Map<string, string>, t: number): Answer => {
    const since = t - daysWindow(params) * 86_400;
    const items = data.previews
      .filter((p) => p.sentSec <= t && p.sentSec >= since)
      .reverse()
      .map((p) => listItem(p, 'preview_id'));
    return success(items);
  };

  const previewInfo = (params: Map<string, string>, t: number): Answer => {
    const text = params.get('preview_id');
    if (text === undefined || text === '') return failure('Missing parameter: preview_id');
    const p = previewsById.get(intval(text));
    if (!p || p.sentSec > t) return failure('Preview not found');
    const applications: Record<string, unknown> = {};
    for (const app of p.applications) {
      const entry: Record<string, unknown> = { platform: app.platform, name: app.name };
      for (const view of sendSagePreviewViews) entry[view] = { ...app.views[view] };
      applications[app.appId] = entry;
    }
    return success({ applications });
  };

  const answer = (method: string | undefined, params: Map<string, string>): Answer => {
    const t = nowSec();
    switch (method) {
      case undefined:
      case '':
        return failure('No method specified');
      case 'delivery_test_list':
        return testList(params, t);
      case 'delivery_test_get_info': {
        const c = findCampaign(params, t, 'customer_defined_campaign_id');
        return isAnswer(c) ? c : testInfo(c, t, 'customer_defined_campaign_id');
      }
      case 'campaignGetStats': {
        const c = findCampaign(params, t, 'customerid');
        return isAnswer(c) ? c : testInfo(c, t, 'customerid');
      }
      case 'delivery_test_get_email_list': {
        const c = findCampaign(params, t, 'customer_defined_campaign_id');
        return isAnswer(c) ? c : emailList(c, t);
      }
      case 'delivery_message_get':
        return messageGet(params, t);
      case 'delivery_seedlist_get':
        return success({ seeds: [...data.seedlist] });
      case 'preview_list':
        return previewList(params, t);
      case 'preview_get_info':
        return previewInfo(params, t);
      default:
        return failure('Unknown method');
    }
  };

  return answer;
}
