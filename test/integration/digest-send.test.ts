import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESClient } from '@aws-sdk/client-ses';
import { simpleParser } from 'mailparser';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDigestEmail, hardBouncesCsv } from '../../shared/digest/email';
import { type Digest, definitions, digestSchema } from '../../shared/digest/model';
import { sendDigest } from '../../shared/digest/send';
import { digestSentMarkerKey } from '../../shared/lake/layout';
import { LocalFolderStore } from '../../shared/lake/local-store';
import { S3Store } from '../../shared/lake/s3-store';
import { type LocalS3, startLocalS3 } from '../helpers/s3';
import { loadSesEmulator, type StoredEmail } from '../helpers/ses';

const FROM = 'Inboxlake Digest <digest@example.com>';
const TO = ['ops@example.com', 'deliverability@example.org'];
const DATE = '2026-11-20';
const SUBJECT = 'Inboxlake digest 2026-11-20: 1 critical';
const HTML = '<html><body><h1>Digest 2026-11-20</h1><p>Bounce rate 4.2&nbsp;%</p></body></html>';
const TEXT = 'Digest 2026-11-20\n\nBounce rate 4.2 %\n';

const digest: Digest = digestSchema.parse({
  date: DATE,
  timezone: 'Europe/Berlin',
  window: { start: '2026-11-19T23:00:00.000Z', end: '2026-11-20T23:00:00.000Z' },
  generated_at: '2026-11-21T06:00:00.000Z',
  socketlabs: { servers: [] },
  sendsage: { campaigns: [] },
  alerts: [
    {
      severity: 'critical',
      scope: 'server 1234',
      metric: 'bounce_rate',
      value: 0.042,
      threshold: 0.02,
      advice: 'Check list hygiene.',
    },
  ],
  hard_bounced_total: 2,
  hard_bounced_addresses: [
    {
      server_id: 1234,
      address: 'alice@example.com',
      code: 2001,
      reason: '550 5.1.1 <alice@example.com>: user unknown',
    },
    { server_id: 1234, address: 'bob@example.net', code: null, reason: null },
    {
      server_id: 1234,
      address: '"odd, quoted"@example.org',
      code: 2002,
      reason: '550-5.1.1 The email account that you tried to reach does not exist, "really".\r\n550 5.1.1 Try again',
    },
    { server_id: 5678, address: 'carol@example.de', code: 3001, reason: 'mailbox full\nline two\rline three' },
    { server_id: 5678, address: 'dave@example.fr', code: 2001, reason: '' },
  ],
  definitions,
});

/** The hard bounces as the CSV should carry them: one line per reason, empty cells for null. */
const expectedRows = digest.hard_bounced_addresses.map((b) => ({
  server_id: String(b.server_id),
  address: b.address,
  code: b.code === null ? '' : String(b.code),
  reason: (b.reason ?? '').replace(/\r\n|[\r\n]/g, ' '),
}));

let dir: string;
let server: Server;
let endpoint: string;
let ses: SESClient;
let store: LocalFolderStore;

/** The digest's raw message, as the digest function builds it. */
function digestEmail(): Promise<Buffer> {
  return buildDigestEmail({
    from: FROM,
    to: TO,
    subject: SUBJECT,
    html: HTML,
    text: TEXT,
    csv: hardBouncesCsv(digest),
    csvName: `hard-bounces-${DATE}.csv`,
  });
}

/** An SES client on a closed port: the SDK fails the way an unreachable or refusing endpoint does. */
function deadSes(): SESClient {
  return new SESClient({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake-secret' },
    maxAttempts: 1,
  });
}

async function storedEmails(): Promise<StoredEmail[]> {
  const res = await fetch(`${endpoint}/store`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
}

function parseCsv(csv: string) {
  const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return { fields: parsed.meta.fields, rows: parsed.data };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inboxlake-digest-send-'));
  store = new LocalFolderStore(join(dir, 'lake'));
  const startSes = await loadSesEmulator();
  server = await startSes({ host: '127.0.0.1', port: 0 });
  // Port 0 lets the OS choose; the returned http.Server knows which one it bound.
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ses = new SESClient({
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake-secret' },
  });
});

afterAll(async () => {
  ses?.destroy();
  if (server) {
    // The SDK keeps sockets alive; close() alone would wait for them to time out.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('hardBouncesCsv', () => {
  it('writes a header row and one line per address, quoting commas and quotes', () => {
    const csv = hardBouncesCsv(digest);
    expect(csv.endsWith('\r\n')).toBe(true);
    const lines = csv.slice(0, -2).split('\r\n');
    expect(lines[0]).toBe('server_id,address,code,reason');
    expect(lines).toHaveLength(1 + digest.hard_bounced_addresses.length);
    expect(lines[2]).toBe('1234,bob@example.net,,');
    expect(lines[3]).toBe(
      '1234,"""odd, quoted""@example.org",2002,"550-5.1.1 The email account that you tried to reach does not exist, ""really"". 550 5.1.1 Try again"',
    );
    expect(parseCsv(csv)).toEqual({ fields: ['server_id', 'address', 'code', 'reason'], rows: expectedRows });
  });

  it('writes the header row for a day without hard bounces', () => {
    expect(hardBouncesCsv({ ...digest, hard_bounced_addresses: [] })).toBe('server_id,address,code,reason\r\n');
  });
});

describe('sendDigest against aws-ses-v2-local', () => {
  let raw: Buffer;

  it('builds a multipart/mixed message with text and HTML alternatives and the CSV', async () => {
    raw = await digestEmail();
    const head = raw.toString('utf8');
    expect(head).toMatch(/^Content-Type: multipart\/mixed;/m);
    expect(head).toMatch(/^Content-Type: multipart\/alternative;/m);
    const local = await simpleParser(raw);
    expect(local.subject).toBe(SUBJECT);
    expect(local.text).toBe(TEXT);
    expect(local.html).toBe(HTML);
    expect(local.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      [`hard-bounces-${DATE}.csv`, 'text/csv'],
    ]);
    expect(parseCsv(local.attachments[0]!.content.toString('utf8')).rows).toEqual(expectedRows);
  });

  it('sends the digest and the emulator receives HTML, text and a CSV that parses back to the addresses', async () => {
    const before = (await storedEmails()).length;
    const result = await sendDigest({
      ses,
      store,
      date: DATE,
      raw,
      from: FROM,
      to: TO,
      now: () => Date.UTC(2026, 10, 21, 6),
    });
    expect(result.sent).toBe(true);
    expect(result.messageId).toEqual(expect.any(String));

    const emails = await storedEmails();
    expect(emails).toHaveLength(before + 1);
    const stored = emails.at(-1)!;
    expect(stored.messageId).toBe(result.messageId);
    expect(stored.subject).toBe(SUBJECT);
    expect(stored.from).toContain('digest@example.com');
    // The emulator joins several To addresses into one string.
    expect(stored.destination.to.join(', ')).toBe(TO.join(', '));
    expect(stored.body.html).toBe(HTML);
    expect(stored.body.text).toBe(TEXT);
    expect(stored.attachments).toHaveLength(1);
    const attachment = stored.attachments[0]!;
    expect(attachment.filename).toBe(`hard-bounces-${DATE}.csv`);
    expect(attachment.contentType).toBe('text/csv');
    const csv = Buffer.from(attachment.content, 'base64').toString('utf8');
    expect(parseCsv(csv).rows).toEqual(expectedRows);

    // The emulator rebuilds the .eml from its stored parts; it passes the base64 attachment content to nodemailer as
    // text, so the attachment comes back encoded twice. The CSV is checked above from its own parse of what it got.
    const emlRes = await fetch(`${endpoint}/get-emlContent?messageId=${encodeURIComponent(stored.messageId)}`);
    expect(emlRes.status).toBe(200);
    const eml = (await emlRes.json()) as { body: { type: 'Buffer'; data: number[] } };
    const parsed = await simpleParser(Buffer.from(eml.body.data));
    expect(parsed.subject).toBe(SUBJECT);
    expect(parsed.html).toBe(HTML);
    expect(parsed.text).toBe(TEXT);
    expect(parsed.attachments.map((a) => a.filename)).toEqual([`hard-bounces-${DATE}.csv`]);

    const marker = JSON.parse((await store.get(digestSentMarkerKey(DATE)))!.toString('utf8'));
    expect(marker).toEqual({ date: DATE, sentAt: '2026-11-21T06:00:00.000Z', messageId: result.messageId, to: TO });
  });

  it('refuses a second send of the same date without force, and the emulator receives nothing', async () => {
    const before = await storedEmails();
    const result = await sendDigest({ ses, store, date: DATE, raw, from: FROM, to: TO, now: () => Date.now() });
    expect(result.sent).toBe(false);
    expect(result.messageId).toBeUndefined();
    expect(result.reason).toMatch(/^already sent /);
    expect(result.reason).toContain('2026-11-21T06:00:00.000Z');
    expect(await storedEmails()).toHaveLength(before.length);
  });

  it('sends again with force and rewrites the marker', async () => {
    const before = (await storedEmails()).length;
    const first = JSON.parse((await store.get(digestSentMarkerKey(DATE)))!.toString('utf8'));
    const result = await sendDigest({
      ses,
      store,
      date: DATE,
      raw,
      from: FROM,
      to: TO,
      force: true,
      now: () => Date.UTC(2026, 10, 21, 9),
    });
    expect(result.sent).toBe(true);
    expect(result.messageId).not.toBe(first.messageId);
    const emails = await storedEmails();
    expect(emails).toHaveLength(before + 1);
    expect(emails.at(-1)!.messageId).toBe(result.messageId);
    const marker = JSON.parse((await store.get(digestSentMarkerKey(DATE)))!.toString('utf8'));
    expect(marker).toMatchObject({ sentAt: '2026-11-21T09:00:00.000Z', messageId: result.messageId });
  });

  it('sends a different date independently of the first', async () => {
    const result = await sendDigest({ ses, store, date: '2026-11-21', raw, from: FROM, to: TO, now: () => Date.now() });
    expect(result.sent).toBe(true);
    expect(await store.list('_state/digest/sent/')).toEqual([
      '_state/digest/sent/2026-11-20.json',
      '_state/digest/sent/2026-11-21.json',
    ]);
  });

  it('names the sender identity when SES refuses, and writes no marker', async () => {
    const dead = deadSes();
    try {
      const attempt = sendDigest({
        ses: dead,
        store,
        date: '2026-11-22',
        raw,
        from: FROM,
        to: TO,
        now: () => Date.now(),
      });
      await expect(attempt).rejects.toThrow(
        /SES SendRawEmail of digest 2026-11-22 as 'Inboxlake Digest <digest@example\.com>'/,
      );
      await expect(attempt).rejects.not.toThrow(/fake-secret|AKIAFAKE/);
    } finally {
      dead.destroy();
    }
    expect(await store.get(digestSentMarkerKey('2026-11-22'))).toBeNull();
  });

  it('two concurrent sends of the same date send exactly one e-mail', async () => {
    const before = (await storedEmails()).length;
    // A manual invoke beside the scheduled one: both start before either has sent.
    const send = () => sendDigest({ ses, store, date: '2026-11-23', raw, from: FROM, to: TO, now: () => Date.now() });
    const results = await Promise.all([send(), send(), send()]);
    expect(results.filter((r) => r.sent)).toHaveLength(1);
    for (const r of results.filter((x) => !x.sent)) expect(r.reason).toMatch(/^already (sent|being sent)/);
    expect(await storedEmails()).toHaveLength(before + 1);
    const marker = JSON.parse((await store.get(digestSentMarkerKey('2026-11-23')))!.toString('utf8'));
    expect(marker).toMatchObject({ date: '2026-11-23', messageId: results.find((r) => r.sent)!.messageId });
  });

  it('releases the claim when SES fails, so a retry sends', async () => {
    const dead = deadSes();
    try {
      await expect(
        sendDigest({ ses: dead, store, date: '2026-11-24', raw, from: FROM, to: TO, now: () => Date.now() }),
      ).rejects.toThrow(/SES SendRawEmail of digest 2026-11-24/);
    } finally {
      dead.destroy();
    }
    expect(await store.get(digestSentMarkerKey('2026-11-24'))).toBeNull();
    const before = (await storedEmails()).length;
    const retry = await sendDigest({ ses, store, date: '2026-11-24', raw, from: FROM, to: TO, now: () => Date.now() });
    expect(retry.sent).toBe(true);
    expect(await storedEmails()).toHaveLength(before + 1);
  });

  it('a claim left by a run that died while sending blocks a rerun, says so, and force overrides it', async () => {
    const key = digestSentMarkerKey('2026-11-25');
    await store.putBytes(
      key,
      JSON.stringify({ date: '2026-11-25', claimedAt: '2026-11-26T06:00:00.000Z', to: TO }),
      'application/json',
    );
    const before = (await storedEmails()).length;
    const rerun = await sendDigest({ ses, store, date: '2026-11-25', raw, from: FROM, to: TO, now: () => Date.now() });
    expect(rerun.sent).toBe(false);
    expect(rerun.reason).toMatch(/^already being sent: claimed at 2026-11-26T06:00:00\.000Z, not confirmed sent/);
    expect(rerun.reason).toContain('force to resend');
    expect(await storedEmails()).toHaveLength(before);
    const forced = await sendDigest({
      ses,
      store,
      date: '2026-11-25',
      raw,
      from: FROM,
      to: TO,
      force: true,
      now: () => Date.now(),
    });
    expect(forced.sent).toBe(true);
    expect(await storedEmails()).toHaveLength(before + 1);
  });

  it('refuses a date that is not YYYY-MM-DD before touching SES', async () => {
    await expect(
      sendDigest({ ses, store, date: '../2026-11-20', raw, from: FROM, to: TO, now: () => Date.now() }),
    ).rejects.toThrow(/not YYYY-MM-DD/);
  });
});

describe('sendDigest on S3 (s3rver behind the test proxy that enforces conditional writes as S3 does)', () => {
  let s3: LocalS3;
  let s3store: S3Store;
  let raw: Buffer;
  beforeAll(async () => {
    s3 = await startLocalS3();
    s3store = new S3Store({ client: s3.client, bucket: s3.bucket, prefix: 'lake' });
    raw = await digestEmail();
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('S3Store.putIfAbsent reads the 412 of an existing key as "exists" and keeps the first body', async () => {
    expect(await s3store.putIfAbsent('_state/claims/x.json', 'first', 'application/json')).toBe(true);
    expect(await s3store.putIfAbsent('_state/claims/x.json', 'second', 'application/json')).toBe(false);
    expect((await s3store.get('_state/claims/x.json'))?.toString()).toBe('first');
  });

  it('three concurrent sends of the same date send exactly one e-mail', async () => {
    const before = (await storedEmails()).length;
    const send = () =>
      sendDigest({ ses, store: s3store, date: '2026-12-01', raw, from: FROM, to: TO, now: () => Date.now() });
    const results = await Promise.all([send(), send(), send()]);
    expect(results.filter((r) => r.sent)).toHaveLength(1);
    for (const r of results.filter((x) => !x.sent)) expect(r.reason).toContain('s3://inboxlake-test/lake/');
    expect(await storedEmails()).toHaveLength(before + 1);
    const marker = JSON.parse((await s3store.get(digestSentMarkerKey('2026-12-01')))!.toString('utf8'));
    expect(marker).toMatchObject({ date: '2026-12-01', messageId: results.find((r) => r.sent)!.messageId });
  });
});
