import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalModules } from '../../infra/bundling';
import type { Json } from './synth';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..');

interface Assembly {
  template: {
    Resources: Record<string, { Type: string; Properties: Record<string, Json>; Metadata?: Record<string, Json> }>;
  };
  outdir: string;
  stderr: string;
  seconds: number;
}

/**
 * `npx cdk synth` through the real CLI, once, as CI runs it: no AWS credentials, no context lookups, handlers
 * bundled by the local esbuild, cdk-nag and CDK's built-in CloudFormation schema validation on.
 */
async function cliSynth(): Promise<Assembly> {
  const outdir = await mkdtemp(join(tmpdir(), 'inboxlake-cli-synth-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(AWS_|CDK_DEFAULT_)/.test(k)),
  ) as NodeJS.ProcessEnv;
  Object.assign(env, { CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true', CI: 'true' });
  const started = Date.now();
  const { stderr } = await run('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
    cwd: repoRoot,
    env,
    maxBuffer: 32 * 1024 * 1024,
  });
  const template = JSON.parse(await readFile(join(outdir, 'Inboxlake.template.json'), 'utf8'));
  return { template, outdir, stderr, seconds: (Date.now() - started) / 1000 };
}

describe('npx cdk synth (the real CLI, offline)', () => {
  let a: Assembly;
  beforeAll(async () => {
    a = await cliSynth();
  }, 240_000);
  afterAll(() => (a ? rm(a.outdir, { recursive: true, force: true }) : undefined));

  it('synthesizes the example config with no errors from cdk-nag or the CloudFormation schema validation', async () => {
    expect(a.stderr).not.toMatch(/\bERROR\b|Synthesis finished with errors/);
    const report = JSON.parse(await readFile(join(a.outdir, 'validation-report.json'), 'utf8'));
    const violations = (report.pluginReports as { violations?: { severity?: string }[] }[]).flatMap(
      (r) => r.violations ?? [],
    );
    expect(violations.filter((v) => v.severity !== 'warning')).toEqual([]);
    console.info(`cdk synth took ${a.seconds.toFixed(1)} s`);
  });

  it('bundles each handler as one ESM file with a source map, without native or CLI-only modules', async () => {
    const functions = Object.values(a.template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const assets = new Set(functions.map((f) => f.Metadata?.['aws:asset:path'] as string));
    // Every collector (both SocketLabs accounts, SendSage) runs the one collector handler: one bundle for them all,
    // one for the digest, one for the alerts.
    expect(assets.size).toBe(3);
    for (const asset of assets) {
      const dir = join(a.outdir, asset);
      const code = await readFile(join(dir, 'index.mjs'), 'utf8');
      expect((await stat(join(dir, 'index.mjs.map'))).size).toBeGreaterThan(0);
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
      for (const external of externalModules) expect(code).not.toContain(external);
      // The SDK is bundled (not taken from the runtime).
      expect(code).not.toMatch(/from\s*"@aws-sdk\//);
      console.info(`${asset}: ${(code.length / 1024).toFixed(0)} KiB`);
    }
  });
});
