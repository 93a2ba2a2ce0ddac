import { describe, expect, it } from 'vitest';
import { ApiRequestError, AuthenticationError } from '../../../shared/core/errors';
import type { SendSageClient } from '../../../shared/sources/sendsage/client';
import { campaignInfo } from '../../../shared/sources/sendsage/datasets';

/** A client that answers from a table of (method → result), recording each call. */
function fakeClient(answers: Record<string, unknown | Error>, calls: string[]): SendSageClient {
  return {
    call: async (method, params) => {
      const key = `${method}:${Object.keys(params).sort().join(',')}`;
      calls.push(key);
      const answer = answers[key];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

const item = { campaign_id: 5, customer_defined_campaign_id: 'news-1', date: '2026-11-20 T 10:00:00-0600' };
const notFound = new ApiRequestError('SendSage: Campaign not found', 404);

describe('campaignInfo fallbacks', () => {
  it('uses get_info by campaign id when it works', async () => {
    const calls: string[] = [];
    const info = await campaignInfo(
      fakeClient({ 'delivery_test_get_info:campaign_id': { success: 1 } }, calls),
      item,
      '5',
      new AbortController().signal,
    );
    expect(info).toEqual({ success: 1 });
    expect(calls).toEqual(['delivery_test_get_info:campaign_id']);
  });

  it('falls back to get_info by customer id and date, then to the legacy campaignGetStats', async () => {
    const calls: string[] = [];
    const client = fakeClient(
      {
        'delivery_test_get_info:campaign_id': notFound,
        'delivery_test_get_info:customer_defined_campaign_id,date': notFound,
        'campaignGetStats:customerid,date': { success: 1, customerid: 'news-1' },
      },
      calls,
    );
    expect(await campaignInfo(client, item, '5', new AbortController().signal)).toEqual({
      success: 1,
      customerid: 'news-1',
    });
    expect(calls).toEqual([
      'delivery_test_get_info:campaign_id',
      'delivery_test_get_info:customer_defined_campaign_id,date',
      'campaignGetStats:customerid,date',
    ]);
  });

  it('does not fall back on an authentication failure', async () => {
    const calls: string[] = [];
    const client = fakeClient(
      { 'delivery_test_get_info:campaign_id': new AuthenticationError('authentication failed') },
      calls,
    );
    await expect(campaignInfo(client, item, '5', new AbortController().signal)).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    expect(calls).toHaveLength(1);
  });
});

describe('field names across spellings', () => {
  it('reads camelCased keys of snake_case fields (message_id as messageId)', async () => {
    const { messageRow } = await import('../../../shared/sources/sendsage/mapping/messages');
    const body = {
      success: 1,
      campaignId: 716,
      messageId: 143422950,
      Location: 'bulk',
      timeCollected: '2011-12-31 T 19:33:31-0600',
      content: 'Authentication-Results: mx.example; spf=pass smtp.mailfrom=x; dkim=fail\nSubject: x\n\nbody',
    };
    const mapped = messageRow(716, Date.parse('2011-12-31T20:00:00Z'), body, 0);
    expect(mapped.quarantine).toEqual([]);
    expect([mapped.rows[0]?.message_id, mapped.rows[0]?.location, mapped.rows[0]?.spf, mapped.rows[0]?.dkim]).toEqual([
      143422950,
      'bulk',
      'pass',
      'fail',
    ]);
  });
});
