import { type AlertNotice, noticeContent } from './notice';

/**
 * A Google Chat incoming-webhook message: one `cardsV2` card (header, then sections of widgets). Shapes from
 * Google's docs: https://developers.google.com/workspace/chat/quickstart/webhooks (POST a Message as JSON),
 * https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages#Message (`cardsV2[]`:
 * `cardId` + `card`), https://developers.google.com/workspace/chat/api/reference/rest/v1/cards (CardHeader
 * `title`/`subtitle`, Section `header`/`widgets`, DecoratedText `topLabel`/`text`/`wrapText`, TextParagraph).
 * `text` is left out: Chat would show it above the card, saying everything twice.
 */

export type ChatWidget =
  | { readonly decoratedText: { readonly topLabel: string; readonly text: string; readonly wrapText: boolean } }
  | { readonly textParagraph: { readonly text: string } };

export interface GoogleChatMessage {
  readonly cardsV2: readonly {
    readonly cardId: string;
    readonly card: {
      readonly header: { readonly title: string; readonly subtitle: string };
      readonly sections: readonly { readonly header?: string; readonly widgets: readonly ChatWidget[] }[];
    };
  }[];
}

/** Chat's card text takes a small HTML subset: the alert's words are escaped. */
const chatEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The Google Chat message announcing one alert. */
export function googleChatPayload(notice: AlertNotice): GoogleChatMessage {
  const c = noticeContent(notice);
  const fact = (topLabel: string, text: string): ChatWidget => ({
    decoratedText: { topLabel, text: chatEscape(text), wrapText: true },
  });
  return {
    cardsV2: [
      {
        // Unique within the message; the alert id keeps one card per incident recognisable.
        cardId: `inboxlake-${c.alertId.replace(/[^A-Za-z0-9-]/g, '-')}`,
        card: {
          header: { title: c.title, subtitle: c.where },
          sections: [
            {
              widgets: [fact('How far from normal', c.deviation), fact('Since', c.since), fact('Metric', c.metric)],
            },
            {
              header: 'Advice',
              widgets: [
                { textParagraph: { text: chatEscape(c.advice) } },
                {
                  textParagraph: {
                    text: `Named query <b>${c.query.name}</b> (Athena); locally: <code>${chatEscape(c.query.command)}</code>`,
                  },
                },
              ],
            },
          ],
        },
      },
    ],
  };
}
