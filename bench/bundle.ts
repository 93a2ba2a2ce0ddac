/**
 * `npm run bench bundle`: each Lambda handler bundled with the stack's own esbuild options (infra/bundling.ts), its
 * size (bytes and gzipped) and its cold-init time: in a fresh `node` process, how long `await import(bundle)` takes
 * (median of several processes), with the environment the stack gives the function and harmless local values, so
 * the import runs exactly the module-load work of a cold start and nothing reaches the network. Wall time on a
 * shared machine is noisy; the CPU column (user + system time of the child during the import) is the steadier one.
 * Lambda gives a 1024 MB function about 0.6 of a vCPU, so expect its init to be slower than these figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { bundlingOptions, type FunctionName, handlerEntries } from '../infra/bundling';

/** Targets from issue 7. */
const MAX_BYTES = 1_000_000;
const MAX_INIT_MS = 150;
/** Fresh processes per handler; the median is reported (the first runs also warm the OS file cache). */
const RUNS = 9;

/** What each function finds in its environment at load on AWS (runtime contract), with local stand-ins. */
function coldStartEnv(tmp: string): Record<string, string> {
  const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
  return {
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS: '--enable-source-maps',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    INBOXLAKE_LAKE: 's3://inboxlake-bench-lake',
    INBOXLAKE_FORMAT: 'parquet',
    INBOXLAKE_TMP: tmp,
    SOCKETLABS_API_URL: 'https://api.socketlabs.com/v2',
    SOCKETLABS_SERVER_IDS: '10001,10002',
    SOCKETLABS_SECRET_ARN: arn('inboxlake/socketlabs/main'),
    INBOXLAKE_REREAD_AFTER: '2d',
    SENDSAGE_SECRET_ARN: arn('inboxlake/sendsage'),
    INBOXLAKE_TIMEZONE: 'Europe/Berlin',
    INBOXLAKE_DIGEST_FROM: 'digest@mail.example.com',
    INBOXLAKE_DIGEST_TO: 'deliverability@example.com',
  };
}

/** The child: imports the bundle once and reports the import's duration and the time since the process started. */
const CHILD = `
const cpu = process.cpuUsage();
const started = performance.now();
const mod = await import(process.argv[2]);
const ready = performance.now();
const used = process.cpuUsage(cpu);
if (typeof mod.handler !== 'function') throw new Error('the bundle exports no handler function');
process.stdout.write(JSON.stringify({ importMs: ready - started, cpuMs: (used.user + used.system) / 1000, processMs: ready }) + '\\n');
`;

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export interface BundleFigures {
  readonly name: FunctionName;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly mapBytes: number;
  /** Medians over RUNS processes, as deployed (NODE_OPTIONS=--enable-source-maps). */
  readonly importMs: number;
  readonly importCpuMs: number;
  readonly processMs: number;
  /** The same import without source-map support, to show what it costs. */
  readonly importMsNoMaps: number;
}

type ChildResult = { importMs: number; cpuMs: number; processMs: number };

/** RUNS fresh processes importing the bundle with `env`. */
function coldImports(child: string, file: string, env: Record<string, string>): ChildResult[] {
  return Array.from({ length: RUNS }, () => {
    // stderr is piped (and dropped) to keep the SDK's Node-version notice out of the table; a failed import throws.
    const out = execFileSync(process.execPath, [child, pathToFileURL(file).href], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult;
  });
}

/** Bundles one handler into `dir/<name>/index.mjs` as the stack does, and measures it (bench/cost.ts prices its init). */
export async function measureBundle(name: FunctionName, entry: string, dir: string): Promise<BundleFigures> {
  const outdir = join(dir, name);
  // `index` as NodejsFunction names it; `outExtension` in the options makes it index.mjs (ESM).
  await build({ ...bundlingOptions, entryPoints: { index: entry }, outdir });
  const file = join(outdir, 'index.mjs');
  const code = readFileSync(file);
  const child = join(dir, 'cold-init.mjs');
  writeFileSync(child, CHILD);
  // The one collector bundle serves every source; the stack names each function's source, as here.
  const env = {
    ...coldStartEnv(join(dir, 'tmp')),
    INBOXLAKE_SOURCE: name === 'collect-sendsage' ? 'sendsage' : 'socketlabs',
  };
  const deployed = coldImports(child, file, env);
  const noMaps = coldImports(child, file, { ...env, NODE_OPTIONS: '' });
  return {
    name,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    mapBytes: statSync(`${file}.map`).size,
    importMs: median(deployed.map((r) => r.importMs)),
    importCpuMs: median(deployed.map((r) => r.cpuMs)),
    processMs: median(deployed.map((r) => r.processMs)),
    importMsNoMaps: median(noMaps.map((r) => r.importMs)),
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/** Bundles and measures every handler; prints a table with the targets beside the figures. */
export async function benchBundle(): Promise<BundleFigures[]> {
  console.log(
    `\n(bundle) Lambda handlers bundled with infra/bundling.ts (${bundlingOptions.format}, ${bundlingOptions.target}, ` +
      `minified); cold init = \`await import(bundle)\` in a fresh node process, NODE_OPTIONS=--enable-source-maps, ` +
      `median of ${RUNS}\n`,
  );
  console.log(
    `| function | bundle bytes | gzipped | .map | ≤ ${MAX_BYTES.toLocaleString('en-US')} B | import ms | import CPU ms | ≤ ${MAX_INIT_MS} ms | without source maps ms | process start → ready ms |`,
  );
  console.log('|---|---:|---:|---:|:-:|---:|---:|:-:|---:|---:|');
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  const results: BundleFigures[] = [];
  try {
    for (const [name, entry] of Object.entries(handlerEntries) as [FunctionName, string][]) {
      const r = await measureBundle(name, entry, dir);
      results.push(r);
      console.log(
        `| ${name} | ${r.bytes.toLocaleString('en-US')} (${kb(r.bytes)}) | ${r.gzipBytes.toLocaleString('en-US')} (${kb(r.gzipBytes)}) | ` +
          `${kb(r.mapBytes)} | ${r.bytes <= MAX_BYTES ? 'yes' : 'NO'} | ${r.importMs.toFixed(1)} | ${r.importCpuMs.toFixed(1)} | ` +
          `${r.importMs <= MAX_INIT_MS ? 'yes' : 'NO'} | ${r.importMsNoMaps.toFixed(1)} | ${r.processMs.toFixed(1)} |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
