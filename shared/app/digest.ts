import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SESClient } from '@aws-sdk/client-ses';
import type { DigestConfig } from '../config';
import { ConfigError } from '../core/errors';
import { buildDigestEmail, hardBouncesCsv } from '../digest/email';
import { computeDigest } from '../digest/metrics';
import { type Digest, digestJson } from '../digest/model';
import { renderDigest } from '../digest/render';
import { digestTables } from '../digest/roles';
import { sendDigest } from '../digest/send';
import type { ObjectStore } from '../lake/object-store';
import { type Logger, silentLogger } from '../log';
import { type Registry, sources } from '../sources';

export interface DigestRequest {
  readonly date: string;
  readonly timeZone: string;
  /** Folder for digest.json, .html, .txt and .eml; none: nothing is written locally. */
  readonly outDir?: string;
  readonly send: boolean;
  readonly force: boolean;
}

export interface DigestResult {
  readonly digest: Digest;
  readonly subject: string;
  readonly files: readonly string[];
  readonly sent: { sent: boolean; messageId?: string; reason?: string } | null;
}

/**
 * Computes a day's digest from the lake, writes its renderings, and sends it once (unless forced). Lake files that
 * cannot be read are named in a warning each and left out; the digest still goes out, marked incomplete.
 */
export async function produceDigest(
  store: ObjectStore,
  config: DigestConfig,
  request: DigestRequest,
  deps: { now: () => number; ses?: SESClient; log?: Logger; registry?: Registry },
): Promise<DigestResult> {
  const digest = await computeDigest(store, {
    date: request.date,
    timeZone: request.timeZone,
    now: deps.now(),
    thresholds: config.thresholds,
    tables: digestTables(deps.registry ?? sources),
  });
  const log = deps.log ?? silentLogger;
  for (const f of digest.unreadable_files) {
    log.warn(`digest ${digest.date}: left out unreadable lake file ${store.location}/${f.key}: ${f.error}`, {
      key: f.key,
    });
  }
  const { subject, html, text } = renderDigest(digest);
  const from = config.from ?? 'inboxlake@localhost';
  const raw = await buildDigestEmail({
    from,
    to: config.to.length ? [...config.to] : ['recipient@localhost'],
    subject,
    html,
    text,
    csv: hardBouncesCsv(digest),
    csvName: `hard-bounces-${digest.date}.csv`,
  });
  const files: string[] = [];
  if (request.outDir) {
    await mkdir(request.outDir, { recursive: true });
    for (const [name, body] of [
      ['digest.json', digestJson(digest)],
      ['digest.html', html],
      ['digest.txt', text],
      ['digest.eml', raw],
    ] as const) {
      const path = join(request.outDir, name);
      await writeFile(path, body);
      files.push(path);
    }
  }
  let sent: DigestResult['sent'] = null;
  if (request.send) {
    if (!config.from || config.to.length === 0) {
      throw new ConfigError('sending needs INBOXLAKE_DIGEST_FROM (a verified SES identity) and INBOXLAKE_DIGEST_TO');
    }
    const ses =
      deps.ses ??
      new SESClient({ region: config.region, ...(config.sesEndpoint ? { endpoint: config.sesEndpoint } : {}) });
    sent = await sendDigest({
      ses,
      store,
      date: digest.date,
      raw,
      from: config.from,
      to: [...config.to],
      force: request.force,
      now: deps.now,
    });
  }
  return { digest, subject, files, sent };
}
