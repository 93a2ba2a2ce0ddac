/**
 * Runs the v1 simulator in its own process, as the real API would be: a client whose event loop is busy must not
 * also delay the server's clock. Options come as JSON in argv[2]; prints `{"url": …}` once listening, and its
 * stats as JSON when stdin closes, then exits.
 */
import { startV1Simulator, type V1SimulatorOptions } from '../shared/sandbox/socketlabs-v1/server';

const options = JSON.parse(process.argv[2] ?? '{}') as V1SimulatorOptions & { profileRows?: Record<string, number> };
const rows = options.profileRows ?? {};
const sim = await startV1Simulator({ ...options, profile: (dataset) => rows[dataset] ?? 0 });
process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  process.stdout.write(`${JSON.stringify(sim.stats())}\n`);
  await sim.close();
  process.exit(0);
});
