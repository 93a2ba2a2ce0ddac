import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  readonly child: ChildProcess;
  /** Resolves when the process ends. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Output so far. */
  stdout(): string;
}

/** Starts the real CLI (`bin/inboxlake.mjs`) as a child process with exactly the given environment. */
export function startCli(args: string[], env: Record<string, string>, cwd = repoRoot): CliRun {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/inboxlake.mjs'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err })),
  );
  return { child, done, stdout: () => out };
}

/** Runs the CLI to the end. */
export const runCli = (args: string[], env: Record<string, string>, cwd?: string) => startCli(args, env, cwd).done;
