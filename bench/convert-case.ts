/**
 * What every conversion case of bench/convert.ts shares: its result, its clock and its scratch space. Each case runs in
 * its own process, so these are per process.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ConvertResult {
  rows: number;
  seconds: number;
  /** CPU seconds (user + system) of the case, steadier than wall time on a shared machine. */
  cpuSeconds: number;
  peakRssMb: number;
  bytes: number;
}

// One scratch folder per case process, removed when it ends (a 1 M-row case leaves ~50 MB of lake and spool).
let scratchRoot: string | null = null;
export function scratchDir(name: string): string {
  scratchRoot ??= mkdtempSync(join(tmpdir(), 'bench-case-'));
  const dir = join(scratchRoot, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Starts timing a case: wall and CPU seconds from now. */
export function timer() {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - wall) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  };
}

/** Removes the process's scratch folder (the case's lake, spool and DuckDB output). */
export function removeScratch(): void {
  if (scratchRoot) rmSync(scratchRoot, { recursive: true, force: true });
  scratchRoot = null;
}
