import { type AlertNotice, noticeContent } from './notice';

/**
 * A Slack incoming-webhook message: Block Kit `blocks` and a `text` that Slack shows in notifications and wherever
 * blocks cannot be shown. Shapes and limits from Slack's docs:
 * https://api.slack.com/messaging/webhooks (POST JSON with `text` and optional `blocks`),
 * https://api.slack.com/reference/block-kit/blocks (header: plain_text ≤ 150 chars; section: text ≤ 3000 chars,
 * up to 10 `fields` of ≤ 2000 chars; context: up to 10 elements),
 * https://api.slack.com/reference/surfaces/formatting#escaping (escape &, < and > in mrkdwn).
 */

export interface SlackText {
  readonly type: 'plain_text' | 'mrkdwn';
  readonly text: string;
  readonly emoji?: boolean;
}

export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | { readonly type: 'divider' };

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/** Slack reads &, < and > as markup (`<!channel>` would ping everyone): the alert's words are escaped. */
export const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

const marks = { critical: ':red_circle:', warning: ':large_orange_circle:', resolved: ':large_green_circle:' };

/** The Slack message announcing one alert. */
export function slackPayload(notice: AlertNotice): SlackMessage {
  const c = noticeContent(notice);
  const mark = c.kind === 'resolved' ? marks.resolved : marks[c.severity];
  const mrkdwn = (text: string, max: number): SlackText => ({ type: 'mrkdwn', text: cut(text, max) });
  return {
    text: cut(`${c.title}: ${c.where}: ${c.deviation}`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cut(c.title, 150), emoji: true } },
      {
        type: 'section',
        fields: [
          mrkdwn(`*Where*\n${mark} ${slackEscape(c.where)}`, 2000),
          mrkdwn(`*Since*\n${slackEscape(c.since)}`, 2000),
          mrkdwn(`*How far from normal*\n${slackEscape(c.deviation)}`, 2000),
          mrkdwn(`*Metric*\n\`${c.metric}\``, 2000),
        ],
      },
      { type: 'section', text: mrkdwn(`*Advice*\n${slackEscape(c.advice)}`, 3000) },
      {
        type: 'context',
        elements: [
          mrkdwn(
            `Named query \`${c.query.name}\` (Athena) · locally \`${c.query.command}\` · alert \`${slackEscape(c.alertId)}\``,
            2000,
          ),
        ],
      },
    ],
  };
}
