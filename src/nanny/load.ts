/** Running nanny's load command (-U) and reading the 1-minute load from its output. */
import { execFile } from 'node:child_process';
import { parseLoad } from './monitor.js';

/** readLoad runs argv (no shell), bounded to 4 KiB of output, until `signal` aborts it. */
export function readLoad(argv: readonly string[], signal: AbortSignal): Promise<{ load: number | null; text: string }> {
  const [program, ...args] = argv;
  if (program === undefined) return Promise.resolve({ load: null, text: 'empty load command' });
  return new Promise((resolve) => {
    execFile(program, args, { signal, maxBuffer: 4096, encoding: 'utf8', killSignal: 'SIGKILL' }, (err, stdout) => {
      if (err !== null && stdout === '') resolve({ load: null, text: signal.aborted ? `timeout running the following: ${argv.join(' ')}` : `failed to read remote load: ${err.message}` });
      else resolve({ load: parseLoad(stdout), text: stdout.trim() });
    });
  });
}
