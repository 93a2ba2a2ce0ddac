import { type AlertNotice, noticeContent } from './notice';

/**
 * A Microsoft Teams webhook message: an Adaptive Card in the `message` + `attachments` envelope that Teams incoming
 * webhooks and the Workflows (Power Automate) "post to a channel when a webhook request is received" flow accept.
 * Shapes from Microsoft's docs:
 * https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook
 * (`type: "message"`, one attachment with `contentType: "application/vnd.microsoft.card.adaptive"`, `contentUrl`
 * null, the card in `content`), https://adaptivecards.io/explorer/ (AdaptiveCard, TextBlock, FactSet). Version 1.4:
 * the highest the Workflows card action renders everywhere.
 */

export interface TeamsTextBlock {
  readonly type: 'TextBlock';
  readonly text: string;
  readonly wrap: boolean;
  readonly size?: 'Small' | 'Default' | 'Medium' | 'Large';
  readonly weight?: 'Lighter' | 'Default' | 'Bolder';
  readonly color?: 'Default' | 'Good' | 'Warning' | 'Attention' | 'Accent';
  readonly isSubtle?: boolean;
  readonly fontType?: 'Default' | 'Monospace';
}

export interface TeamsFactSet {
  readonly type: 'FactSet';
  readonly facts: readonly { readonly title: string; readonly value: string }[];
}

export interface TeamsMessage {
  readonly type: 'message';
  readonly attachments: readonly {
    readonly contentType: 'application/vnd.microsoft.card.adaptive';
    readonly contentUrl: null;
    readonly content: {
      readonly $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
      readonly type: 'AdaptiveCard';
      readonly version: '1.4';
      readonly body: readonly (TeamsTextBlock | TeamsFactSet)[];
      readonly msteams: { readonly width: 'Full' };
    };
  }[];
}

/** The Teams message announcing one alert. */
export function teamsPayload(notice: AlertNotice): TeamsMessage {
  const c = noticeContent(notice);
  const color = c.kind === 'resolved' ? 'Good' : c.severity === 'critical' ? 'Attention' : 'Warning';
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: c.title, size: 'Large', weight: 'Bolder', color, wrap: true },
            {
              type: 'FactSet',
              facts: [
                { title: 'Where', value: c.where },
                { title: 'How far from normal', value: c.deviation },
                { title: 'Since', value: c.since },
                { title: 'Metric', value: c.metric },
              ],
            },
            { type: 'TextBlock', text: c.advice, wrap: true },
            {
              type: 'TextBlock',
              text: `Named query ${c.query.name} (Athena); locally: ${c.query.command}`,
              fontType: 'Monospace',
              isSubtle: true,
              wrap: true,
            },
          ],
          // Full width: the advice line is long and the default card is narrow.
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}
