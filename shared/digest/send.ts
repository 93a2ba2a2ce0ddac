import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import * as z from 'zod';
import { InboxlakeError } from '../core/errors';
import { digestSentMarkerKey } from '../lake/layout';
import type { ObjectStore } from '../lake/object-store';

/**
 * What a day's marker holds: a claim (`claimedAt`) from the moment a run takes the day until its send is confirmed,
 * then the record of the send (`sentAt`, `messageId`).
 */
export const digestMarkerSchema = z.object({
  date: z.iso.date(),
  claimedAt: z.iso.datetime().optional(),
  sentAt: z.iso.datetime().optional(),
  messageId: z.string().nullable().optional(),
  to: z.array(z.string()),
});
export type DigestMarker = z.infer<typeof digestMarkerSchema>;

/** A digest could not be sent, or its marker not kept in step with what was sent. */
export class DigestSendError extends InboxlakeError {
  override name = 'DigestSendError';
}

export interface SendDigestOptions {
  readonly ses: SESClient;
  readonly store: ObjectStore;
  /** The digest's calendar day (YYYY-MM-DD); one e-mail per day unless forced. */
  readonly date: string;
  /** The MIME message from buildDigestEmail. */
  readonly raw: Buffer;
  /** The SES identity the message is sent as (the envelope sender). */
  readonly from: string;
  readonly to: readonly string[];
  /** Sends even when the day is already marked as sent (or claimed). */
  readonly force?: boolean;
  readonly now: () => number;
}

export interface SendDigestResult {
  sent: boolean;
  messageId?: string;
  reason?: string;
}

/**
 * Sends a day's digest through SES once. The day is claimed first with a conditional create of its marker, so of
 * two runs racing (the schedule and a manual invoke) exactly one sends; a failed send releases the claim so a retry
 * can send. A day already claimed or sent is skipped unless `force` is set.
 */
export async function sendDigest(opts: SendDigestOptions): Promise<SendDigestResult> {
  const key = digestSentMarkerKey(opts.date);
  const where = `${opts.store.location}/${key}`;
  if (opts.to.length === 0) throw new Error(`digest ${opts.date}: no recipients`);

  if (!opts.force) {
    const claim: DigestMarker = { date: opts.date, claimedAt: new Date(opts.now()).toISOString(), to: [...opts.to] };
    if (!(await opts.store.putIfAbsent(key, marker(claim), 'application/json'))) {
      return { sent: false, reason: skipReason(await opts.store.get(key), where) };
    }
  }

  let messageId: string | undefined;
  try {
    const out = await opts.ses.send(
      new SendRawEmailCommand({
        Source: opts.from,
        Destinations: [...opts.to],
        RawMessage: { Data: opts.raw },
      }),
    );
    messageId = out.MessageId;
  } catch (err) {
    // SDK errors carry the SES reason (e.g. MessageRejected: identity not verified) but not which identity we used.
    const name = err instanceof Error && err.name !== 'Error' ? `${err.name}: ` : '';
    const message = `SES SendRawEmail of digest ${opts.date} as '${opts.from}' to ${opts.to.length} recipient(s) failed: ${name}${err instanceof Error ? err.message : String(err)}`;
    if (!opts.force) {
      // Nothing went out: give the day back, or every retry would skip it as "being sent".
      try {
        await opts.store.delete([key]);
      } catch (releaseErr) {
        throw new DigestSendError(
          `${message}; its claim ${where} could not be released (${errorText(releaseErr)}), so retries will skip ` +
            'this day: delete the claim or send with force',
          { cause: err },
        );
      }
    }
    throw new DigestSendError(message, { cause: err });
  }

  const sent: DigestMarker = {
    date: opts.date,
    sentAt: new Date(opts.now()).toISOString(),
    messageId: messageId ?? null,
    to: [...opts.to],
  };
  try {
    await opts.store.putBytes(key, marker(sent), 'application/json');
  } catch (err) {
    // The mail is out and the claim (if any) still blocks a rerun; the record of the message id is what is lost.
    throw new DigestSendError(
      `digest ${opts.date} was sent (SES message ${messageId ?? 'unknown'}) but its marker ${where} could not be ` +
        `written${opts.force ? ', so a rerun would send it again' : ''}: ${errorText(err)}`,
      { cause: err },
    );
  }
  return messageId === undefined ? { sent: true } : { sent: true, messageId };
}

function marker(m: DigestMarker): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Why a day is skipped, from its marker: sent (when, as which message) or claimed by a run not yet confirmed. */
function skipReason(body: Buffer | null, where: string): string {
  // Gone between the refused create and this read: the other run's send failed and it released the day just now.
  if (body === null) return `another run claimed this day and released it (its send failed); send again (${where})`;
  let m: DigestMarker;
  try {
    m = digestMarkerSchema.parse(JSON.parse(body.toString('utf8')));
  } catch {
    // A damaged marker still means someone sent (or tried to send) this day; refusing is the safe default.
    return `already sent before (marker unreadable) (${where}); force to resend`;
  }
  if (m.sentAt)
    return `already sent at ${m.sentAt}${m.messageId ? ` as ${m.messageId}` : ''} (${where}); force to resend`;
  // A run that died between its claim and SES leaves only the claim; whether the mail went out is unknown, so it is
  // not sent again by itself (the DigestSent alarm tells that no send was confirmed).
  return (
    `already being sent: claimed at ${m.claimedAt ?? 'an unknown time'}, not confirmed sent (a run may still be ` +
    `sending, or died while sending) (${where}); force to resend`
  );
}
