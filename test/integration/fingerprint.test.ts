/**
 * Fingerprint of `npm start` over a fixed simulated week: the lake (file list, rows, checkpoints) and the digest that
 * the built-in simulators (SocketLabs v1, v2 and SendSage) produce, compared with test/fixtures/fingerprint/week.json.
 * It exists so that a change meant to keep behaviour (a refactoring) proves it: any difference in a file name, a row,
 * a checkpoint or digest.json fails here, and the golden file's diff shows where.
 *
 * When a change is MEANT to alter the output, rewrite the golden file and review its diff:
 *   INBOXLAKE_UPDATE_FINGERPRINT=1 npx vitest run test/integration/fingerprint.test.ts
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli';
import { scratch } from '../helpers/collect';
import { type FolderFingerprint, fingerprintDifferences, fingerprintFolder } from '../helpers/fingerprint';
import { startFrozen } from '../helpers/start';

const GOLDEN = join(repoRoot, 'test/fixtures/fingerprint/week.json');
const update = process.env.INBOXLAKE_UPDATE_FINGERPRINT === '1';

/**
 * The wall clock, frozen (see startFrozen). The simulators' data comes from their default seed (1); the random API
 * keys, password and loopback ports that start draws never reach the lake or the digest.
 */
const NOW = Date.UTC(2026, 10, 18, 15, 30, 0);
const TIME_ZONE = 'America/New_York';
/**
 * State, digest.json and alerts.json in full, so a diff names the changed field; rollups (derived counts, large) by hash. With
 * Date frozen every wall-clock field (completedAt, collectedAt, generated_at) reads NOW on every run, so nothing is
 * normalised: a field that started to read a different time would be a change worth seeing.
 */
const inFull = (path: string) =>
  path.startsWith('_state/') || path.endsWith('/digest.json') || path.endsWith('/alerts.json');

/** `npm start` in a scratch folder (its outbox lands in the working directory); the lake and outbox fingerprinted. */
async function startWeek(sandbox: 'v1' | 'v2'): Promise<{ lake: FolderFingerprint; outbox: FolderFingerprint }> {
  const dir = await scratch(`fingerprint-${sandbox}`);
  const env: Record<string, string> = {
    INBOXLAKE_LAKE: join(dir, 'lake'),
    INBOXLAKE_TIMEZONE: TIME_ZONE,
    ...(sandbox === 'v1' ? { INBOXLAKE_SANDBOX: 'v1' } : {}),
  };
  const { code, output } = await startFrozen(dir, env, NOW);
  expect(code, output).toBe(0);
  const fingerprint = {
    lake: await fingerprintFolder(join(dir, 'lake'), inFull),
    outbox: await fingerprintFolder(join(dir, 'outbox'), inFull),
  };
  await rm(dir, { recursive: true, force: true });
  return fingerprint;
}

describe('fingerprint of a simulated week (npm start with SocketLabs v1, v2 and SendSage)', () => {
  it('collects the same lake and writes the same digest as the golden file', async () => {
    const actual = { v1: await startWeek('v1'), v2: await startWeek('v2') };
    const text = `${JSON.stringify(actual, null, 2)}\n`;
    if (update) {
      await mkdir(dirname(GOLDEN), { recursive: true });
      await writeFile(GOLDEN, text);
    }
    const golden = JSON.parse(await readFile(GOLDEN, 'utf8')) as typeof actual;
    // The list of differing files first (readable at a glance), then the full comparison for the values.
    const differences = (['v1', 'v2'] as const).flatMap((run) =>
      (['lake', 'outbox'] as const).flatMap((part) =>
        fingerprintDifferences(actual[run][part].files, golden[run]?.[part]?.files ?? {}).map(
          (d) => `${run} ${part}/${d}`,
        ),
      ),
    );
    expect(differences, 'files that differ from test/fixtures/fingerprint/week.json').toEqual([]);
    expect(actual).toEqual(golden);
  }, 300_000); // two `npm start` runs: about 35 s on an idle 2-core machine, the margin is for a busy one
});
