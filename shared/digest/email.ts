import MailComposer from 'nodemailer/lib/mail-composer';
import Papa from 'papaparse';
import type { Digest } from './model';

const CSV_FIELDS = ['server_id', 'address', 'code', 'reason'] as const;

// Bounce reasons are remote servers' SMTP replies, often multi-line; one CSV record per address keeps the file usable
// by line-oriented tools and suppression-list importers, quoting alone would not.
const NEWLINES = /\r\n|[\r\n\u2028\u2029]/g;

function oneLine(value: string | null): string {
  return value === null ? '' : value.replace(NEWLINES, ' ');
}

/**
 * The day's hard-bounced addresses as CSV (header row, RFC 4180 quoting, CRLF-terminated, formula-like cells
 * neutralised), for the attachment.
 */
export function hardBouncesCsv(d: Digest): string {
  const data = d.hard_bounced_addresses.map((b) => [
    b.server_id,
    oneLine(b.address),
    b.code === null ? '' : b.code,
    oneLine(b.reason),
  ]);
  // The {fields, data} form writes the header row even when the day had no hard bounces; papaparse then ends with a
  // line break but otherwise does not, so every record is terminated here to make both cases alike.
  // Addresses and reasons are written by strangers (remote servers, whoever typed the address); a spreadsheet opening
  // the attachment would run a cell starting with = + - @ tab or CR as a formula. escapeFormulae prefixes those with
  // an apostrophe (OWASP's CSV-injection advice), which spreadsheets show as text; numbers are left as they are.
  const csv = Papa.unparse({ fields: [...CSV_FIELDS], data }, { header: true, newline: '\r\n', escapeFormulae: true });
  return csv.endsWith('\r\n') ? csv : `${csv}\r\n`;
}

export interface DigestEmailParts {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly csv: string;
  /** File name of the CSV attachment, e.g. `hard-bounces-2026-11-20.csv`. */
  readonly csvName: string;
}

/** The digest as a raw MIME message (text + HTML alternatives, CSV attachment), for SendRawEmail and `digest.eml`. */
export async function buildDigestEmail(parts: DigestEmailParts): Promise<Buffer> {
  if (parts.to.length === 0) throw new Error('digest e-mail needs at least one recipient');
  const composer = new MailComposer({
    from: parts.from,
    to: [...parts.to],
    subject: parts.subject,
    text: parts.text,
    html: parts.html,
    attachments: [
      {
        filename: parts.csvName,
        content: parts.csv,
        contentType: 'text/csv; charset=utf-8',
      },
    ],
  });
  return composer.compile().build();
}
