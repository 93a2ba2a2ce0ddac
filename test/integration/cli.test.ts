import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startV1Simulator, type V1Simulator } from '../../shared/sandbox/socketlabs-v1/server';
import { runCli, startCli } from '../helpers/cli';
import {
  datasetsV1,
  KEY,
  lakeFiles,
  lakeRows,
  localStore,
  runCollection,
  scratch,
  simulatorEnv,
  truthRows,
  USER,
} from '../helpers/collect';

const SERVERS = [1234, 5678];
const FROM = '2026-11-10';
const TO = '2026-11-13';
const profile = (dataset: string, date: string) => {
  const busy = date === '2026-11-11' || date === '2026-11-13';
  const base = { queued: 2600, processed: 2400, failed: 700, complaints: 6, engagement: 900 }[dataset] ?? 0;
  return busy ? base : Math.floor(base / 20);
};

describe('the inboxlake CLI', () => {
  let sim: V1Simulator;
  beforeAll(async () => {
    sim = await startV1Simulator({
      seed: 21,
      serverIds: SERVERS,
      from: '2026-11-09',
      to: '2026-11-14',
      profile,
      username: USER,
      apiKey: KEY,
      requestsPerSecond: 40,
      burst: 2,
      faults: { probability: 0.1, kinds: ['5xx', 'truncated', 'recase', 'extra-fields'], seed: 4 },
    });
  });
  afterAll(() => sim.close());

  const cliEnv = (lake: string, tmp: string, extra: Record<string, string> = {}) => ({
    ...simulatorEnv(sim, SERVERS, { SOCKETLABS_REQUESTS_PER_SECOND: '30', SOCKETLABS_TIMEOUT_MS: '2000' }),
    INBOXLAKE_LAKE: lake,
    INBOXLAKE_TMP: tmp,
    ...extra,
  });

  it('wrong credentials: non-zero exit, says authentication failed, never prints the key, writes nothing', async () => {
    const lake = await scratch('badkey');
    const wrongKey = 'Wr0ng-K3y-s3cr3t-value';
    const res = await runCli(['collect', 'socketlabs', '--from', FROM, '--to', TO], {
      ...cliEnv(lake, await scratch('tmp')),
      SOCKETLABS_API_KEY: wrongKey,
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/authentication failed/);
    for (const output of [res.stdout, res.stderr]) {
      expect(output).not.toContain(wrongKey);
      expect(output).not.toContain(Buffer.from(`${USER}:${wrongKey}`).toString('base64'));
    }
    expect(await lakeFiles(lake, true)).toEqual([]);
  });

  it('a missing variable is named', async () => {
    const res = await runCli(['collect', 'socketlabs'], {
      SOCKETLABS_API_URL: sim.url,
      SOCKETLABS_USERNAME: USER,
      SOCKETLABS_API_KEY: KEY,
      INBOXLAKE_LAKE: await scratch('cfg'),
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/SOCKETLABS_SERVER_IDS is required/);
  });

  it('SIGKILL mid-run, then a re-run: the same lake as one uninterrupted run', async () => {
    const oneShot = await scratch('oneshot');
    await runCollection({ store: localStore(oneShot), env: simulatorEnv(sim, SERVERS), from: FROM, to: TO });

    const lake = await scratch('killed');
    const tmp = await scratch('tmp');
    const env = cliEnv(lake, tmp);
    const first = startCli(['collect', 'socketlabs', '--from', FROM, '--to', TO], env);
    // Kill once a few windows have landed, i.e. in the middle of the run.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if ((first.stdout().match(/ rows$/gm) ?? []).length >= 8) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const partial = await lakeFiles(lake);
    expect(partial.length).toBeGreaterThan(0);

    const again = await runCli(['collect', 'socketlabs', '--from', FROM, '--to', TO], env);
    expect(again.code, again.stderr).toBe(0);
    expect(await lakeFiles(lake)).toEqual(await lakeFiles(oneShot));
    for (const dataset of datasetsV1) {
      const rows = await lakeRows(lake, dataset);
      expect(rows, dataset).toEqual(await lakeRows(oneShot, dataset));
      expect(rows, dataset).toEqual(truthRows(sim, dataset, SERVERS, FROM, TO));
    }
    for (const f of (await lakeFiles(lake)).filter((p) => p.startsWith('_rollups'))) {
      expect(await readFile(join(lake, f), 'utf8'), f).toBe(await readFile(join(oneShot, f), 'utf8'));
    }
  });

  it('a truncated checkpoint: a warning naming it, only its server and dataset collected again, exit 0', async () => {
    const lake = await scratch('corrupt-checkpoint');
    const env = cliEnv(lake, await scratch('tmp'));
    const args = ['collect', 'socketlabs', '--from', FROM, '--to', TO, '--datasets', 'failed'];
    expect((await runCli(args, env)).code).toBe(0);
    const key = '_state/checkpoints/socketlabs-v1/5678/failed.json';
    const whole = await readFile(join(lake, key), 'utf8');
    await writeFile(join(lake, key), whole.slice(0, Math.floor(whole.length / 2)));
    // Before: exit 1, "unexpected error: Unterminated string in JSON…", naming no file; nothing collected.
    const res = await runCli(args, env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`checkpoint ${key} is unreadable`);
    // Server 1234's days are final and skipped; 5678's are collected again, and its checkpoint is whole again.
    expect(res.stdout).toMatch(/^socketlabs_failed\s+1234\s+json\s+0\s+4\s/m);
    expect(res.stdout).toMatch(/^socketlabs_failed\s+5678\s+json\s+4\s+0\s/m);
    expect(JSON.parse(await readFile(join(lake, key), 'utf8')).windows).toHaveLength(4);
    expect(await lakeRows(lake, 'failed')).toEqual(truthRows(sim, 'failed', SERVERS, FROM, TO));
  });

  it('query counts what collect landed', async () => {
    const lake = await scratch('query');
    const env = cliEnv(lake, await scratch('tmp'));
    expect(
      (await runCli(['collect', 'socketlabs', '--from', FROM, '--to', TO, '--datasets', 'failed'], env)).code,
    ).toBe(0);
    const res = await runCli(['query', 'select count(*) as n from socketlabs_failed'], env);
    expect(res.code, res.stderr).toBe(0);
    const n = truthRows(sim, 'failed', SERVERS, FROM, TO).length;
    expect(res.stdout).toMatch(new RegExp(`^\\s*${n}\\s*$`, 'm'));
  });
});
