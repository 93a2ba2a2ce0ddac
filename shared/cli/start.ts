import { runCli } from './main';

// `npm start`: the embedded default run.
process.argv.splice(2, process.argv.length, 'start');
await runCli();
