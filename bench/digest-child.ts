/**
 * The digest bench's measured case as its own program (`tsx bench/digest-child.ts <lake> <date> <zone>`), so its peak
 * RSS is the * digest's, loading what the digest Lambda loads: run through bench/run.ts, the case carried everything the other sections
 * import (aws-cdk-lib for the cost model, the simulators, the test helpers): 196 MB before reading anything.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { produceDigest } from '../shared/app/digest';
import { loadDigestConfig } from '../shared/config';
import { LocalFolderStore } from '../shared/lake/local-store';
import { peakRssMb } from './peak-rss';

export interface DigestChildResult {
  readonly seconds: number;
  readonly peakRssMb: number;
  /** The process's peak before the digest started: what loading its code costs. */
  readonly loadedRssMb: number;
  readonly summary: string;
}

/** The digest as `npm start` and the Lambda make it (compute, render, compose the e-mail, write files). */
async function digestChild(lake: string, date: string, timeZone: string): Promise<DigestChildResult> {
  const loadedRssMb = peakRssMb();
  const started = performance.now();
  const out = mkdtempSync(join(tmpdir(), 'bench-digest-out-'));
  const result = await produceDigest(
    new LocalFolderStore(lake),
    loadDigestConfig({}),
    { date, timeZone, outDir: out, send: false, force: false },
    { now: Date.now },
  );
  const seconds = (performance.now() - started) / 1000;
  const html = statSync(join(out, 'digest.html')).size;
  const s = result.digest.socketlabs.servers;
  rmSync(out, { recursive: true, force: true });
  return {
    seconds,
    peakRssMb: peakRssMb(),
    loadedRssMb,
    summary:
      `${s.length} servers, ${s.reduce((n, x) => n + x.processed, 0).toLocaleString('en-US')} processed, ` +
      `${result.digest.hard_bounced_total.toLocaleString('en-US')} hard-bounced addresses ` +
      `(${result.digest.hard_bounced_addresses.length.toLocaleString('en-US')} listed), ` +
      `HTML ${(html / 1024).toFixed(1)} KB`,
  };
}

process.stdout.write(`${JSON.stringify(await digestChild(process.argv[2]!, process.argv[3]!, process.argv[4]!))}\n`);
