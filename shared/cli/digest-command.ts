import { resolve } from 'node:path';
import { produceDigest } from '../app/digest';
import { type LakeConfig, loadDigestConfig } from '../config';
import { createRedactor } from '../core/redact';
import { yesterdayIn } from '../digest/day';
import type { ObjectStore } from '../lake/object-store';
import { createLogger } from '../log';

export interface DigestArgs {
  readonly date?: string;
  readonly timezone?: string;
  readonly out?: string;
  readonly send: boolean;
  readonly force: boolean;
}

/** `inboxlake digest`: writes digest.json/.html/.txt/.eml and, with --send, sends it through SES once. */
export async function runDigest(
  args: DigestArgs,
  env: Record<string, string | undefined>,
  _lake: LakeConfig,
  store: ObjectStore,
) {
  const config = loadDigestConfig(env);
  const timeZone = args.timezone ?? config.timeZone;
  const date = args.date ?? yesterdayIn(timeZone);
  const outDir = resolve(args.out ?? `outbox/${date}`);
  const result = await produceDigest(
    store,
    config,
    { date, timeZone, outDir, send: args.send, force: args.force },
    { now: Date.now, log: createLogger({ redact: createRedactor([]), json: false }) },
  );
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(result.subject);
  for (const f of result.files) out(`  ${f}`);
  if (result.sent)
    out(result.sent.sent ? `sent (SES message id ${result.sent.messageId})` : `not sent: ${result.sent.reason}`);
  return 0;
}
