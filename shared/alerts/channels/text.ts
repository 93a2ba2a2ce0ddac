import { type AlertNotice, noticeContent } from './notice';

/**
 * The plain-text form of a notice: an SNS Subject and Message (e-mail and SMS subscribers read exactly this). SNS
 * limits from https://docs.aws.amazon.com/sns/latest/api/API_Publish.html: Subject ≤ 100 characters, ASCII, starting
 * with a letter, number or punctuation mark, no line breaks or control characters; Message ≤ 256 KB.
 */

export const SNS_SUBJECT_MAX = 100;

export interface TextMessage {
  readonly subject: string;
  readonly message: string;
}

/** Non-ASCII (the title's "·", a domain in Unicode) and control characters become plain ASCII for the Subject. */
const asciiSubject = (s: string) =>
  s
    .replace(/·/g, '-')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/\s+/g, ' ')
    .trim();

/** The Subject and Message announcing one alert. */
export function textMessage(notice: AlertNotice): TextMessage {
  const c = noticeContent(notice);
  const full = asciiSubject(`inboxlake ${c.severity.toUpperCase()} ${c.kind}: ${c.metric} at ${c.where}`);
  const subject = full.length > SNS_SUBJECT_MAX ? `${full.slice(0, SNS_SUBJECT_MAX - 3)}...` : full;
  const message = [
    c.title,
    '',
    `Where:               ${c.where}`,
    `How far from normal: ${c.deviation}`,
    `Since:               ${c.since}`,
    `Metric:              ${c.metric}`,
    '',
    `Advice: ${c.advice}`,
    '',
    `Named query: ${c.query.name} (Athena); locally: ${c.query.command}`,
    `Alert id: ${c.alertId}`,
    '',
  ].join('\n');
  return { subject, message };
}
