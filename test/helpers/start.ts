import { vi } from 'vitest';
import { runStart } from '../../shared/cli/start-command';
import { loadLakeConfig } from '../../shared/config';

/**
 * `npm start` in `dir` (its outbox lands in the working directory) with only Date frozen at `now`: the one input it
 * takes from the machine besides its environment picks the week, yesterday's digest, the simulators' "now", the
 * planted incident and every ingested_at. Timers and the monotonic clock that rate budgets use run for real. Its
 * output is kept for failure messages instead of cluttering the test output.
 */
export async function startFrozen(
  dir: string,
  env: Record<string, string>,
  now: number,
): Promise<{ code: number; output: string }> {
  let output = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
  const cwd = process.cwd();
  vi.useFakeTimers({ toFake: ['Date'], now });
  process.chdir(dir);
  try {
    return { code: await runStart(env, loadLakeConfig(env)), output };
  } finally {
    process.chdir(cwd);
    vi.useRealTimers();
    vi.restoreAllMocks();
  }
}
