import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { commandsOf } from '../shared/sources';

/**
 * How the Lambda handlers are bundled: one place read by the stack (NodejsFunction, see constructs/lambda-function.ts)
 * and by the benchmark (esbuild called directly), so the bundle measured is the bundle deployed. No aws-cdk-lib import
 * here, so the benchmark loads only esbuild.
 */

/** The stack's functions: `collect-<source command>` (one entry for all), the digest and the alerts. */
export type FunctionName = `collect-${string}` | 'digest' | 'alerts';

const entry = (folder: string) => fileURLToPath(new URL(`../functions/${folder}/handler.ts`, import.meta.url));

/** The generic collector every `collect-<source>` function runs (INBOXLAKE_SOURCE picks the source). */
export const COLLECT_ENTRY = entry('collect');

/** The entry file of a function; each exports `handler`. */
export const entryOf = (name: FunctionName): string =>
  name === 'digest' || name === 'alerts' ? entry(name) : COLLECT_ENTRY;

/**
 * Absolute path of each function's entry file, for the default registry's sources: the collectors share one entry
 * (and so one bundle's code), the digest and the alerts have their own.
 */
export const handlerEntries: Readonly<Record<FunctionName, string>> = {
  ...Object.fromEntries(commandsOf().map((c) => [`collect-${c.name}`, COLLECT_ENTRY])),
  digest: entry('digest'),
  alerts: entry('alerts'),
};

/** Lambda's Node.js runtime the bundles target. */
export const NODE_TARGET = 'node22';

/**
 * Never bundled. `@duckdb/node-api` is a native module used only by the CLI's query path; no handler imports it, and
 * marking it external makes a stray import fail loudly at runtime (module not found) instead of silently shipping a
 * platform binary. The test suite also asserts that no bundle mentions it.
 */
export const externalModules: readonly string[] = ['@duckdb/node-api'];

/**
 * ESM output runs CommonJS dependencies (nodemailer, papaparse) through esbuild's `require` shim, which needs a real
 * `require` for Node built-ins ("Dynamic require of 'stream' is not supported" otherwise).
 */
export const esmRequireBanner =
  "import { createRequire as __inboxlakeCreateRequire } from 'node:module'; const require = __inboxlakeCreateRequire(import.meta.url);";

/**
 * esbuild options for a handler bundle (add `entryPoints` and `outfile`/`outdir`).
 *
 * The AWS SDK v3 clients are bundled rather than taken from the runtime: the version is the one we test with (the
 * runtime's copy changes under us), tree-shaking and minifying keep only the commands we use, and one file loads
 * faster at cold start than resolving the runtime's hundreds of SDK files. The benchmark holds each bundle to ≤ 1 MB.
 */
export const bundlingOptions = {
  bundle: true,
  platform: 'node',
  target: NODE_TARGET,
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  // ESM-first packages (hyparquet, the SDK's es builds) tree-shake better than their CommonJS builds.
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  // Stack traces need file names and lines, not the sources; leaving them out halves the .map file.
  sourcesContent: false,
  banner: { js: esmRequireBanner },
  external: [...externalModules],
  logLevel: 'warning',
} as const satisfies BuildOptions;
