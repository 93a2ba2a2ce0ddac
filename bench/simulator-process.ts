/**
 * Runs an API simulator in its own process, as the real API would be: a client whose event loop is busy must not
 * also delay the server. argv[2] is `v1` or `v2`, argv[3] the options as JSON, with `rowsPerDay` (v2) or
 * `profileRows` (v1, per dataset) instead of a profile function. Prints `{"url": …}` once listening, and its stats
 * as JSON when stdin closes, then exits.
 */
import { startV1Simulator, type V1SimulatorOptions } from '../shared/sandbox/socketlabs-v1/server';
import { startV2Simulator, type V2SimulatorOptions } from '../shared/sandbox/socketlabs-v2/server';

const api = process.argv[2];
const options = JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>;
const sim =
  api === 'v2'
    ? await startV2Simulator({
        ...(options as unknown as V2SimulatorOptions),
        profile: (date) => (options.rowsPerDay as Record<string, number>)[date] ?? 0,
      })
    : await startV1Simulator({
        ...(options as unknown as V1SimulatorOptions),
        profile: (dataset) => (options.profileRows as Record<string, number>)[dataset] ?? 0,
      });
process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  process.stdout.write(`${JSON.stringify(sim.stats())}\n`);
  await sim.close();
  process.exit(0);
});
