import * as z from 'zod';

/**
 * The documented shapes of the chat webhooks' messages, written from each tool's reference (not from our builders),
 * strict where the docs list every field, so a builder's typo or an over-long text fails here as the tool would
 * refuse it.
 */

// https://api.slack.com/reference/block-kit/composition-objects#text
const slackText = (max: number) =>
  z.strictObject({
    type: z.enum(['plain_text', 'mrkdwn']),
    text: z.string().min(1).max(max),
    emoji: z.boolean().optional(),
    verbatim: z.boolean().optional(),
  });

// https://api.slack.com/reference/block-kit/blocks
const slackBlock = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('header'),
    text: slackText(150).extend({ type: z.literal('plain_text') }),
    block_id: z.string().max(255).optional(),
  }),
  z
    .strictObject({
      type: z.literal('section'),
      text: slackText(3000).optional(),
      fields: z.array(slackText(2000)).min(1).max(10).optional(),
      block_id: z.string().max(255).optional(),
    })
    .refine((s) => s.text !== undefined || s.fields !== undefined, 'a section needs text or fields'),
  z.strictObject({ type: z.literal('context'), elements: z.array(slackText(3000)).min(1).max(10) }),
  z.strictObject({ type: z.literal('divider') }),
]);

/** https://api.slack.com/messaging/webhooks: `text` (the notification fallback when blocks are sent) and blocks. */
export const slackWebhookMessage = z.strictObject({
  text: z.string().min(1),
  blocks: z.array(slackBlock).min(1).max(50),
});

// https://adaptivecards.io/explorer/TextBlock.html, FactSet.html
const adaptiveElement = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('TextBlock'),
    text: z.string().min(1),
    wrap: z.boolean().optional(),
    size: z.enum(['Small', 'Default', 'Medium', 'Large', 'ExtraLarge']).optional(),
    weight: z.enum(['Lighter', 'Default', 'Bolder']).optional(),
    color: z.enum(['Default', 'Dark', 'Light', 'Accent', 'Good', 'Warning', 'Attention']).optional(),
    isSubtle: z.boolean().optional(),
    fontType: z.enum(['Default', 'Monospace']).optional(),
  }),
  z.strictObject({
    type: z.literal('FactSet'),
    facts: z.array(z.strictObject({ title: z.string().min(1), value: z.string().min(1) })).min(1),
  }),
]);

/**
 * https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
 * (#send-adaptive-cards-using-an-incoming-webhook): a `message` with one Adaptive Card attachment.
 */
export const teamsWebhookMessage = z.strictObject({
  type: z.literal('message'),
  attachments: z
    .array(
      z.strictObject({
        contentType: z.literal('application/vnd.microsoft.card.adaptive'),
        contentUrl: z.null(),
        content: z.strictObject({
          $schema: z.literal('http://adaptivecards.io/schemas/adaptive-card.json').optional(),
          type: z.literal('AdaptiveCard'),
          version: z.string().regex(/^1\.[0-5]$/),
          body: z.array(adaptiveElement).min(1),
          msteams: z.strictObject({ width: z.literal('Full') }).optional(),
        }),
      }),
    )
    .length(1),
});

// https://developers.google.com/workspace/chat/api/reference/rest/v1/cards (Card, CardHeader, Section, Widget)
const chatWidget = z.union([
  z.strictObject({
    decoratedText: z.strictObject({
      topLabel: z.string().optional(),
      text: z.string().min(1),
      bottomLabel: z.string().optional(),
      wrapText: z.boolean().optional(),
    }),
  }),
  z.strictObject({ textParagraph: z.strictObject({ text: z.string().min(1) }) }),
]);

/** https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages#Message: `text`, `cardsV2`. */
export const googleChatWebhookMessage = z
  .strictObject({
    text: z.string().optional(),
    cardsV2: z
      .array(
        z.strictObject({
          cardId: z.string().min(1),
          card: z.strictObject({
            header: z.strictObject({ title: z.string().min(1), subtitle: z.string().optional() }),
            sections: z
              .array(z.strictObject({ header: z.string().optional(), widgets: z.array(chatWidget).min(1) }))
              .min(1),
          }),
        }),
      )
      .min(1),
  })
  // "You can add up to 100 widgets per card. Any widgets beyond this limit are ignored."
  .refine((m) => m.cardsV2.every((c) => c.card.sections.flatMap((s) => s.widgets).length <= 100), 'over 100 widgets');

/** https://docs.aws.amazon.com/sns/latest/api/API_Publish.html: Subject ≤ 100 printable ASCII, no line breaks. */
export const snsSubject = z.string().regex(/^[\x21-\x7e][\x20-\x7e]{0,99}$/);
