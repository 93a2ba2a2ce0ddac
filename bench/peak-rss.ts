import { readFileSync } from 'node:fs';

/**
 * This process's own peak RSS. On Linux getrusage's maxRSS can include memory the child was forked with from its
 * parent (seen: 319 MB instead of 233 MB for the same 1 M-row case under a parent holding the simulator's pages);
 * /proc/self/status VmHWM is the exec'd program's alone. Elsewhere, maxRSS.
 */
export function peakRssMb(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Math.round(Number(hwm[1]) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
