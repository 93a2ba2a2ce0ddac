import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import type { ObjectStore } from '../lake/object-store';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Lake key of the marker that records a digest day as sent. */
export function digestSentMarkerKey(date: string): string {
  if (!DATE.test(date)) throw new Error(`digest date '${date}' is not YYYY-MM-DD`);
  return `_state/digest/sent/${date}.json`;
}

/** What the sent marker holds. */
export interface DigestSentMarker {
  date: string;
  sentAt: string;
  messageId: string | null;
  to: string[];
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
  /** Sends even when the day is already marked as sent. */
  readonly force?: boolean;
  readonly now: () => number;
}

export interface SendDigestResult {
  sent: boolean;
  messageId?: string;
  reason?: string;
}

/** Sends a day's digest through SES once; a day already marked as sent is skipped unless `force` is set. */
export async function sendDigest(opts: SendDigestOptions): Promise<SendDigestResult> {
  const key = digestSentMarkerKey(opts.date);
  if (opts.to.length === 0) throw new Error(`digest ${opts.date}: no recipients`);

  if (!opts.force) {
    const existing = await opts.store.get(key);
    if (existing !== null) {
      return {
        sent: false,
        reason: `already sent ${describeMarker(existing)} (${opts.store.location}/${key}); force to resend`,
      };
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
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(
      `SES SendRawEmail of digest ${opts.date} as '${opts.from}' to ${opts.to.length} recipient(s) failed: ${name}${message}`,
      { cause: err },
    );
  }

  const marker: DigestSentMarker = {
    date: opts.date,
    sentAt: new Date(opts.now()).toISOString(),
    messageId: messageId ?? null,
    to: [...opts.to],
  };
  try {
    await opts.store.putBytes(key, `${JSON.stringify(marker, null, 2)}\n`, 'application/json');
  } catch (err) {
    // The mail is out; without the marker a rerun would send it twice, so whoever runs this must know.
    throw new Error(
      `digest ${opts.date} was sent (SES message ${messageId ?? 'unknown'}) but its marker ${opts.store.location}/${key} ` +
        `could not be written, so a rerun would send it again: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  return messageId === undefined ? { sent: true } : { sent: true, messageId };
}

function describeMarker(body: Buffer): string {
  try {
    const m = JSON.parse(body.toString('utf8')) as Partial<DigestSentMarker>;
    const parts = [m.sentAt ? `at ${m.sentAt}` : '', m.messageId ? `as ${m.messageId}` : ''].filter(Boolean);
    return parts.length > 0 ? parts.join(' ') : 'before';
  } catch {
    // A damaged marker still means someone sent (or tried to send) this day; refusing is the safe default.
    return 'before (marker unreadable)';
  }
}
