import { googleChatPayload } from './google-chat';
import type { AlertNotice } from './notice';
import { slackPayload } from './slack';
import { teamsPayload } from './teams';

/** The chat tools an alert webhook may belong to. */
export const webhookKinds = ['slack', 'teams', 'google-chat'] as const;
export type WebhookKind = (typeof webhookKinds)[number];

/** How each tool is named in messages and errors (never the URL: it carries the token). */
export const webhookLabels: Record<WebhookKind, string> = {
  slack: 'Slack webhook',
  teams: 'Teams webhook',
  'google-chat': 'Google Chat webhook',
};

const hostKinds: readonly [RegExp, WebhookKind][] = [
  [/^hooks\.slack\.com$/, 'slack'],
  // Classic Office 365 connectors (<tenant>.webhook.office.com) and Workflows (Logic Apps / Power Automate) URLs.
  [/(^|\.)webhook\.office\.com$/, 'teams'],
  [/(^|\.)logic\.azure\.com$/, 'teams'],
  [/(^|\.)powerautomate\.com$/, 'teams'],
  [/^chat\.googleapis\.com$/, 'google-chat'],
];

/** The tool a webhook URL belongs to, from its host; null when the host is not one we know (set the kind then). */
export function webhookKindOf(url: string): WebhookKind | null {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
  return hostKinds.find(([re]) => re.test(host))?.[1] ?? null;
}

/** The JSON body a webhook of that kind takes for one notice. */
export function webhookPayload(kind: WebhookKind, notice: AlertNotice): unknown {
  switch (kind) {
    case 'slack':
      return slackPayload(notice);
    case 'teams':
      return teamsPayload(notice);
    case 'google-chat':
      return googleChatPayload(notice);
  }
}
